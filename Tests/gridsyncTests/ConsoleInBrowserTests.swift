import Foundation
import Testing

/// The office's console in headless Chromium (`tools/browser/console-walk`), over HTTPS with
/// the daemon's own certificate pinned: a wrong password refused on the page, the demands
/// searched with the list's form, a worker's `<script>` title shown as text and run never, a
/// record of another community not found by its URL, and a conflict settled by clicking,
/// which both laptops then receive. Screenshots of the overview, the conflict and the report
/// go to `$GRIDSYNC_SCREENSHOTS` when it is set (the ones in `docs/` were made so).
@Suite struct ConsoleInBrowserTests {
    static let walker = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("tools/browser/console-walk")

    @Test func aClerkSettlesAConflictInTheBrowser() throws {
        if let missing = ReportInBrowserTests.missing {
            Issue.record(Comment(rawValue: missing))
            return
        }
        let daemon = try DaemonProcess(environment: ["GRIDSYNCD_CONSOLE": "127.0.0.1:0"])
        defer { daemon.cleanUp() }
        let first = try FieldLaptop(daemon: daemon, worker: "w001", scope: "c01/g01")
        let second = try FieldLaptop(daemon: daemon, worker: "w002", scope: "c01/g01")
        let elsewhere = try FieldLaptop(daemon: daemon, worker: "w005", scope: "c02/g05")
        defer { [first, second, elsewhere].forEach { $0.cleanUp() } }
        _ = try daemon.addWorker("office-1", scopes: ["c01"], role: "office")
        let passwd = try ConsoleEndToEndTests.gridsyncd(
            daemon, ["worker", "passwd", "office-1", "--password-stdin"], input: ConsoleEndToEndTests.password)
        try #require(passwd.status == 0, "\(passwd.error)")

        let hostile = "<script>alert(1)</script>=SUM(A1)"
        let stairs = try first.addDemand("楼道堆物清理")
        _ = try first.addDemand("路灯不亮")
        _ = try first.addDemand(hostile)
        let other = try elsewhere.addDemand("另一个社区的诉求")
        for laptop in [first, second, elsewhere] { try laptop.sync() }
        try first.update(stairs, "--urgency", "urgent")
        try second.update(stairs, "--urgency", "pressing")
        try first.sync()
        try second.sync()

        let browser = try Browser(daemon: daemon)
        let shots =
            ProcessInfo.processInfo.environment["GRIDSYNC_SCREENSHOTS"]
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("gridsync-shots-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: shots, withIntermediateDirectories: true)
        let walk = try GridsyncBinary.run(
            executable: Self.walker,
            [
                browser.base, browser.certificate, "office-1", ConsoleEndToEndTests.password, "楼道", hostile, stairs,
                "较急", other, shots,
            ], environment: [:])
        try #require(walk.status == 0, "the walk failed: \(walk.error)")
        let seen = try #require(try JSONSerialization.jsonObject(with: Data(walk.output.utf8)) as? [String: Any])
        #expect(seen["wrongPassword"] as? Bool == true)
        #expect(seen["overview"] as? Bool == true)
        #expect(seen["filtered"] as? [String] == ["楼道堆物清理"], "\(seen)")
        #expect(seen["hostileShown"] as? Bool == true && seen["dialogs"] as? Bool == false, "\(seen)")
        #expect(seen["recordHistory"] as? Bool == true)
        #expect(seen["otherCommunity"] as? String == "找不到这条记录", "\(seen)")
        #expect((seen["settled"] as? String)?.contains("较急") == true, "\(seen)")
        #expect(seen["report"] as? Bool == true)
        for name in ["console-overview.png", "console-conflict.png", "console-report.png"] {
            let size = (try? FileManager.default.attributesOfItem(atPath: shots + "/" + name)[.size] as? Int) ?? 0
            #expect(size > 10_000, "\(name): \(size) bytes")
        }

        for laptop in [first, second] {
            try laptop.sync()
            #expect(try laptop.status()["conflictCount"] as? Int == 0, "\(laptop.name) still holds the conflict")
            let line = try #require(try laptop.export().first { $0.contains(stairs) })
            #expect(line.contains("\"urgency\":\"pressing\""), "\(line)")
        }
    }
}
