/// How concurrent edits of one field merge.
public enum MergeKind: String, Hashable, Sendable, Codable, CaseIterable {
    /// A multi-value register: one value, but concurrent writes of different values are kept
    /// side by side as a conflict until someone settles it.
    case register
    /// An add-wins observed-remove set of text elements (tags, participants, linked records).
    case set
    /// A counter of per-replica increments and decrements (residents backing a demand, yuan raised).
    case counter
    /// An append-only list of entries ordered by time (notes, progress reports, survey results).
    case log
}
