import GridModel

/// What an op does to its field, one case per merge kind.
public enum OpPayload: Hashable, Sendable {
    /// Writes a register; the op's parents are the heads it replaces.
    case assign(FieldValue)
    /// Adds an element to a set. The op's id tags this addition.
    case add(String)
    /// Removes an element from a set: the additions named in the op's parents, and only those.
    case remove(String)
    /// Changes a counter by a non-zero amount.
    case change(Int64)
    /// Appends an entry to a log.
    case append(LogEntry)

    /// The merge kind this payload belongs to.
    public var kind: MergeKind {
        switch self {
        case .assign: .register
        case .add, .remove: .set
        case .change: .counter
        case .append: .log
        }
    }
}
