import Foundation
import GridModel

/// A configuration file of `key = value` lines; `#` starts a comment; blank lines are
/// ignored. Values are taken as written, without quotes.
public enum ConfigFile {
    /// One `key = value` line.
    public struct Entry: Hashable, Sendable {
        /// The key, trimmed.
        public var key: String
        /// The value, trimmed, as written.
        public var value: String
        /// The line's number, from 1.
        public var line: Int
    }

    /// The file's settings, in the order written.
    ///
    /// - Throws: ``ConfigFileError`` if the file cannot be read or a line is not `key = value`.
    public static func read(_ path: String) throws(ConfigFileError) -> [Entry] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigFileError(
                .unreadable, "cannot read the configuration file \(path): \(error.localizedDescription)",
                cause: error)
        }
        return try parse(text, path: path)
    }

    /// Parses the text of a configuration file named `path` (for messages).
    public static func parse(_ text: String, path: String) throws(ConfigFileError) -> [Entry] {
        var settings: [Entry] = []
        // A file saved by Notepad starts with a byte-order mark and ends its lines with CRLF,
        // which Swift reads as one character: every kind of line end ends a line.
        let body = text.hasPrefix("\u{FEFF}") ? Substring(text.dropFirst()) : Substring(text)
        for (index, rawLine) in body.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            // `#` and `=` are looked for as scalars: as Characters, one written after a mark that
            // joins the next character (U+0600, found by the fuzzer) is not found at all.
            let comment = rawLine.unicodeScalars.firstIndex(of: "#") ?? rawLine.endIndex
            let line = rawLine[..<comment].trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty else { continue }
            guard let equals = line.unicodeScalars.firstIndex(of: "=") else {
                throw ConfigFileError(.malformedLine, "\(path):\(index + 1): '\(line)' is not `key = value`")
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            let value = line[line.unicodeScalars.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            settings.append(Entry(key: key, value: value, line: index + 1))
        }
        return settings
    }
}

/// A configuration file that cannot be read, with the line and what to write instead.
public struct ConfigFileError: CodedError {
    /// What went wrong: see the codes in the extension below.
    public typealias Code = ErrorCode<ConfigFileError>

    /// What went wrong.
    public var code: Code
    /// What was wrong, where, and what to do.
    public var message: String
    /// The file system's error, for a file that cannot be read.
    public var cause: ErrorCause?

    /// Creates the error.
    public init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause.map(ErrorCause.init)
    }
}

extension ErrorCode<ConfigFileError> {
    /// The file cannot be read.
    public static var unreadable: Self { "unreadable" }
    /// A line is not `key = value`.
    public static var malformedLine: Self { "malformed-line" }
}
