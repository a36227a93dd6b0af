import GridMerge
import GridModel

/// One user action on one record: the edits that must be stored together or not at all.
public struct RecordChange: Hashable, Sendable {
    /// What the change does to its record.
    public enum Target: Hashable, Sendable {
        /// Creates a new record of this type in this scope.
        case create(RecordType, in: GridScope)
        /// Edits an existing record.
        case edit
    }

    /// The record changed.
    public let record: RecordID
    /// Whether the record is new.
    public let target: Target
    /// The edits, applied in order.
    public let edits: [Edit]

    /// Creates a change.
    public init(record: RecordID, target: Target, edits: [Edit]) {
        self.record = record
        self.target = target
        self.edits = edits
    }
}
