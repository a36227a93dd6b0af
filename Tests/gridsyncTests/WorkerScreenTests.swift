import Foundation
import Testing

/// `gridsync ui` as a worker runs it: the address it prints (with its key) opens the screen,
/// the bare address does not; a demand recorded on the command line meanwhile is on the page
/// (the two are used side by side on one laptop); and a demand recorded through the form and
/// synced by the page's button reaches another laptop of the grid.
@Suite struct WorkerScreenTests {
    @Test func theScreenOpensWithItsKeyAndShowsWhatTheCommandLineRecorded() throws {
        let laptop = GridsyncBinary()
        defer { try? FileManager.default.removeItem(at: laptop.data) }
        try #require(try laptop.run("init", "--worker", "w001", "--grid", "c01/g01").status == 0)
        let screen = try Screen(data: laptop.data)
        defer { screen.stop() }
        #expect(try screen.curl("/").status == "403")
        _ = try laptop.run("demand", "add", "--title", "路灯不亮", "--category", "便民服务")
        let opened = try screen.curl("/?key=\(screen.key)")
        #expect(opened.status == "200" && opened.body.contains("路灯不亮"), "\(opened)")
        #expect(try screen.curl("/records/demand").body.contains("路灯不亮"))
    }

    @Test func aDemandSavedOnTheScreenAndSyncedByItsButtonReachesAnotherLaptop() throws {
        let daemon = try DaemonProcess()
        defer { daemon.cleanUp() }
        let first = try FieldLaptop(daemon: daemon, worker: "w001", scope: "c01/g01")
        let second = try FieldLaptop(daemon: daemon, worker: "w002", scope: "c01/g01")
        defer { [first, second].forEach { $0.cleanUp() } }
        // The first sync, from the command line, keeps the server and the token.
        _ = try first.sync()
        let screen = try Screen(data: first.gridsync.data)
        defer { screen.stop() }
        _ = try screen.curl("/?key=\(screen.key)")
        let form = try screen.curl("/new/demand").body
        let token = try #require(form.firstMatch(of: /name="csrf" value="([0-9a-f]+)"/).map { String($0.1) })
        let saved = try screen.curl(
            "/new/demand", post: ["csrf": token, "title": "楼道灯坏了", "category": "convenience", "urgency": "urgent"])
        #expect(saved.status == "200" && saved.body.contains("楼道灯坏了"), "\(saved)")
        let today = try screen.curl("/").body
        #expect(today.contains(#"action="/sync""#), "\(today)")
        // The button starts the sync and leads to its page, which reloads until it has ended.
        var synced = try screen.curl("/sync", post: ["csrf": token])
        let deadline = Date().addingTimeInterval(60)
        while synced.body.contains("正在同步"), Date() < deadline {
            #expect(synced.body.contains(#"http-equiv="refresh""#))
            Thread.sleep(forTimeInterval: 0.2)
            synced = try screen.curl("/sync")
        }
        #expect(synced.status == "200" && synced.body.contains("同步完成"), "\(synced)")
        #expect(
            synced.body.contains(/sent \d+ edits, received \d+/), "the summary gridsync sync prints: \(synced.body)")
        #expect(try first.unsent() == 0)
        _ = try second.sync()
        #expect(try second.export().contains { $0.contains("楼道灯坏了") && $0.contains("\"urgency\":\"urgent\"") })
    }

    /// A running `gridsync ui --no-browser` on a data folder, and curl as its browser.
    final class Screen {
        let base: String
        let key: String
        private let process = Process()
        private let jar: URL

        init(data: URL) throws {
            process.executableURL = GridsyncBinary.executable
            process.arguments = ["ui", "--no-browser"]
            process.environment = ProcessInfo.processInfo.environment.merging(["GRIDSYNC_DATA": data.path]) { $1 }
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            let line = try #require(
                String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
                    .firstMatch(of: /gridsync ui: (http:\/\/127\.0\.0\.1:\d+)\/\?key=([0-9a-f]{64})/))
            (base, key) = (String(line.1), String(line.2))
            jar = data.appendingPathComponent("screen-cookies")
        }

        /// GETs `path` (or POSTs the form `post`), following redirects: the status and body.
        func curl(_ path: String, post: [String: String]? = nil) throws -> (status: String, body: String) {
            let form = (post ?? [:]).flatMap { ["--data-urlencode", "\($0.key)=\($0.value)"] }
            let result = try GridsyncBinary.run(
                executable: URL(fileURLWithPath: "/usr/bin/curl"),
                ["-sS", "-L", "-c", jar.path, "-b", jar.path, "-w", "\n%{http_code}"] + form + [base + path],
                environment: [:])
            var lines = result.output.split(separator: "\n", omittingEmptySubsequences: false)
            let status = String(lines.popLast() ?? "")
            return (status, lines.joined(separator: "\n"))
        }

        func stop() {
            process.terminate()
            process.waitUntilExit()
        }
    }
}
