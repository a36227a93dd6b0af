import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// PostgreSQL going away under a serving daemon: stopped for maintenance, restarted. The
/// daemon answers `unavailable`, keeps running, reconnects by itself, and the laptop's next
/// sync completes with nothing lost.
@Suite(.enabled(if: TestPostgres.server != nil, "GRIDSYNC_TEST_POSTGRES is not set"))
struct DatabaseFaultTests {
    @Test func aDaemonWhoseDatabaseRestartsAnswersUnavailableThenServesAgain() throws {
        let server = try PrivatePostgres()
        defer { server.remove() }
        let daemon = try DaemonProcess(store: server.url)
        defer { daemon.cleanUp() }
        let laptop = try FieldLaptop(daemon: daemon, worker: "w001", scope: "c01/g01")
        defer { laptop.cleanUp() }
        _ = try laptop.addDemand("楼道堆物清理")
        try laptop.sync()

        try server.stop()
        _ = try laptop.addDemand("路灯不亮")
        let refused = try laptop.gridsync.run(
            ["sync", "--server", daemon.address, "--token-file", laptop.tokenFile.path, "--json"] + laptop.trust)
        #expect(refused.status != 0, "a sync while the database is down cannot complete")
        #expect(refused.output.contains("unavailable") || refused.error.contains("unavailable"), "\(refused.error)")
        #expect(daemon.isRunning, "the daemon keeps running without its database")
        #expect(try laptop.unsent() > 0, "the laptop keeps what it could not send")

        try server.start()
        try laptop.sync()
        #expect(try laptop.unsent() == 0)
        let witness = try FieldLaptop(daemon: daemon, worker: "w002", scope: "c01/g01")
        defer { witness.cleanUp() }
        try witness.sync()
        let titles = try witness.export().joined()
        #expect(titles.contains("楼道堆物清理") && titles.contains("路灯不亮"))
        #expect(daemon.log.contains("cannot reach") || daemon.log.contains("unavailable"), "the log says why")
    }
}

/// A PostgreSQL of one test's own (`tools/postgres`), which it may stop and start.
struct PrivatePostgres {
    let folder: URL
    let port: Int
    let url: String

    static var script: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("tools/postgres")
    }

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("gridsync-pg-\(UUID().uuidString)")
        port = Int.random(in: 40_000...49_999)
        url = try Self.run(["start", folder.path, "\(port)"]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Stops the server (a fast shutdown, as for maintenance).
    func stop() throws { _ = try Self.run(["stop", folder.path]) }

    /// Starts it again on the same port.
    func start() throws { _ = try Self.run(["start", folder.path, "\(port)"]) }

    /// Stops it if it runs and removes its files.
    func remove() {
        _ = try? Self.run(["stop", folder.path])
        try? FileManager.default.removeItem(at: folder)
    }

    /// Runs the script through `system(3)`: Foundation's `Process` never saw it end here
    /// (`waitUntilExit` hung once the server it starts had left its session).
    private static func run(_ arguments: [String]) throws -> String {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent(
            "gridsync-pg-\(UUID().uuidString).out")
        defer { try? FileManager.default.removeItem(at: output) }
        let command = ([script.path] + arguments).map { "'\($0)'" }.joined(separator: " ")
        let status = system("\(command) > '\(output.path)' 2>&1")
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        guard status == 0 else { throw DaemonFailure("tools/postgres \(arguments[0]) failed: \(text)") }
        return text
    }
}
