import Foundation
import Testing

/// A grid worker's own screen in headless Chromium (`tools/browser/field-walk`), on a laptop
/// that received the street's compounds from the office through a real daemon: a visit and a
/// demand recorded through the forms with the compound picked by name and a photo chosen with
/// the form's button (shown on the demand's page), a demand without a
/// title refused on the page in the command line's words with nothing written, and the sync
/// button, after which `gridsync demand list` shows the demand and another laptop of the grid
/// receives it. Screenshots of the today page and the demand form go to
/// `$GRIDSYNC_SCREENSHOTS` when it is set (the ones in `docs/` were made so).
@Suite struct WorkerScreenInBrowserTests {
    static let walker = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("tools/browser/field-walk")

    @Test func aWorkerRecordsAVisitAndADemandAndSyncsThemFromTheBrowser() throws {
        if let missing = ReportInBrowserTests.missing {
            Issue.record(Comment(rawValue: missing))
            return
        }
        let daemon = try DaemonProcess()
        defer { daemon.cleanUp() }
        let (compounds, workers, sheets) = try StreetListsTests.sheets()
        defer { try? FileManager.default.removeItem(at: sheets) }
        let office = try FieldLaptop(daemon: daemon, worker: "o001", scope: "c01", role: "office")
        let worker = try FieldLaptop(daemon: daemon, worker: "w001", scope: "c01/g01")
        let neighbour = try FieldLaptop(daemon: daemon, worker: "w003", scope: "c01/g01")
        defer { [office, worker, neighbour].forEach { $0.cleanUp() } }
        _ = try office.gridsync.succeed("street", "import", "--compounds", compounds, "--workers", workers)
        try office.sync()
        try worker.sync()

        let screen = try WorkerScreenTests.Screen(data: worker.gridsync.data)
        defer { screen.stop() }
        let shots =
            ProcessInfo.processInfo.environment["GRIDSYNC_SCREENSHOTS"]
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("gridsync-shots-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: shots, withIntermediateDirectories: true)
        let walk = try GridsyncBinary.run(
            executable: Self.walker,
            ["\(screen.base)/?key=\(screen.key)", "机械厂家属院", "5号楼3单元201", "楼道堆物清理", shots],
            environment: [:])
        try #require(walk.status == 0, "the walk failed: \(walk.error)")
        let seen = try #require(try JSONSerialization.jsonObject(with: Data(walk.output.utf8)) as? [String: Any])
        #expect(seen["visitSaved"] as? Bool == true, "\(seen)")
        let refusal = try worker.gridsync.run(["demand", "add", "--category", "消防安全", "--json"])
        #expect(
            (seen["refused"] as? String).map { refusal.error.contains($0) } == true,
            "the page's words \(seen["refused"] ?? "none") are not the command line's: \(refusal.error)")
        #expect(seen["refusedField"] as? String == "诉求", "\(seen)")
        #expect(seen["keptTyped"] as? Bool == true)
        #expect(seen["listed"] as? [String] == ["楼道堆物清理"], "\(seen)")
        #expect(seen["recordPage"] as? Bool == true)
        #expect(seen["photoShown"] as? Bool == true, "\(seen)")
        #expect(seen["synced"] as? String == "同步完成", "\(seen)")
        #expect((seen["summary"] as? String)?.contains("sent") == true, "\(seen)")
        #expect(seen["dialogs"] as? Bool == false)
        for name in ["worker-today.png", "worker-demand-form.png"] {
            let size = (try? FileManager.default.attributesOfItem(atPath: shots + "/" + name)[.size] as? Int) ?? 0
            #expect(size > 10_000, "\(name): \(size) bytes")
        }

        // What the forms wrote is the laptop's, as if recorded on the command line, and synced.
        let demands = try #require(try worker.gridsync.json("demand", "list", "--json") as? [[String: Any]])
        #expect(demands.count == 1, "the refused save wrote something: \(demands)")
        let values = demands.first?["values"] as? [String: Any]
        #expect(values?["title"] as? String == "楼道堆物清理" && values?["compound"] as? String == "k002", "\(demands)")
        #expect((demands.first?["sets"] as? [String: [String]])?["photos"]?.count == 1, "\(demands)")
        #expect(try worker.unsent() == 0)
        try neighbour.sync()
        let received = try neighbour.export()
        #expect(received.contains { $0.contains("楼道堆物清理") && $0.contains("\"category\":\"fire-safety\"") })
        #expect(received.contains { $0.contains("5号楼3单元201") && $0.contains("\"compound\":\"k002\"") })
    }
}
