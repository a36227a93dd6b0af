import Foundation

/// The fields of an `application/x-www-form-urlencoded` body or query string: `+` is a
/// space, `%XX` a byte of UTF-8. A field given twice keeps its first value.
public struct FormBody: Sendable {
    private var fields: [String: String] = [:]

    /// Reads `text`; pairs that do not decode are left out.
    public init(_ text: String) {
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]), !name.isEmpty else { continue }
            let value = parts.count > 1 ? Self.decode(parts[1]) : ""
            if fields[name] == nil, let value { fields[name] = value }
        }
    }

    /// The fields given as pairs (a multipart form's text fields); a field given twice keeps
    /// its first value.
    public init(pairs: [(String, String)]) {
        for (name, value) in pairs where fields[name] == nil && !name.isEmpty { fields[name] = value }
    }

    /// The value of `name`, trimmed, or `nil` when missing or empty.
    public subscript(_ name: String) -> String? {
        guard let value = fields[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else {
            return nil
        }
        return value
    }

    private static func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }

    /// `text` escaped for a query string value.
    public static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}
