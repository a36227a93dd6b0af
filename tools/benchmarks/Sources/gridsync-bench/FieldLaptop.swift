import Foundation

/// A grid worker's laptop as the worker runs it: the real `gridsync` binary on a data folder
/// of its own, with demands recorded before it syncs.
struct FieldLaptop: Sendable {
    /// How one sync went, over its tries.
    struct SyncResult: Encodable, Sendable {
        /// Whether a try completed.
        var completed = false
        /// Tries made (the first and the retries).
        var tries = 0
        /// Seconds from the first try's start to the last try's end, pauses included.
        var seconds = 0.0
        /// Seconds the last try took.
        var lastTrySeconds = 0.0
        /// Ops sent by the try that completed.
        var pushed: Int?
        /// Each failed try's error code (`unavailable`, `unreachable`, …).
        var failures: [String] = []
        /// Each failed try's message, its first line: which refusal it was ("the server is full", …).
        var failureMessages: [String] = []
        /// Seconds after the held messages started that the first try began.
        var startedAt = 0.0
    }

    let executable: URL
    let folder: URL

    /// Makes the replica of `worker` in `grid` (`gridsync init`) and records `demands`
    /// demands (`gridsync demand add`), in a new folder.
    init(executable: URL, worker: String, grid: String, demands: Int) throws {
        self.executable = executable
        folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "gridsync-bench-laptop-\(UUID().uuidString)")
        try CommandRun.timed(executable, ["init", "--worker", worker, "--grid", grid, "--data", folder.path])
        for index in 1...demands {
            try CommandRun.timed(
                executable,
                [
                    "demand", "add", "--title", "楼道堆物清理 \(index)", "--category", "消防安全", "--data",
                    folder.path,
                ])
        }
    }

    /// Syncs with `gridsync sync --json` on loopback `port`, pinning `fingerprint`; a try that
    /// fails with `unavailable` is made again after `pause`, up to `retries` times.
    func sync(port: Int, fingerprint: String, token: String, retries: Int, pause: Duration) async -> SyncResult {
        let tokenFile = folder.appendingPathComponent("token.txt")
        try? Data((token + "\n").utf8).write(to: tokenFile)
        var result = SyncResult()
        let start = ContinuousClock.now
        while true {
            result.tries += 1
            let tryStart = ContinuousClock.now
            let ran = await Self.runAsync(
                executable,
                [
                    "sync", "--server", "127.0.0.1:\(port)", "--fingerprint", fingerprint, "--token-file",
                    tokenFile.path, "--data", folder.path, "--json",
                ])
            result.lastTrySeconds = tryStart.duration(to: .now).seconds
            result.seconds = start.duration(to: .now).seconds
            if ran.status == 0 {
                result.completed = true
                let summary = try? JSONSerialization.jsonObject(with: Data(ran.output.utf8)) as? [String: Any]
                result.pushed = summary?["pushed"] as? Int
                return result
            }
            // With --json, a refusal is one JSON line on standard error: {"error":{"code":…,"message":…}}.
            let refusal = ran.error.split(separator: "\n").last.flatMap {
                (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["error"] as? [String: Any]
            }
            let code = refusal?["code"] as? String ?? "exit \(ran.status)"
            result.failures.append(code)
            let message = refusal?["message"] as? String ?? String(ran.error.suffix(300))
            result.failureMessages.append(String(message.prefix { $0 != "\n" }.prefix(300)))
            guard code == "unavailable", result.tries <= retries else { return result }
            try? await Task.sleep(for: pause)
        }
    }

    /// Removes the laptop's folder.
    func remove() {
        try? FileManager.default.removeItem(at: folder)
    }

    /// Runs a command without holding a thread while it runs; its output goes through files.
    private static func runAsync(_ executable: URL, _ arguments: [String]) async -> (
        status: Int32, output: String, error: String
    ) {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("gridsync-bench-\(UUID().uuidString)")
        let outputFile = base.appendingPathExtension("out")
        let errorFile = base.appendingPathExtension("err")
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outputFile)
            try? FileManager.default.removeItem(at: errorFile)
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try? FileHandle(forWritingTo: outputFile)
        process.standardError = try? FileHandle(forWritingTo: errorFile)
        let status: Int32 = await withCheckedContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(returning: -1)
            }
        }
        let output = (try? String(contentsOf: outputFile, encoding: .utf8)) ?? ""
        let error = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
        return (status, output, error)
    }
}
