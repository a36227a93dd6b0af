/// One entry of a log field: a note, a monthly progress report or a survey result.
///
/// An entry is a small set of named parts whose names and domains the log field's schema
/// gives (for example `month`, `text` and `percent` for a progress entry).
public struct LogEntry: Hashable, Sendable, Codable {
    /// The entry's parts by name. Parts that are absent are simply not there (never `null`).
    public var parts: [String: FieldValue]

    /// Creates an entry from its parts.
    public init(_ parts: [String: FieldValue]) {
        self.parts = parts
    }

    /// The value of one part, or `nil` if the entry has no such part.
    public subscript(part: String) -> FieldValue? { parts[part] }

    /// The parts sorted by name, which is the canonical order for display and encoding.
    public var sortedParts: [(name: String, value: FieldValue)] {
        parts.keys.sorted().map { ($0, parts[$0]!) }
    }

    public init(from decoder: any Decoder) throws {
        parts = try decoder.singleValueContainer().decode([String: FieldValue].self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(parts)
    }
}
