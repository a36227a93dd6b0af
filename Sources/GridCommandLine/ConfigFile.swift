import Foundation

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
            throw ConfigFileError("cannot read the configuration file \(path): \(error.localizedDescription)")
        }
        return try parse(text, path: path)
    }

    /// Parses the text of a configuration file named `path` (for messages).
    public static func parse(_ text: String, path: String) throws(ConfigFileError) -> [Entry] {
        var settings: [Entry] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
                .trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty else { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw ConfigFileError("\(path):\(index + 1): '\(line)' is not `key = value`")
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            settings.append(Entry(key: key, value: value, line: index + 1))
        }
        return settings
    }
}

/// A configuration file that cannot be read, with the line and what to write instead.
public struct ConfigFileError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What was wrong, where, and what to do.
    public var message: String

    /// Creates the error.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
