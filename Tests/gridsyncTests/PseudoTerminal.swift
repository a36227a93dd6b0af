import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A program run in a pseudo-terminal, as a person at a terminal runs it: its standard input,
/// output and error are the terminal, so it may ask questions; the test reads what it shows
/// and types answers.
final class PseudoTerminal {
    private let master: Int32
    /// The program's side, held open here too until it ends: the terminal stays up while it starts.
    private let terminal: FileHandle
    private let process = Process()
    /// The bytes the program has shown so far (answers typed are echoed into them).
    private var bytes: [UInt8] = []
    /// Everything the program has shown so far.
    var shown: String { String(decoding: bytes, as: UTF8.self) }

    /// Starts `executable` with `arguments` and `environment` added to this process's own.
    init(_ executable: URL, _ arguments: [String], environment: [String: String]) throws {
        var master: Int32 = -1
        var slave: Int32 = -1
        guard openpty(&master, &slave, nil, nil, nil) == 0 else { throw PseudoTerminalFailure("openpty failed") }
        self.master = master
        terminal = FileHandle(fileDescriptor: slave, closeOnDealloc: true)
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, given in given }
        (process.standardInput, process.standardOutput, process.standardError) = (terminal, terminal, terminal)
        try process.run()
    }

    deinit {
        if process.isRunning { process.terminate() }
        close(master)
    }

    /// Waits until the program has shown `text` (since the start), for at most `seconds`.
    func waitFor(_ text: String, seconds: Double = 20) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while !shown.contains(text) {
            let running = process.isRunning
            guard readSome(waiting: 0.2) || running, Date() < deadline else {
                throw PseudoTerminalFailure("'\(text)' never appeared; the terminal shows:\n\(shown)")
            }
        }
    }

    /// Types `line` and Enter.
    func type(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
    }

    /// Types end of input (Ctrl-D at the start of a line).
    func typeEndOfInput() {
        var end: UInt8 = 4
        _ = write(master, &end, 1)
    }

    /// Waits for the program to end and returns its exit status, reading what it shows last.
    func finish(seconds: Double = 20) throws -> Int32 {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning, Date() < deadline { _ = readSome(waiting: 0.05) }
        guard !process.isRunning else { throw PseudoTerminalFailure("the program did not end:\n\(shown)") }
        while readSome(waiting: 0) {}
        return process.terminationStatus
    }

    /// Reads what the program shows within `seconds`; whether it showed anything.
    private func readSome(waiting seconds: Double) -> Bool {
        var poller = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, Int32(seconds * 1000)) > 0 else { return false }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = read(master, &buffer, buffer.count)
        guard count > 0 else { return false }
        bytes += buffer[..<count]
        return true
    }
}

struct PseudoTerminalFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
