import Foundation
import GridNet

/// The real `gridsyncd`, started on a throwaway data folder with a loopback port, for
/// the benchmarks that need the daemon as operators run it (its own process, its memory).
final class DaemonProcess {
    let process = Process()
    let data: URL
    private(set) var port = 0
    /// The fingerprint of the daemon's TLS certificate, as its banner prints it (`sha256:…`);
    /// `nil` if it serves plain TCP.
    private(set) var fingerprint: String?
    /// The port of its Prometheus endpoint, if started with `metrics`.
    private(set) var metricsPort: Int?
    /// The PostgreSQL database it serves from, if not its data folder.
    let store: String?

    /// Starts `executable` and waits until it listens. Its log is discarded, unless
    /// `BENCH_DAEMON_LOG` names a file to append it to (at level info: a line per sync).
    /// `environment` is added to this process's own (`GRIDSYNCD_<KEY>` settings; the limit of
    /// connections from one address is raised to the daemon's, 512, unless it says otherwise); with
    /// `metrics`, it serves its Prometheus endpoint on a loopback port too.
    /// With `cpus` (a `taskset` list, "0"), it runs on those CPUs only. With `store` (a
    /// `postgres://` URL), it serves the op log and accounts several daemons share there; with
    /// `data`, from that folder.
    init(
        executable: URL, environment: [String: String] = [:], metrics: Bool = false, cpus: String? = nil,
        store: String? = nil, data given: URL? = nil
    ) throws {
        self.store = store
        data =
            given
            ?? FileManager.default.temporaryDirectory.appendingPathComponent(
                "gridsync-bench-daemon-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        let banner = data.appendingPathComponent("banner.txt")
        _ = FileManager.default.createFile(atPath: banner.path, contents: nil)
        let log = ProcessInfo.processInfo.environment["BENCH_DAEMON_LOG"]
        let arguments =
            [
                "serve", "--data", data.path, "--listen", "127.0.0.1:0", "--metrics", metrics ? "127.0.0.1:0" : "off",
                "--log-level", log == nil ? "warning" : "info",
            ] + (store.map { ["--store", $0] } ?? [])
            // The console only where the benchmark asks for it: daemons at once cannot share its port.
            + (environment["GRIDSYNCD_CONSOLE"] == nil ? ["--console", "off"] : [])
        (process.executableURL, process.arguments) = pinned(executable, arguments, to: cpus)
        // Every laptop of a benchmark connects from 127.0.0.1, where a street's laptops have addresses
        // of their own: one address may hold as many connections as the whole daemon.
        let defaults = ["GRIDSYNCD_MAX_CONNECTIONS_PER_ADDRESS": "512"]
        process.environment = ProcessInfo.processInfo.environment.merging(defaults.merging(environment) { $1 }) { $1 }
        process.standardOutput = try FileHandle(forWritingTo: banner)
        process.standardError = log.flatMap { FileHandle(forWritingAtPath: $0) } ?? FileHandle.nullDevice
        try process.run()
        // A folder given may hold a log whose records the daemon catches up before it listens.
        for _ in 0..<(given == nil ? 1_500 : 15_000) {
            let text = (try? String(contentsOf: banner, encoding: .utf8)) ?? ""
            // The banner is written at once: when its sync line is there, so is the metrics line.
            if let line = text.split(separator: "\n").first(where: { $0.drop(while: { $0 == " " }).hasPrefix("sync:") }
            ),
                let match = line.firstMatch(of: /127\.0\.0\.1:(\d+)/)
            {
                port = Int(match.1)!
                fingerprint = line.firstMatch(of: /sha256:[0-9a-f]{64}/).map { String($0.0) }
                metricsPort = text.firstMatch(of: /metrics: +http:\/\/127\.0\.0\.1:(\d+)/).flatMap { Int($0.1) }
                return
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        process.terminate()
        throw BenchFailure("gridsyncd at \(executable.path) did not start")
    }

    /// How a laptop connects to it: TLS pinned to its certificate's fingerprint, as `gridsync`
    /// does, or plain TCP if it serves that.
    func clientTLS() throws -> ClientTLS? {
        try Self.clientTLS(pinning: fingerprint)
    }

    /// TLS pinned to `fingerprint` (`sha256:…`, as a daemon's banner prints it), or `nil` for plain TCP.
    static func clientTLS(pinning fingerprint: String?) throws -> ClientTLS? {
        guard let fingerprint else { return nil }
        guard let pinned = CertificateFingerprint(fingerprint) else {
            throw BenchFailure("gridsyncd printed a fingerprint that does not read: \(fingerprint)")
        }
        return try ClientTLS(trust: .fingerprint(pinned))
    }

    /// Adds an account and returns its token.
    func addWorker(_ worker: String, scopes: [String], executable: URL) throws -> String {
        try Self.addWorker(worker, scopes: scopes, executable: executable, data: data, store: store)
    }

    /// Adds an account to the daemon whose data folder is `data` (`gridsyncd worker add`), and
    /// returns its token; callable from any thread.
    static func addWorker(
        _ worker: String, scopes: [String], executable: URL, data: URL, store: String? = nil
    ) throws -> String {
        let add = Process()
        add.executableURL = executable
        let office = scopes.contains { !$0.contains("/") }
        add.arguments =
            ["worker", "add", worker, "--role", office ? "office" : "worker", "--json", "--data", data.path]
            + scopes.flatMap { ["--scope", $0] } + (store.map { ["--store", $0] } ?? [])
        let output = Pipe()
        add.standardOutput = output
        try add.run()
        let bytes = output.fileHandleForReading.readDataToEndOfFile()
        add.waitUntilExit()
        guard let document = try JSONSerialization.jsonObject(with: bytes) as? [String: Any],
            let token = document["token"] as? String
        else { throw BenchFailure("worker add \(worker) failed") }
        return token
    }

    /// Adds a grid worker's account as the office does (`worker add <worker> --grid <grid>
    /// --json`), and returns its token and the fingerprint that the command printed.
    func addGridWorker(_ worker: String, grid: String) throws -> (token: String, fingerprint: String?) {
        let add = Process()
        add.executableURL = process.executableURL
        add.arguments = ["worker", "add", worker, "--grid", grid, "--data", data.path, "--json"]
        let output = Pipe()
        add.standardOutput = output
        add.standardError = FileHandle.nullDevice
        try add.run()
        let bytes = output.fileHandleForReading.readDataToEndOfFile()
        add.waitUntilExit()
        guard let document = try? JSONSerialization.jsonObject(with: bytes) as? [String: Any],
            let token = document["token"] as? String
        else { throw BenchFailure("worker add \(worker) --grid \(grid) failed") }
        return (token, document["fingerprint"] as? String)
    }

    /// The daemon's peak resident memory so far, in bytes (VmHWM).
    var peakMemory: Int { memory("VmHWM") }

    /// The daemon's resident memory now, in bytes (VmRSS).
    var residentMemory: Int { memory("VmRSS") }

    /// A line of `/proc/<pid>/status` counted in kB, in bytes; 0 once the daemon is gone.
    func memory(_ field: String) -> Int {
        Self.memory(field, of: process.processIdentifier)
    }

    /// A line of the process `pid`'s `/proc/<pid>/status` counted in kB, in bytes; 0 once it is gone.
    static func memory(_ field: String, of pid: Int32) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }),
            let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "")
        else { return 0 }
        return kilobytes * 1024
    }

    /// Stops the daemon and removes its folder.
    func stop() {
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: data)
    }
}

/// A benchmark that could not run.
struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// `executable` with `arguments`, run on the CPUs `cpus` only (through `taskset`, which becomes the
/// program: same process) if given.
func pinned(_ executable: URL, _ arguments: [String], to cpus: String?) -> (URL, [String]) {
    guard let cpus else { return (executable, arguments) }
    return (URL(fileURLWithPath: "/usr/bin/taskset"), ["-c", cpus, executable.path] + arguments)
}
