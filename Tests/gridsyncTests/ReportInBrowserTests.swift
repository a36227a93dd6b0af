import Foundation
import GridMerge
import GridModel
import GridStore
import GridTesting
import Testing

/// The HTML monthly report as the office sees it: `gridsync report --format html` on an office laptop holding a
/// month of the whole example street, opened in headless Chromium (`tools/browser/check-page`), printed to PDF and
/// photographed.
@Suite struct ReportInBrowserTests {
    /// The page checker, beside the package's root.
    static let checker = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("tools/browser/check-page")

    /// What is missing for the check, if anything: `tools/test`, run as root, installs it.
    static var missing: String? {
        let needed = ["/usr/bin/chromium", "/usr/bin/chromedriver", "/usr/bin/python3"]
        if let absent = needed.first(where: { !FileManager.default.isExecutableFile(atPath: $0) }) {
            return
                "\(absent) is not installed: run tools/test as root once, or apt-get install chromium chromium-driver python3-selenium fonts-noto-cjk"
        }
        return nil
    }

    @Test func theHTMLReportShowsItsChartsAndPrintsOnA4() async throws {
        if let missing = Self.missing {
            Issue.record(Comment(rawValue: missing))
            return
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "gridsync-report-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let wall = ManualWallClock()
        let month = StreetMonth()
        let store = try SQLiteReplicaStore.create(
            in: folder.path, identity: month.officeIdentity(replica: ReplicaID(rawValue: 0x0ff1)), wallClock: wall)
        // A clerk's title that is markup and a formula: it must show as typed, and run nothing.
        let hostile = "<img src=x onerror=alert(1)>=SUM(A1)"
        wall.set(StreetMonth.moment("2026-09-01 09:00"))
        _ = try await store.write(
            RecordChange(
                record: RecordID(), target: .create(.demand, in: month.street.grids[0].scope),
                edits: [
                    .assign("title", hostile), .assign("category", Category.other.key),
                    .assign("status", DemandStatus.raised.key), .assign("urgency", "normal"),
                ]))
        // The street's lists, so that the page names grids and workers as the office reads them.
        for change in try StreetImport(month.street, held: []).changes { _ = try await store.write(change) }
        let expected = try await month.write(into: store, wall: wall)

        var office = GridsyncBinary(data: folder, clockOffset: nil)
        office.environment["TZ"] = "Asia/Shanghai"
        let report = try office.run("report", "--month", StreetMonth.month, "--format", "html")
        try #require(report.status == 0, "\(report.error)")
        #expect(report.output.hasPrefix("<!DOCTYPE html>"))
        #expect(report.output.contains("&lt;img src=x onerror=alert(1)&gt;=SUM(A1)"), "the title is escaped")
        #expect(!report.output.contains(hostile))
        #expect(report.output.contains("本月提出</span>") && report.output.contains(">\(expected.raised)</span>"))
        let grid = month.street.grids[0]
        #expect(report.output.contains("\(grid.name)（\(grid.id)）"), "the page names the grids")

        let page = folder.appendingPathComponent("report.html")
        try Data(report.output.utf8).write(to: page)
        let pdf = folder.appendingPathComponent("report.pdf")
        let png = folder.appendingPathComponent("report.png")
        let check = try GridsyncBinary.run(
            executable: URL(fileURLWithPath: "/usr/bin/python3"), [Self.checker.path, page.path, pdf.path, png.path],
            environment: [:])
        try #require(check.status == 0, "the page check failed: \(check.error)")
        let found = try #require(
            try JSONSerialization.jsonObject(with: Data(check.output.utf8)) as? [String: Any], "\(check.output)")
        #expect((found["consoleErrors"] as? [String]) == [], "\(found)")
        #expect(found["dialogs"] as? Bool == false, "a title ran as a script")
        #expect(found["requests"] as? Int == 0, "the page fetched something: it must be self-contained")
        // Demands by category, projects by stage, funding, satisfaction.
        #expect(found["charts"] as? Int == 4 && found["chartsDrawn"] as? Int == 4, "\(found)")
        #expect(found["overflow"] as? Int == 0, "the page is wider than A4: \(found)")
        let pages = try #require(found["pdfPages"] as? Int)
        #expect((2...12).contains(pages), "\(pages) pages")
        let sizes = try #require(found["pdfPageSizes"] as? [[Int]])
        // A4 is 595.3 by 841.9 points; Chromium rounds its page boxes.
        #expect(
            sizes.count == pages && sizes.allSatisfy { abs($0[0] - 595) <= 1 && abs($0[1] - 842) <= 1 },
            "not A4: \(sizes)")
        #expect((found["title"] as? String)?.contains("两会一报 月度报告 2026-11") == true)
        let attributes = try FileManager.default.attributesOfItem(atPath: png.path)
        #expect((attributes[.size] as? Int ?? 0) > 20_000, "the screenshot is blank")
        // GRIDSYNC_REPORT_SCREENSHOT=docs/monthly-report.png keeps the first page's picture (and the page beside it,
        // as .html), as docs/ shows it.
        if let keep = ProcessInfo.processInfo.environment["GRIDSYNC_REPORT_SCREENSHOT"] {
            let picture = URL(fileURLWithPath: keep)
            let html = picture.deletingPathExtension().appendingPathExtension("html")
            for (from, to) in [(png, picture), (page, html)] {
                try? FileManager.default.removeItem(at: to)
                try FileManager.default.copyItem(at: from, to: to)
            }
        }
    }
}
