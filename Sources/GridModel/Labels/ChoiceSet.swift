/// The allowed keys of a choice field, with their labels.
///
/// A choice set is how a schema refers to a ``LabelledKey`` type (or a subset of it) without
/// being generic over it.
public struct ChoiceSet: Hashable, Sendable {
    /// One allowed key and its labels.
    public struct Choice: Hashable, Sendable {
        /// The stable key.
        public let key: String
        /// The Chinese and English names.
        public let label: Label
    }

    /// The allowed choices, in their natural order.
    public let choices: [Choice]

    /// Creates the choice set of every value of a labelled type except `excluded`.
    public init<Value: LabelledKey>(_ type: Value.Type, excluding excluded: Set<Value> = []) {
        choices = Value.allCases.filter { !excluded.contains($0) }.map { Choice(key: $0.key, label: $0.label) }
    }

    /// Returns the key that `text` names, by key, Chinese label or English label; `nil` if none.
    public func key(parsing text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let folded = Self.fold(trimmed)
        for choice in choices
        where choice.key == trimmed || choice.label.chinese == trimmed || Self.fold(choice.key) == folded
            || Self.fold(choice.label.english) == folded
        {
            return choice.key
        }
        return nil
    }

    /// Whether `key` is one of the allowed keys exactly (no labels: stored values are keys).
    public func contains(key: String) -> Bool {
        choices.contains { $0.key == key }
    }

    /// The allowed values as a user would type them: `key (中文)`, comma-separated.
    public var summary: String {
        choices.map { "\($0.key) (\($0.label.chinese))" }.joined(separator: ", ")
    }

    private static func fold(_ text: String) -> String {
        String(text.lowercased().map { $0 == " " || $0 == "_" ? "-" : $0 })
    }
}
