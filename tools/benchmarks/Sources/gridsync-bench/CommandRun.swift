import Foundation

/// A GridSync command run to its end, as a benchmark's set-up or one of its timed steps runs
/// it: its output dropped, what it says on standard error kept for the failure.
enum CommandRun {
    /// Runs `executable` with `arguments` and returns the seconds it took.
    ///
    /// - Throws: a ``BenchFailure`` with what it said, if it fails.
    @discardableResult
    static func timed(_ executable: URL, _ arguments: [String]) throws -> Double {
        let start = ContinuousClock.now
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        let error = Pipe()
        process.standardError = error
        try process.run()
        let said = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchFailure(
                "\(executable.lastPathComponent) \(arguments.prefix(2).joined(separator: " ")) failed: "
                    + String(decoding: said, as: UTF8.self))
        }
        return (ContinuousClock.now - start).seconds
    }
}
