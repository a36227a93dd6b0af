import Foundation
import Testing

/// Sync encrypted with nothing to set up, as an office and its workers use it: the daemon
/// makes its own certificate, the laptop pins its fingerprint on the first sync, a changed
/// certificate is refused, plain TCP needs both sides to say so, tokens stay off the command
/// line, and the files that hold residents' records are their owner's only.
@Suite struct TransportSecurityTests {
    /// The mode bits of a file or folder.
    static func mode(_ url: URL) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int)
    }

    @Test func aLaptopPinsTheDaemonsOwnCertificateAndRefusesAnother() throws {
        let daemon = try DaemonProcess()
        defer { daemon.cleanUp() }
        let fingerprint = try #require(daemon.fingerprint, "the banner names no certificate: \(daemon.banner)")
        let added = try daemon.command("worker", "add", "w001", "--grid", "c01/g01")
        #expect(added.output.contains("fingerprint:  \(fingerprint)"), "\(added.output)")
        let token = try #require(added.output.firstMatch(of: /token:\s+(gst_\S+)/).map { String($0.1) })
        let laptop = GridsyncBinary()
        defer { laptop.cleanUp() }
        try laptop.succeed("init", "--worker", "w001", "--grid", "c01/g01")
        try laptop.succeed("demand", "add", "--title", "楼道堆物清理", "--category", "消防安全")

        // Without the fingerprint, the first sync does not connect, and keeps nothing.
        let unpinned = try laptop.run(["sync", "--server", daemon.address, "--token-file", "-"], input: token + "\n")
        #expect(unpinned.status != 0)
        #expect(unpinned.error.contains("the first sync needs the server's fingerprint"), "\(unpinned.error)")
        #expect(!FileManager.default.fileExists(atPath: laptop.data.appendingPathComponent("server.json").path))

        // With it, and the token on standard input, it syncs; the next sync needs neither.
        let first = try laptop.run(
            ["sync", "--server", daemon.address, "--fingerprint", fingerprint, "--token-file", "-"], input: token)
        #expect(first.status == 0, "\(first.error)")
        try laptop.succeed("sync")
        let settings = laptop.data.appendingPathComponent("server.json")
        #expect(try String(contentsOf: settings, encoding: .utf8).contains(fingerprint))
        #expect(try Self.mode(settings) == 0o600)
        let held = try SyncEndToEndTests.export(daemon).count

        // The office's server comes back with another certificate (its folder lost tls/): the
        // laptop refuses it, sends nothing, and says what to do.
        #expect(daemon.stop() == 0)
        try FileManager.default.removeItem(at: daemon.data.appendingPathComponent("tls"))
        let replaced = try daemon.restarted()
        defer { replaced.cleanUp() }
        let newFingerprint = try #require(replaced.fingerprint)
        #expect(newFingerprint != fingerprint)
        try laptop.succeed("demand", "add", "--title", "路灯不亮", "--category", "消防安全")
        let refused = try laptop.run("sync", "--json")
        #expect(refused.status != 0)
        #expect(refused.error.contains("\"code\":\"certificate-changed\""), "\(refused.error)")
        let words = try laptop.run("sync")
        #expect(words.error.contains("presented: \(newFingerprint)"), "\(words.error)")
        #expect(words.error.contains("trusted:   \(fingerprint)"), "\(words.error)")
        #expect(try SyncEndToEndTests.export(replaced).count == held, "a refused server received records")

        // Told the new fingerprint by the office, the worker syncs again.
        try laptop.succeed("sync", "--fingerprint", newFingerprint)
        #expect(try SyncEndToEndTests.export(replaced).count == held + 1)
    }

    @Test func plainTCPNeedsBothSidesToSaySo() throws {
        let plainDaemon = try DaemonProcess(plain: true)
        defer { plainDaemon.cleanUp() }
        #expect(plainDaemon.banner.contains("plain TCP"))
        let token = try plainDaemon.addWorker("w001", scopes: ["c01/g01"])
        let laptop = GridsyncBinary()
        defer { laptop.cleanUp() }
        try laptop.succeed("init", "--worker", "w001", "--grid", "c01/g01")
        let pinned = "sha256:" + String(repeating: "0", count: 64)
        let tlsLaptop = try laptop.run(
            ["sync", "--server", plainDaemon.address, "--fingerprint", pinned, "--timeout", "5", "--token-file", "-"],
            input: token)
        #expect(tlsLaptop.status != 0)
        #expect(tlsLaptop.error.contains("they will tell you to sync with --plain"), "\(tlsLaptop.error)")
        let plainLaptop = try laptop.run(
            ["sync", "--server", plainDaemon.address, "--plain", "--token-file", "-"], input: token)
        #expect(plainLaptop.status == 0, "\(plainLaptop.error)")

        let tlsDaemon = try DaemonProcess()
        defer { tlsDaemon.cleanUp() }
        let other = try tlsDaemon.addWorker("w001", scopes: ["c01/g01"])
        let mismatch = try laptop.run(
            ["sync", "--server", tlsDaemon.address, "--plain", "--timeout", "5", "--token-file", "-"], input: other)
        #expect(mismatch.status != 0)
        #expect(mismatch.error.contains("sync without --plain"), "\(mismatch.error)")
    }

    @Test func recordsAreTheirOwnersOnlyWhateverTheCallersUmask() throws {
        // Both programs run under a umask that would make every file readable by everyone.
        let shell = URL(fileURLWithPath: "/bin/sh")
        let laptop = GridsyncBinary()
        defer { laptop.cleanUp() }
        let made = try GridsyncBinary.run(
            executable: shell,
            ["-c", "umask 000; exec \"$0\" init --worker w001 --grid c01/g01", GridsyncBinary.executable.path],
            environment: ["GRIDSYNC_DATA": laptop.data.path])
        #expect(made.status == 0, "\(made.error)")
        #expect(try Self.mode(laptop.data) == 0o700)
        #expect(try Self.mode(laptop.data.appendingPathComponent("replica.sqlite")) == 0o600)
        // A folder an older gridsync left open to everyone is closed at its next use.
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: laptop.data.path)
        try laptop.succeed("status")
        #expect(try Self.mode(laptop.data) == 0o700)

        let data = FileManager.default.temporaryDirectory.appendingPathComponent("gridsyncd-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: data) }
        let added = try GridsyncBinary.run(
            executable: shell,
            [
                "-c", "umask 000; exec \"$0\" worker add w001 --grid c01/g01 --data \"$1\"",
                DaemonProcess.executable.path,
                data.path,
            ],
            environment: [:])
        #expect(added.status == 0, "\(added.error)")
        #expect(try Self.mode(data) == 0o700)
        for file in ["accounts.sqlite", "tls", "tls/key.pem", "tls/certificate.pem"] {
            let expected = file == "tls" ? 0o700 : 0o600
            #expect(try Self.mode(data.appendingPathComponent(file)) == expected, "\(file)")
        }
    }

    @Test func aSecondDaemonOnTheSameFolderIsRefusedUntilTheFirstIsGone() throws {
        let daemon = try DaemonProcess(plain: true)
        defer { daemon.cleanUp() }
        let second = try GridsyncBinary.run(
            executable: DaemonProcess.executable,
            ["serve", "--data", daemon.data.path, "--listen", "127.0.0.1:0", "--metrics", "off", "--console", "off"],
            environment: [:])
        #expect(second.status != 0)
        #expect(
            second.error.contains("another gridsyncd (pid \(daemon.processIdentifier)) is serving"), "\(second.error)")
        let restore = try daemon.command(
            "restore", "--replica", daemon.data.appendingPathComponent("replica.sqlite").path)
        #expect(restore.status != 0 && restore.error.contains("is serving"), "\(restore.error)")
        // Killed without a chance to clean up, the first leaves no lock behind.
        kill(daemon.processIdentifier, SIGKILL)
        #expect(daemon.waitForExit(timeout: 10) != nil)
        let next = try daemon.restarted()
        defer { next.stop() }
        #expect(next.isRunning)
    }
}
