#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Stops the run with a message when a property of the code under test does not hold.
///
/// libFuzzer takes the trap as a crash: it prints the message and the stack, and writes the
/// input that caused it (see `tools/fuzz/run`, which keeps it under `tools/fuzz/findings/`).
/// `fatalError` rather than `precondition`, so the message is printed in release builds too.
@inline(__always)
public func invariant(
    _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID,
    line: UInt = #line
) {
    if !condition() { fatalError("invariant violated: \(message())", file: file, line: line) }
}

/// Whether `GRIDSYNC_FUZZ_TRACE` is set: then each target says what it made of an input,
/// which is how a seed or a finding is looked at (`GRIDSYNC_FUZZ_TRACE=1 fuzz-op-line file`).
public let isTracing = getenv("GRIDSYNC_FUZZ_TRACE") != nil

/// Writes a line to standard error when tracing.
@inline(__always)
public func trace(_ message: @autoclosure () -> String) {
    guard isTracing else { return }
    let line = message() + "\n"
    _ = line.withCString { write(2, $0, strlen($0)) }
}
