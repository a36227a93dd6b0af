import Foundation

/// The daemon's configuration file: `key = value` lines; `#` starts a comment; blank lines
/// are ignored. Values are taken as written, without quotes.
enum ConfigFile {
    /// The file's settings, with their line numbers.
    static func read(_ path: String) throws -> [(key: String, value: String, line: Int)] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw DaemonError(
                .badConfiguration, "cannot read the configuration file \(path): \(error.localizedDescription)")
        }
        return try parse(text, path: path)
    }

    /// Parses the text of a configuration file.
    static func parse(_ text: String, path: String) throws -> [(key: String, value: String, line: Int)] {
        var settings: [(key: String, value: String, line: Int)] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
                .trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty else { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw DaemonError(
                    .badConfiguration, "\(path):\(index + 1): '\(line)' is not `key = value`")
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            settings.append((key, value, index + 1))
        }
        return settings
    }
}
