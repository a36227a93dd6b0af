#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Standard output or standard error, written to without ever stopping the program.
///
/// Foundation's `FileHandle.write(_:)` traps when the write fails, so a daemon whose log goes to a file on a full
/// disk, or to a journal that went away, would die on its next log line. These streams write whole texts straight
/// through `write(2)`, retry after a signal, and drop what cannot be written: a lost log line or progress bar is
/// better than a lost daemon or an interrupted sync.
public struct StandardStream: Sendable {
    /// Where messages for people go: logs, progress, prompts, refusals.
    public static var error: StandardStream { StandardStream(descriptor: 2) }
    /// Where results go.
    public static var output: StandardStream { StandardStream(descriptor: 1) }

    private let descriptor: Int32

    /// Writes the text's UTF-8 bytes, unbuffered; returns whether all of them were written.
    @discardableResult
    public func write(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { write($0) }
    }

    /// Writes the bytes, unbuffered; returns whether all of them were written.
    @discardableResult
    public func write(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var done = 0
        while done < bytes.count {
            let written = writeOnce(bytes, from: done)
            if written > 0 {
                done += written
            } else if written < 0 && errno == EINTR {
                continue
            } else {
                return false
            }
        }
        return true
    }

    /// One `write(2)` of the bytes from `start` on: how many it wrote, or -1 with `errno` set.
    private func writeOnce(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        #if canImport(Glibc)
        Glibc.write(descriptor, bytes.baseAddress! + start, bytes.count - start)
        #else
        Darwin.write(descriptor, bytes.baseAddress! + start, bytes.count - start)
        #endif
    }
}
