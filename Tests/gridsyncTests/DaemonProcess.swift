import Foundation
import Testing

/// The real `gridsyncd`, started on a throwaway data folder with loopback addresses on
/// free ports, its log kept in a file for the tests to read.
final class DaemonProcess {
    /// The data folder.
    let data: URL
    /// The port field clients connect to.
    private(set) var port = 0
    /// The metrics endpoint's port.
    private(set) var metricsPort = 0
    /// The fingerprint of the daemon's certificate, as its banner prints it; `nil` for plain TCP.
    private(set) var fingerprint: String?
    private let process = Process()
    private let logFile: URL
    private let outputFile: URL

    /// The built `gridsyncd` executable, beside `gridsync`.
    static var executable: URL {
        GridsyncBinary.executable.deletingLastPathComponent().appendingPathComponent("gridsyncd")
    }

    /// Starts the daemon and waits until it listens. `environment` adds settings
    /// (`GRIDSYNCD_IDLE_TIMEOUT`, …).
    ///
    /// Run as root, `asUser` starts it as that user instead (through runuser), as a
    /// service account would run it. `port` is the sync port to listen on (a free one if 0).
    /// `plain` serves plain TCP (`--plain`), for the tests that speak the protocol's lines themselves.
    /// `logToFullDisk` sends its log to `/dev/full`, where every write fails as on a full disk.
    /// `store` is a `postgres://` URL: the op log and accounts are there, shared with other daemons.
    init(
        environment: [String: String] = [:], data: URL? = nil, port: Int = 0, asUser user: String? = nil,
        plain: Bool = false, logToFullDisk: Bool = false, store: String? = nil
    ) throws {
        self.store = store
        self.environment = environment
        let data =
            data ?? FileManager.default.temporaryDirectory.appendingPathComponent("gridsyncd-\(UUID().uuidString)")
        self.data = data
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        logFile = data.appendingPathComponent("test-daemon.log")
        outputFile = data.appendingPathComponent("test-daemon.out")
        FileManager.default.createFile(atPath: logFile.path, contents: nil)
        FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        let serve =
            ["serve", "--data", data.path, "--listen", "127.0.0.1:\(port)", "--metrics", "127.0.0.1:0"]
            + (plain ? ["--plain"] : []) + storeArguments
            // The console only where a test asks for it: daemons at once cannot share its port.
            + (environment["GRIDSYNCD_CONSOLE"] == nil ? ["--console", "off"] : [])
        if let user {
            try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: data.path)
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
            process.arguments = ["-u", user, "--", Self.executable.path] + serve
        } else {
            process.executableURL = Self.executable
            process.arguments = serve
        }
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        process.standardOutput = try FileHandle(forWritingTo: outputFile)
        process.standardError = try FileHandle(
            forWritingTo: logToFullDisk ? URL(fileURLWithPath: "/dev/full") : logFile)
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let banner = (try? String(contentsOf: outputFile, encoding: .utf8)) ?? ""
            if let sync = Self.port(after: "sync:", in: banner), let metrics = Self.port(after: "metrics:", in: banner)
            {
                self.port = sync
                metricsPort = metrics
                fingerprint = banner.firstMatch(of: /certificate (sha256:[0-9a-f]{64})/).map { String($0.1) }
                self.plain = plain
                return
            }
            guard process.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        process.terminate()
        throw DaemonFailure("gridsyncd did not start: \(log)")
    }

    private static func port(after label: String, in banner: String) -> Int? {
        guard let line = banner.split(separator: "\n").first(where: { $0.drop(while: { $0 == " " }).hasPrefix(label) }),
            let match = line.firstMatch(of: /127\.0\.0\.1:(\d+)/)
        else { return nil }
        return Int(match.1)
    }

    /// Whether it serves plain TCP.
    private(set) var plain = false

    /// The PostgreSQL database it serves from, if not its data folder.
    let store: String?
    /// The settings it was started with, beyond its own process's environment.
    let environment: [String: String]

    /// `--store <url>` for a daemon on PostgreSQL, for its commands too.
    private var storeArguments: [String] { store.map { ["--store", $0] } ?? [] }

    /// `127.0.0.1:<port>`.
    var address: String { "127.0.0.1:\(port)" }

    /// What a laptop's first sync is told to trust this daemon by: its fingerprint, or `--plain`.
    var trust: [String] {
        fingerprint.map { ["--fingerprint", $0] } ?? ["--plain"]
    }

    /// Everything the daemon has logged so far.
    var log: String {
        (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
    }

    /// What the daemon printed on standard output.
    var banner: String {
        (try? String(contentsOf: outputFile, encoding: .utf8)) ?? ""
    }

    /// Whether the daemon still runs.
    var isRunning: Bool { process.isRunning }

    /// The daemon's process id, for signals.
    var processIdentifier: Int32 { process.processIdentifier }

    /// Runs `gridsyncd` (not serve) on this data folder.
    func command(_ arguments: String...) throws -> GridsyncBinary.Result {
        try GridsyncBinary.run(
            executable: Self.executable, arguments + ["--data", data.path] + storeArguments, environment: [:])
    }

    /// Adds an account and returns its token.
    func addWorker(_ worker: String, scopes: [String], role: String = "worker") throws -> String {
        var arguments = ["worker", "add", worker, "--role", role, "--json", "--data", data.path] + storeArguments
        for scope in scopes { arguments += ["--scope", scope] }
        let result = try GridsyncBinary.run(executable: Self.executable, arguments, environment: [:])
        guard result.status == 0,
            let document = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any],
            let token = document["token"] as? String
        else { throw DaemonFailure("worker add \(worker) failed: \(result.error)") }
        return token
    }

    /// Starts the daemon again on this one's data folder and sync port, as `systemctl start` does after
    /// maintenance: the laptops' saved `--server` still reaches it. Stop this one first.
    func restarted() throws -> DaemonProcess {
        try DaemonProcess(environment: environment, data: data, port: port, plain: plain, store: store)
    }

    /// What its Prometheus endpoint says now.
    func metrics() throws -> String {
        let scrape = try RawPeer(port: metricsPort)
        scrape.send("GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n")
        scrape.readUntilClosed()
        return String(decoding: scrape.received.readableBytesView, as: UTF8.self)
    }

    /// The connections it is serving now, as its metrics count them.
    func openConnections() throws -> Int {
        let line = try metrics().split(separator: "\n").first { $0.hasPrefix("gridsync_connections_open ") }
        // A gauge is written as a decimal ("1.0").
        return line.flatMap { Double($0.split(separator: " ").last ?? "") }.map { Int($0) } ?? 0
    }

    /// Settings that make another daemon present this one's certificate, as the daemons of
    /// one database behind one address must (laptops pin one fingerprint).
    var sharedCertificate: [String: String] {
        [
            "GRIDSYNCD_TLS_CERTIFICATE": data.appendingPathComponent("tls/certificate.pem").path,
            "GRIDSYNCD_TLS_KEY": data.appendingPathComponent("tls/key.pem").path,
        ]
    }

    /// `count` daemons on the PostgreSQL database `store`, each with `environment`; the first
    /// makes the certificate they all present.
    static func onOneDatabase(_ count: Int, store: String, environment: [String: String] = [:]) throws
        -> [DaemonProcess]
    {
        let first = try DaemonProcess(environment: environment, store: store)
        let others = try (1..<count).map { _ in
            try DaemonProcess(environment: environment.merging(first.sharedCertificate) { $1 }, store: store)
        }
        return [first] + others
    }

    /// Takes an online backup of both databases into `folder` with `sqlite3 … ".backup …"`, as the operator's
    /// guide (section Backup) does while the daemon runs, and checks each with `PRAGMA integrity_check`.
    /// Returns the backups of `replica.sqlite` and `accounts.sqlite`.
    func backUp(into folder: URL) throws -> (replica: URL, accounts: URL) {
        guard let sqlite3 = Self.sqlite3 else {
            throw DaemonFailure("sqlite3 is not installed: run tools/test, or `sudo apt-get install sqlite3`")
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var backups: [URL] = []
        for name in ["replica", "accounts"] {
            let backup = folder.appendingPathComponent("\(name)-backup.sqlite")
            let source = data.appendingPathComponent("\(name).sqlite").path
            let taken = try GridsyncBinary.run(
                executable: sqlite3, [source, ".backup '\(backup.path)'"], environment: [:])
            let check = try GridsyncBinary.run(
                executable: sqlite3, [backup.path, "PRAGMA integrity_check"], environment: [:])
            guard taken.status == 0, check.output.trimmingCharacters(in: .whitespacesAndNewlines) == "ok" else {
                throw DaemonFailure("the backup of \(source) failed: \(taken.error)\(check.output)\(check.error)")
            }
            backups.append(backup)
        }
        return (backups[0], backups[1])
    }

    /// Debian's `sqlite3` command (package `sqlite3`), which the operator's guide backs up with.
    static var sqlite3: URL? {
        ["/usr/bin/sqlite3", "/usr/local/bin/sqlite3"].map(URL.init(fileURLWithPath:)).first {
            FileManager.default.isExecutableFile(atPath: $0.path)
        }
    }

    /// Sends SIGTERM without waiting.
    func terminate() {
        process.terminate()
    }

    /// Waits for the daemon to exit on its own; returns its exit status, or `nil` if it still runs.
    func waitForExit(timeout: TimeInterval) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// Sends SIGTERM and waits for the daemon to exit; returns its exit status.
    @discardableResult
    func stop(timeout: TimeInterval = 30) -> Int32 {
        if process.isRunning { process.terminate() }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Stops the daemon and removes its data folder.
    func cleanUp() {
        stop()
        try? FileManager.default.removeItem(at: data)
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

/// A daemon that would not start or answer.
struct DaemonFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
