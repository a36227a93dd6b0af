import Foundation
import GridMerge
import Testing

/// Running the daemon as an operator does: configuration, accounts, TLS, metrics,
/// connection limits, clients that stop reading, and a graceful shutdown.
@Suite struct DaemonOperationsTests {
    static let replica = ReplicaID(rawValue: 0xa1)

    @Test func sigtermFinishesTheBatchInFlightThenCloses() throws {
        let daemon = try DaemonProcess(plain: true)
        defer { daemon.cleanUp() }
        let token = try daemon.addWorker("w001", scopes: ["c01/g01"])
        let peer = try RawPeer(port: daemon.port)
        peer.send(RawPeer.hello(Self.replica, token: token))
        #expect(peer.readLines(1).first?.hasPrefix("WELCOME") == true)
        let push = RawPeer.push([RawPeer.op(Self.replica, 1), RawPeer.op(Self.replica, 2)], through: 2)
        let half = push.index(push.startIndex, offsetBy: push.count / 2)
        peer.send(String(push[..<half]))
        Thread.sleep(forTimeInterval: 0.3)
        daemon.terminate()
        Thread.sleep(forTimeInterval: 0.3)
        peer.send(String(push[half...]))
        #expect(peer.readUntilClosed())
        let lines = peer.receivedLines
        #expect(lines.count == 3 && lines[1] == "ACK 2" && lines[2].hasPrefix("ERR unavailable "), "\(lines)")
        #expect(daemon.waitForExit(timeout: 20) == 0)
        #expect(daemon.log.contains("every connection is closed"))
        let status = try GridsyncBinary.run(
            executable: GridsyncBinary.executable, ["status", "--json", "--data", daemon.data.path], environment: [:])
        #expect(status.output.contains("\"opCount\" : 2"), "\(status.output)")
    }

    @Test func aClientThatStopsReadingIsClosedAndHarmsNoOne() throws {
        let daemon = try DaemonProcess(environment: ["GRIDSYNCD_IDLE_TIMEOUT": "2"], plain: true)
        defer { daemon.cleanUp() }
        let token = try daemon.addWorker("w001", scopes: ["c01/g01"])
        let readerToken = try daemon.addWorker("w002", scopes: ["c01/g01"])
        // 200 ops of 3 KB each on the server.
        let pusher = try RawPeer(port: daemon.port)
        pusher.send(RawPeer.hello(Self.replica, token: token))
        let text = String(repeating: "楼", count: 1_000)
        pusher.send(RawPeer.push((1...200).map { RawPeer.op(Self.replica, UInt64($0), text: text) }, through: 200))
        pusher.send("BYE\n")
        #expect(pusher.readLines(3).last == "BYE")
        // Asks for the same 600 KB three hundred times, and never reads an answer.
        let staller = try RawPeer(port: daemon.port)
        staller.send(RawPeer.hello(ReplicaID(rawValue: 0xb2), token: readerToken))
        staller.send(String(repeating: "PULL 0 1000\n", count: 300))
        let deadline = Date().addingTimeInterval(20)
        while !daemon.log.contains("stopped reading"), Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        #expect(daemon.log.contains("stopped reading"))
        // Everyone else is served all along.
        let other = try RawPeer(port: daemon.port)
        other.send(RawPeer.hello(ReplicaID(rawValue: 0xc3), token: readerToken))
        other.send("BYE\n")
        let lines = other.readLines(2, seconds: 5)
        #expect(lines.first?.hasPrefix("WELCOME") == true && lines.last == "BYE", "\(lines)")
        #expect(daemon.isRunning)
    }

    /// A log on a full disk (or a journal that went away) fails every write: the daemon goes on serving
    /// without its log lines, where it used to die on the first one.
    @Test func aLogThatCannotBeWrittenStopsNoSync() throws {
        let daemon = try DaemonProcess(logToFullDisk: true)
        defer { daemon.cleanUp() }
        let laptop = try FieldLaptop(daemon: daemon, worker: "w001", scope: "c01/g01")
        _ = try laptop.addDemand("楼道灯不亮")
        let first = try laptop.sync()
        #expect(first.pushed > 0)
        _ = try laptop.addDemand("消防通道堆物")
        try laptop.sync()
        #expect(daemon.isRunning)
    }

    @Test(.enabled(if: getuid() == 0 && FileManager.default.fileExists(atPath: "/usr/sbin/runuser")))
    func theDaemonServesAsAnOrdinaryUser() throws {
        // Root may set socket options an ordinary user may not: the service account is not root.
        let daemon = try DaemonProcess(asUser: "nobody", plain: true)
        defer { daemon.cleanUp() }
        let token = try daemon.addWorker("w001", scopes: ["c01/g01"])
        let peer = try RawPeer(port: daemon.port)
        peer.send(RawPeer.hello(Self.replica, token: token) + "BYE\n")
        #expect(peer.readLines(2).last == "BYE", "\(daemon.log)")
        #expect(daemon.isRunning)
    }

    @Test func connectionsOverTheLimitAreAskedToComeBackLater() throws {
        let daemon = try DaemonProcess(environment: ["GRIDSYNCD_MAX_CONNECTIONS": "1"], plain: true)
        defer { daemon.cleanUp() }
        let first = try RawPeer(port: daemon.port)
        Thread.sleep(forTimeInterval: 0.2)
        let second = try RawPeer(port: daemon.port)
        #expect(second.readUntilClosed())
        #expect(second.errorCode == "unavailable", "\(second.receivedLines)")
        _ = first
    }

    @Test func metricsCountSyncsOpsBytesAndErrors() throws {
        let daemon = try DaemonProcess(plain: true)
        defer { daemon.cleanUp() }
        let token = try daemon.addWorker("w001", scopes: ["c01/g01"])
        let laptop = GridsyncBinary()
        defer { laptop.cleanUp() }
        try laptop.succeed("init", "--worker", "w001", "--grid", "c01/g01")
        try laptop.succeed("demand", "add", "--title", "楼道堆物清理", "--category", "消防安全")
        let said = try laptop.succeed("sync", "--server", daemon.address, "--token", token, "--plain")
        // In the worker's words: edits, not ops.
        #expect(
            said.contains(/sent \d+ edits, received 0; 0 new conflicts \(0 open\)/) && !said.contains(" ops"), "\(said)"
        )
        let wrong = try RawPeer(port: daemon.port)
        wrong.send(RawPeer.hello(Self.replica, token: "gst_wrong"))
        wrong.readUntilClosed()

        // A connection is counted once it has closed, a moment after its client saw the end.
        var text = ""
        let deadline = Date().addingTimeInterval(5)
        repeat {
            text = try daemon.metrics()
        } while !text.contains("gridsync_sync_duration_seconds_count 2") && Date() < deadline
        #expect(text.hasPrefix("HTTP/1.1 200"))
        for line in [
            "gridsync_connections_total 2", "gridsync_ops_stored_total 4", "gridsync_ops_received_total 4",
            "gridsync_errors_total{code=\"unauthorized\"} 1", "gridsync_sync_duration_seconds_count 2",
        ] {
            #expect(text.contains(line), "no '\(line)' in the metrics")
        }
        let wire = text.split(separator: "\n").first {
            $0.hasPrefix("gridsync_bytes_received_total{encoding=\"wire\"}")
        }
        #expect(wire.flatMap { Int($0.split(separator: " ").last!) } ?? 0 > 0)
    }

    @Test func syncOverTLSWithTheOfficesCertificate() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gridsync-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let certificate = folder.appendingPathComponent("cert.pem").path
        let key = folder.appendingPathComponent("key.pem").path
        let openssl = try GridsyncBinary.run(
            executable: URL(fileURLWithPath: "/usr/bin/env"),
            [
                "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", key, "-out", certificate, "-days", "2", "-subj", "/CN=gridsync test office",
                "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
            ], environment: [:])
        try #require(openssl.status == 0, "openssl failed: \(openssl.error)")
        let daemon = try DaemonProcess(environment: [
            "GRIDSYNCD_TLS_CERTIFICATE": certificate, "GRIDSYNCD_TLS_KEY": key,
        ])
        defer { daemon.cleanUp() }
        #expect(daemon.banner.contains("TLS"))
        let token = try daemon.addWorker("w001", scopes: ["c01/g01"])
        let laptop = GridsyncBinary()
        defer { laptop.cleanUp() }
        try laptop.succeed("init", "--worker", "w001", "--grid", "c01/g01")
        try laptop.succeed("demand", "add", "--title", "楼道堆物清理", "--category", "消防安全")

        let plain = try laptop.run("sync", "--server", daemon.address, "--token", token, "--plain", "--timeout", "3")
        #expect(plain.status != 0, "a plain client must not sync with a TLS daemon")
        #expect(plain.error.contains("sync without --plain"), "\(plain.error)")
        let untrusted = try laptop.run("sync", "--server", daemon.address, "--token", token, "--tls")
        #expect(untrusted.status != 0, "a certificate nobody vouches for must be refused")
        #expect(untrusted.error.contains("needs the server's fingerprint"), "\(untrusted.error)")
        let trusted = try laptop.run(
            "sync", "--server", daemon.address, "--token", token, "--ca", certificate, "--json")
        #expect(trusted.status == 0, "\(trusted.error)")
        #expect(trusted.output.contains("\"pushed\" : 4"), "\(trusted.output)")
        // Kept for next time, TLS included.
        try laptop.succeed("sync")
    }

    @Test func checkConfigShowsEachValueWithItsSourceAndRefusesBadOnes() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "gridsyncd-conf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("gridsyncd.conf")
        try """
        # the office's daemon
        listen = 127.0.0.1:7500
        idle-timeout = 90   # mobile links are slow
        compression = off
        inflation-ratio = 200
        message-memory = 134217728
        """.write(to: file, atomically: true, encoding: .utf8)
        let run = { (arguments: [String], environment: [String: String]) in
            try GridsyncBinary.run(executable: DaemonProcess.executable, arguments, environment: environment)
        }
        let good = try run(
            ["check-config", "--config", file.path, "--data", folder.path, "--json"],
            ["GRIDSYNCD_IDLE_TIMEOUT": "120", "GRIDSYNCD_MESSAGE_MEMORY": "134217728"])
        #expect(good.status == 0, "\(good.output) \(good.error)")
        let document = try JSONSerialization.jsonObject(with: Data(good.output.utf8)) as? [String: Any]
        let settings = (document?["settings"] as? [[String: String]]) ?? []
        func setting(_ key: String) -> [String: String]? { settings.first { $0["key"] == key } }
        #expect(setting("listen")?["value"] == "127.0.0.1:7500")
        #expect(setting("listen")?["source"]?.hasPrefix("file ") == true)
        #expect(setting("idle-timeout")?["value"] == "120")
        #expect(setting("idle-timeout")?["source"] == "environment GRIDSYNCD_IDLE_TIMEOUT")
        #expect(setting("compression")?["value"] == "off")
        #expect(setting("ops-per-batch")?["source"] == "default")
        #expect(setting("data")?["source"] == "flag --data")
        // Settings of earlier versions are ignored, with a note that says what replaced them, not a reason to stop;
        // the daemon's memory stays at its default of 256 MiB.
        let ignored = (document?["ignored"] as? [String]) ?? []
        #expect(ignored.count == 3, "\(ignored)")
        #expect(ignored.first?.contains("inflation-ratio is ignored") == true, "\(ignored)")
        #expect(ignored.contains { $0.contains(":6: message-memory is ignored: memory replaces it") }, "\(ignored)")
        #expect(
            ignored.contains { $0.hasPrefix("GRIDSYNCD_MESSAGE_MEMORY is ignored: memory replaces it") }, "\(ignored)")
        #expect(setting("memory")?["value"] == "268435456")
        // The console is served by default on the server's address in the office's network (a private one, else the
        // loopback address), port 7421; `lan` names that address with another port.
        let console = try #require(setting("console")?["value"])
        let host = String(console.dropLast(":7421".count))
        #expect(setting("console")?["source"] == "default")
        #expect(
            console.hasSuffix(":7421")
                && (host == "127.0.0.1" || host.hasPrefix("10.") || host.hasPrefix("192.168.")
                    || host.wholeMatch(of: /172\.(1[6-9]|2\d|3[01])\.\d+\.\d+/) != nil),
            "\(console)")
        let lan = try run(["check-config", "--data", folder.path, "--json"], ["GRIDSYNCD_CONSOLE": "lan:7500"])
        #expect(lan.output.contains("\"\(host):7500\""), "\(lan.output)")

        try "listen = 7500\nspeed = fast\nmemory = 100000000\n".write(to: file, atomically: true, encoding: .utf8)
        let bad = try run(["check-config", "--config", file.path, "--data", folder.path], [:])
        #expect(bad.status != 0)
        #expect(bad.error.contains("gridsyncd.conf:1: listen = 7500: give host:port"), "\(bad.error)")
        #expect(bad.error.contains("gridsyncd.conf:2: unknown setting 'speed'"), "\(bad.error)")
        // 100,000,000 bytes leave the connections less than one whole message (twice 16 MiB, and more).
        #expect(bad.error.contains("memory must be at least "), "\(bad.error)")

        try FileManager.default.removeItem(at: file)
        let halfTLS = try run(["check-config", "--data", folder.path], ["GRIDSYNCD_TLS_CERTIFICATE": "/nowhere.pem"])
        #expect(halfTLS.status != 0)
        #expect(halfTLS.error.contains("tls-certificate and tls-key go together"), "\(halfTLS.error)")
        let missingFiles = try run(
            ["check-config", "--data", folder.path],
            ["GRIDSYNCD_TLS_CERTIFICATE": "/nowhere.pem", "GRIDSYNCD_TLS_KEY": "/nowhere.key"])
        #expect(missingFiles.status != 0)
        #expect(missingFiles.output.contains("cannot read the certificate /nowhere.pem"), "\(missingFiles.output)")
    }

    /// `=` and `#` end a key and a value wherever they are written, even after a character that joins the next one
    /// into a single Character (U+0600, found by the configuration file's fuzzer).
    @Test func aKeyEndsAtItsEqualsSignWhateverComesBefore() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "gridsyncd-conf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("gridsyncd.conf")
        try Data("listen = 127.0.0.1:7500\u{0600}# the office's port\nspeed\u{0600}= fast\n".utf8).write(to: file)
        let result = try GridsyncBinary.run(
            executable: DaemonProcess.executable, ["check-config", "--config", file.path, "--data", folder.path],
            environment: [:])
        #expect(result.status != 0)
        // The comment is not part of the value, and the second line is a setting named `speed\u{0600}`.
        #expect(
            result.error.contains("gridsyncd.conf:1: listen = 127.0.0.1:7500\u{0600}: give host:port"),
            "\(result.error)")
        #expect(result.error.contains("gridsyncd.conf:2: unknown setting 'speed\u{0600}'"), "\(result.error)")
    }

    @Test func aConfigurationSavedByNotepadReadsTheSame() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "gridsyncd-conf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // A byte-order mark, and CRLF line ends (found by the configuration file's fuzzer).
        let file = folder.appendingPathComponent("gridsyncd.conf")
        try Data("\u{FEFF}listen = 127.0.0.1:7500\r\nidle-timeout = 90   # slow links\r\n\r\n".utf8).write(to: file)
        let result = try GridsyncBinary.run(
            executable: DaemonProcess.executable,
            ["check-config", "--config", file.path, "--data", folder.path, "--json"],
            environment: [:])
        #expect(result.status == 0, "\(result.output) \(result.error)")
        let document = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
        let settings = (document?["settings"] as? [[String: String]]) ?? []
        #expect(settings.first { $0["key"] == "listen" }?["value"] == "127.0.0.1:7500")
        #expect(settings.first { $0["key"] == "idle-timeout" }?["value"] == "90")
    }

    @Test func tokensAreShownOnceAndStoredOnlyHashed() throws {
        let daemon = try DaemonProcess(plain: true)
        defer { daemon.cleanUp() }
        let token = try daemon.addWorker("w001", scopes: ["c01/g01"])
        #expect(token.hasPrefix("gst_") && token.count == 47)
        let accounts = try Data(contentsOf: daemon.data.appendingPathComponent("accounts.sqlite"))
        let wal = (try? Data(contentsOf: daemon.data.appendingPathComponent("accounts.sqlite-wal"))) ?? Data()
        #expect(accounts.range(of: Data(token.utf8)) == nil && wal.range(of: Data(token.utf8)) == nil)

        let list = try daemon.command("worker", "list")
        #expect(list.output.contains("w001") && list.output.contains(String(token.prefix(8))))
        #expect(!list.output.contains(token))

        let again = try daemon.command("worker", "add", "w001", "--grid", "c01/g01", "--json")
        #expect(again.status != 0)
        #expect(again.error.contains("\"code\":\"account-exists\""), "\(again.error)")
        let communityWorker = try daemon.command("worker", "add", "w002", "--scope", "c01")
        #expect(communityWorker.status != 0)
        #expect(communityWorker.error.contains("--role office"))

        // A replica has synced with it: the account now has a device.
        let peer = try RawPeer(port: daemon.port)
        peer.send(RawPeer.hello(Self.replica, token: token) + "BYE\n")
        #expect(peer.readLines(2).last == "BYE")
        #expect(try daemon.command("worker", "revoke", "w001").status == 0)
        let twice = try daemon.command("worker", "revoke", "w001")
        #expect(twice.status != 0 && twice.error.contains("already revoked"))
        let renewed = try daemon.addWorker("w001", scopes: ["c01/g02"])
        #expect(renewed != token)
        let back = try RawPeer(port: daemon.port)
        back.send(RawPeer.hello(Self.replica, token: renewed))
        #expect(back.readLines(1).first?.contains(" c01/g02 c01/g02 ") == true, "\(back.receivedLines)")
    }

    /// An office adding several workers at once, before the daemon has ever started: the
    /// first command makes the daemon's own certificate, and the others wait for it.
    @Test func workersAddedAtOnceOnANewFolderShareOneCertificate() throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("gridsyncd-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: data) }
        let adds = try (1...8).map { index -> (Process, Pipe, Pipe) in
            let process = Process()
            process.executableURL = DaemonProcess.executable
            process.arguments = ["worker", "add", "w00\(index)", "--grid", "c01/g01", "--json", "--data", data.path]
            let output = Pipe()
            let error = Pipe()
            process.standardOutput = output
            process.standardError = error
            try process.run()
            return (process, output, error)
        }
        var fingerprints = Set<String>()
        for (process, output, error) in adds {
            let said = output.fileHandleForReading.readDataToEndOfFile()
            let complaint = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(complaint)")
            let document = try? JSONSerialization.jsonObject(with: said) as? [String: Any]
            if let fingerprint = document?["fingerprint"] as? String { fingerprints.insert(fingerprint) }
        }
        #expect(fingerprints.count == 1, "one certificate for all: \(fingerprints)")
        let daemon = try DaemonProcess(data: data)
        defer { daemon.stop() }
        #expect(daemon.fingerprint.map { fingerprints.contains($0) } == true, "the daemon serves that certificate")
        let list = try daemon.command("worker", "list", "--json")
        #expect((try JSONSerialization.jsonObject(with: Data(list.output.utf8)) as? [Any])?.count == 8)
    }
}
