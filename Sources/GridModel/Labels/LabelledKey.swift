/// A closed list of values, each with a stable key and a Chinese and an English label.
///
/// Keys are what GridSync stores and sends; labels are what people type and read. A value
/// parses from its key, its Chinese label or its English label, so `处理中`, `in progress`
/// and `in-progress` all mean ``DemandStatus/inProgress``.
public protocol LabelledKey: CaseIterable, Hashable, Sendable, Codable, RawRepresentable where RawValue == String {
    /// The Chinese and English names of this value.
    var label: Label { get }
}

extension LabelledKey {
    /// The stable key, for example `in-progress`.
    public var key: String { rawValue }

    /// Parses a value from its key, its Chinese label or its English label.
    ///
    /// Surrounding spaces are ignored, and so are case and the difference between a space,
    /// `-` and `_` in keys and English labels.
    public init?(parsing text: String) {
        guard let key = Self.choices.key(parsing: text), let value = Self(rawValue: key) else { return nil }
        self = value
    }

    /// The list of keys and labels of this type, for schemas and error messages.
    public static var choices: ChoiceSet { ChoiceSet(Self.self) }
}
