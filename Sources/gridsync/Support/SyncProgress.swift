import Foundation
import GridCommandLine
import GridProtocol

/// The progress of a sync on standard error: a bar redrawn in place on a terminal, plain
/// lines (one per batch) otherwise, nothing with `--json`.
final class SyncProgress: @unchecked Sendable {
    private let toBeSent: Int
    private let quiet: Bool
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private var drawn = false
    private var last = ClientSession.Summary()

    /// Creates the progress of a sync expected to send `toBeSent` edits (ops).
    init(toBeSent: Int, quiet: Bool) {
        self.toBeSent = toBeSent
        self.quiet = quiet
    }

    /// Shows what has moved so far.
    func update(_ summary: ClientSession.Summary) {
        guard !quiet, summary != last else { return }
        last = summary
        if isTerminal {
            let total = max(toBeSent, summary.pushed)
            let filled = total == 0 ? 20 : 20 * summary.pushed / total
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: 20 - filled)
            write("\r\u{1B}[2Ksending [\(bar)] \(summary.pushed)/\(total)   receiving \(summary.pulled)")
            drawn = true
        } else {
            write("sent \(summary.pushed) edits, received \(summary.pulled)\n")
        }
    }

    /// Ends the bar's line.
    func finish() {
        if drawn { write("\n") }
        drawn = false
    }

    private func write(_ text: String) {
        StandardStream.error.write(text)
    }
}
