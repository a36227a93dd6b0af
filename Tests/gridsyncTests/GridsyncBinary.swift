import Foundation
import Testing

/// Runs the real `gridsync` binary, built beside the test bundle, against a throwaway data folder.
struct GridsyncBinary {
    /// What one run printed and how it ended.
    struct Result {
        let status: Int32
        let output: String
        let error: String
    }

    /// The data folder every run uses (through `GRIDSYNC_DATA`).
    let data: URL

    /// Settings of every run's environment besides the data folder (`TZ`, say).
    var environment: [String: String] = [:]

    /// How far the laptop's clock is off, in libfaketime's words (`"+4m"`, `"-1h"`, `"+365d"`): every run sees
    /// its wall clock moved by it. `nil` runs on the machine's clock.
    var clockOffset: String?

    /// A binary bound to a new, empty data folder under the temporary directory.
    init() {
        data = FileManager.default.temporaryDirectory.appendingPathComponent("gridsync-cli-\(UUID().uuidString)")
    }

    /// A binary bound to `data` (by default a new, empty folder), whose runs see a wall clock off by `clockOffset`.
    init(data: URL? = nil, clockOffset: String?) {
        self.data =
            data ?? FileManager.default.temporaryDirectory.appendingPathComponent("gridsync-cli-\(UUID().uuidString)")
        self.clockOffset = clockOffset
    }

    /// The built `gridsync` executable: in the same folder as the running test bundle.
    static var executable: URL {
        let bundle = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return bundle.deletingLastPathComponent().appendingPathComponent("gridsync")
    }

    /// Runs `gridsync` with arguments and waits for it.
    @discardableResult
    func run(_ arguments: String...) throws -> Result {
        try run(arguments)
    }

    /// Runs `gridsync` with arguments and waits for it.
    func run(_ arguments: [String]) throws -> Result {
        try Self.run(start(arguments))
    }

    /// Runs `gridsync` with arguments and `input` on its standard input, and waits for it.
    func run(_ arguments: [String], input: String) throws -> Result {
        let process = try start(arguments)
        let pipe = Pipe()
        process.standardInput = pipe
        pipe.fileHandleForWriting.write(Data(input.utf8))
        try pipe.fileHandleForWriting.close()
        return try Self.run(process)
    }

    /// Runs any executable with arguments and extra environment, and waits for it.
    static func run(executable: URL, _ arguments: [String], environment: [String: String]) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        return try run(process)
    }

    /// Runs a configured process and waits for it.
    private static func run(_ process: Process) throws -> Result {
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, output: String(decoding: out, as: UTF8.self),
            error: String(decoding: err, as: UTF8.self))
    }

    /// A configured, not yet started process running `gridsync` on this data folder.
    func start(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["GRIDSYNC_DATA"] = data.path
        for (key, value) in self.environment { environment[key] = value }
        if let clockOffset {
            try Self.fakeClock(clockOffset, process, environment: &environment)
        }
        process.environment = environment
        return process
    }

    /// Makes `process` run under libfaketime with its wall clock moved by `offset` (`"+4m"`, `"-2m"`, `"-1h"`,
    /// `"+365d"`).
    ///
    /// Through the `faketime` command rather than `LD_PRELOAD` alone: loaded bare, libfaketime sets an
    /// environment variable as the program starts, which moves `environ` off the stack, where the Swift runtime
    /// looks for `argv` on Linux, and the program then runs with no arguments. Only the wall clock moves: the
    /// monotonic clock stays real, so that NIO's timers and deadlines keep working; and nothing is cached, so
    /// that every reading is moved.
    static func fakeClock(_ offset: String, _ process: Process, environment: inout [String: String]) throws {
        guard let command = fakeTimeCommand else {
            throw DaemonFailure("faketime is not installed: run tools/test, or `sudo apt-get install faketime`")
        }
        process.arguments = ["-f", offset, process.executableURL?.path ?? ""] + (process.arguments ?? [])
        process.executableURL = command
        environment["FAKETIME_DONT_FAKE_MONOTONIC"] = "1"
        environment["FAKETIME_NO_CACHE"] = "1"
    }

    /// Debian's `faketime` command (package `faketime`), which runs a program with libfaketime preloaded.
    static var fakeTimeCommand: URL? {
        ["/usr/bin/faketime", "/usr/local/bin/faketime"].map(URL.init(fileURLWithPath:)).first {
            FileManager.default.isExecutableFile(atPath: $0.path)
        }
    }

    /// Runs a command that must succeed, and returns what it printed.
    @discardableResult
    func succeed(_ arguments: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let result = try run(arguments)
        #expect(
            result.status == 0, "gridsync \(arguments.joined(separator: " ")) failed: \(result.error)",
            sourceLocation: sourceLocation)
        return result.output
    }

    /// Parses JSON output.
    func json(_ arguments: String...) throws -> Any {
        let result = try run(arguments)
        #expect(result.status == 0, "gridsync \(arguments.joined(separator: " ")) failed: \(result.error)")
        return try JSONSerialization.jsonObject(with: Data(result.output.utf8))
    }

    /// Removes the data folder.
    func cleanUp() {
        try? FileManager.default.removeItem(at: data)
    }
}
