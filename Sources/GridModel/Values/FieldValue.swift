/// One value of a register field or of a part of a log entry.
///
/// Values are kept canonical, so equal meaning is equal bytes on every replica: text is
/// NFC-normalized and trimmed by the schema before it becomes a value, choices are stored
/// by key, dates as `YYYY-MM-DD`, references as their key or lowercase UUID.
public enum FieldValue: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Text: names, descriptions, keys of choices and references, dates.
    case text(String)
    /// A whole number: counts, yuan, percentages.
    case integer(Int64)
    /// Yes or no.
    case boolean(Bool)
    /// No value: an optional field that was cleared or never set.
    case null

    /// The text, if this is a text value.
    public var text: String? {
        if case .text(let text) = self { text } else { nil }
    }

    /// The number, if this is an integer value.
    public var integer: Int64? {
        if case .integer(let integer) = self { integer } else { nil }
    }

    /// The flag, if this is a boolean value.
    public var boolean: Bool? {
        if case .boolean(let boolean) = self { boolean } else { nil }
    }

    /// The value as a person reads it; `null` shows as an empty string.
    public var description: String {
        switch self {
        case .text(let text): text
        case .integer(let integer): String(integer)
        case .boolean(let boolean): boolean ? "true" : "false"
        case .null: ""
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let boolean = try? container.decode(Bool.self) {
            self = .boolean(boolean)
        } else if let integer = try? container.decode(Int64.self) {
            self = .integer(integer)
        } else {
            self = .text(try container.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .text(let text): try container.encode(text)
        case .integer(let integer): try container.encode(integer)
        case .boolean(let boolean): try container.encode(boolean)
        case .null: try container.encodeNil()
        }
    }
}
