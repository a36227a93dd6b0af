import Foundation
import Testing

/// `gridsync ui` as a worker runs it: the address it prints (with its key) opens the screen,
/// the bare address does not, and a demand recorded on the command line meanwhile is on the
/// page: the two are used side by side on one laptop.
@Suite struct WorkerScreenTests {
    @Test func theScreenOpensWithItsKeyAndShowsWhatTheCommandLineRecorded() throws {
        let laptop = GridsyncBinary()
        defer { try? FileManager.default.removeItem(at: laptop.data) }
        try #require(try laptop.run("init", "--worker", "w001", "--grid", "c01/g01").status == 0)
        let screen = Process()
        screen.executableURL = GridsyncBinary.executable
        screen.arguments = ["ui", "--no-browser"]
        screen.environment = ProcessInfo.processInfo.environment.merging(["GRIDSYNC_DATA": laptop.data.path]) { $1 }
        let output = Pipe()
        screen.standardOutput = output
        try screen.run()
        defer { screen.terminate() }
        let line = try #require(
            String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
                .firstMatch(of: /gridsync ui: (http:\/\/127\.0\.0\.1:\d+)\/\?key=([0-9a-f]{64})/))
        let (base, key) = (String(line.1), String(line.2))
        let jar = laptop.data.appendingPathComponent("cookies").path
        func curl(_ url: String) throws -> (status: String, body: String) {
            let result = try GridsyncBinary.run(
                executable: URL(fileURLWithPath: "/usr/bin/curl"),
                ["-sS", "-L", "-c", jar, "-b", jar, "-w", "\n%{http_code}", url], environment: [:])
            var lines = result.output.split(separator: "\n", omittingEmptySubsequences: false)
            let status = String(lines.popLast() ?? "")
            return (status, lines.joined(separator: "\n"))
        }
        #expect(try curl(base + "/").status == "403")
        _ = try laptop.run("demand", "add", "--title", "路灯不亮", "--category", "便民服务")
        let opened = try curl(base + "/?key=\(key)")
        #expect(opened.status == "200" && opened.body.contains("路灯不亮"), "\(opened)")
        #expect(try curl(base + "/demands").body.contains("路灯不亮"))
    }
}
