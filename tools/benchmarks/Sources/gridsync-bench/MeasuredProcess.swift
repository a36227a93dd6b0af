import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One run of a program, timed from start to exit, with its peak resident memory as the kernel counted it
/// (`wait4`'s `ru_maxrss`, exact however short the run).
struct MeasuredProcess {
    let seconds: Double
    /// Peak resident set, in bytes.
    let peakBytes: Int
    /// The bytes it wrote on standard output.
    let outputBytes: Int

    /// Where a run's standard output goes.
    enum Output {
        /// To a temporary file, counted.
        case counted
        /// To this process's standard output.
        case inherit
    }

    /// Runs `executable` with `arguments` and `environment` added to this process's, its output to a temporary
    /// file (or this process's); throws if it does not exit with 0.
    static func run(
        _ executable: URL, _ arguments: [String], environment: [String: String] = [:], output destination: Output = .counted
    ) throws -> Self {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("gridsync-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if destination == .counted {
            posix_spawn_file_actions_addopen(&actions, 1, output.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        }
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        let argv = ([executable.path] + arguments).map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0)=\($1)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let start = ContinuousClock.now
        let spawned = posix_spawn(&pid, executable.path, &actions, nil, argv, envp)
        guard spawned == 0 else { throw BenchFailure("could not start \(executable.path): error \(spawned)") }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else { throw BenchFailure("wait4 failed: \(errno)") }
        }
        let elapsed = ContinuousClock.now - start
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            throw BenchFailure("\(executable.lastPathComponent) \(arguments.joined(separator: " ")) ended with \(status)")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: output.path)[.size] as? Int) ?? 0
        return MeasuredProcess(
            seconds: elapsed.seconds,
            peakBytes: usage.ru_maxrss * 1024, outputBytes: size)
    }
}

extension ProcessInfo {
    /// This process's peak resident set so far (`VmHWM`), in bytes.
    var peakResidentBytes: Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
    }
}
