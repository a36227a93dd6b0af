import Foundation
import Testing

/// What a worker sees when a sync does not finish: the server and token they typed are kept
/// once the server has answered, "unreachable" means the server was never reached, and
/// `status` tells the last finished sync from the last try.
@Suite struct SyncAttemptTests {
    @Test func aFirstSyncCutAfterTheHandshakeKeepsTheServerAndTokenAndStatusTellsTheTryApart() throws {
        let daemon = try DaemonProcess()
        defer { daemon.cleanUp() }
        let laptop = try FieldLaptop(daemon: daemon, worker: "w001", scope: "c01/g01")
        defer { laptop.cleanUp() }
        for number in 0..<30 {
            _ = try laptop.addDemand("诉求\(number)", description: String(repeating: "楼道堆物", count: 40))
        }

        // The link drops part-way through the first push, after the server's WELCOME.
        let proxy = try CuttingProxy(upstreamPort: daemon.port, cutAfter: 3_000)
        let cut = try laptop.gridsync.run(
            ["sync", "--server", "127.0.0.1:\(proxy.port)", "--token-file", laptop.tokenFile.path, "--no-compression"]
                + laptop.trust)
        #expect(cut.status != 0)
        #expect(!cut.error.contains("cannot reach the server"), "the server was reached: \(cut.error)")
        let tried = try laptop.status()
        #expect(tried["lastSync"] == nil || tried["lastSync"] is NSNull, "no sync finished yet")
        let text = try laptop.gridsync.succeed("status")
        #expect(text.contains("last sync:  never with 127.0.0.1:\(proxy.port)"), "\(text)")
        #expect(text.contains("last try:"), "\(text)")

        // The settings were kept: `gridsync sync` alone tries again (the relay is gone by now,
        // so this one cannot reach it, and says so without losing the settings).
        let unreachable = try laptop.gridsync.run("sync")
        #expect(unreachable.status != 0)
        #expect(
            unreachable.error.contains("cannot reach the server at 127.0.0.1:\(proxy.port)"), "\(unreachable.error)")
        #expect(!unreachable.error.contains("no server yet"))

        // Pointed at the daemon itself, with the token it kept, the sync finishes.
        try laptop.gridsync.succeed("sync", "--server", daemon.address)
        let done = try laptop.gridsync.succeed("status")
        #expect(!done.contains("last sync:  never"), "\(done)")
        #expect(!done.contains("last try:"), "a finished sync clears the failed try: \(done)")
        #expect(try laptop.unsent() == 0)
    }

    @Test func aServerNeverReachedKeepsNoSettings() throws {
        let daemon = try DaemonProcess()
        let laptop = try FieldLaptop(daemon: daemon, worker: "w001", scope: "c01/g01")
        defer { laptop.cleanUp() }
        let port = daemon.port
        daemon.cleanUp()
        let failed = try laptop.gridsync.run(
            ["sync", "--server", "127.0.0.1:\(port)", "--token-file", laptop.tokenFile.path] + laptop.trust)
        #expect(failed.status != 0)
        #expect(failed.error.contains("cannot reach the server"), "\(failed.error)")
        let again = try laptop.gridsync.run("sync")
        #expect(again.error.contains("no server yet"), "an unreached server is not kept: \(again.error)")
    }
}
