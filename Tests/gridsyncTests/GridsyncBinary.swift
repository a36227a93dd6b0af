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

    /// A binary bound to a new, empty data folder under the temporary directory.
    init() {
        data = FileManager.default.temporaryDirectory.appendingPathComponent("gridsync-cli-\(UUID().uuidString)")
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
        process.environment = environment
        return process
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
