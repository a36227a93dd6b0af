import Foundation
import GridCommandLine

/// Reads a worker's token from where it is safe: a file, standard input, or a question in
/// the terminal that does not show what is typed. Never from the command line, which every
/// user of the laptop can read in the process list.
enum TokenInput {
    /// The token in `file` (its first line), or on standard input for `-`.
    static func read(file: String) throws -> String {
        let text: String?
        if file == "-" {
            text = readLine(strippingNewline: true)
        } else {
            guard let contents = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw SyncError(.settings, "cannot read the token file \(file): give the file the office's token is in")
            }
            text = contents.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init)
        }
        guard let text, !text.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw SyncError(.settings, "no token in \(file == "-" ? "standard input" : file): give the office's token")
        }
        return text
    }

    /// Asks for the token in the terminal, without echoing it; `nil` when there is no
    /// terminal to ask in (a script).
    static func ask() throws -> String? {
        guard let line = HiddenInput.ask("Token from the office (not shown as you type or paste it): ") else {
            return nil
        }
        guard !line.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw SyncError(.settings, "no token was given: sync again and paste the token from the office")
        }
        return line
    }
}
