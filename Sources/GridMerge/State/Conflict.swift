import GridModel

/// A register field whose concurrent writes disagree: what the office must settle.
public struct Conflict: Hashable, Sendable {
    /// The record's type.
    public let recordType: RecordType
    /// The record.
    public let recordID: RecordID
    /// The record's grid (or community).
    public let scope: GridScope
    /// The field in conflict (`deleted` for a delete against an edit).
    public let field: String
    /// The competing writes, the shown winner first.
    public let heads: [RegisterState.Version]

    /// Creates a conflict from a record's register; the heads are ordered winner first.
    public init(record: RecordState, field: String, register: RegisterState) {
        recordType = record.type
        recordID = record.id
        scope = record.scope
        self.field = field
        heads = register.heads.reversed()
    }
}
