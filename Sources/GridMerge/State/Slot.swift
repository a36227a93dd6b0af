import GridModel

/// A place where an op can be replaced by a later op: a register of a record (including its
/// liveness register, `deleted`), or one element of a set.
///
/// When an op names a parent that its replica has not applied yet, ``ReplicaState`` notes
/// the parent's id with the slots it was named in, so that the parent, when it arrives, is
/// applied as already replaced there (and nowhere else).
public struct Slot: Hashable, Sendable, Codable {
    /// The record.
    public let record: RecordID
    /// The register or set field.
    public let field: String
    /// The set element, for a removal; `nil` for a register.
    public let element: String?

    /// Creates a slot.
    public init(record: RecordID, field: String, element: String?) {
        self.record = record
        self.field = field
        self.element = element
    }

    /// The slots in which `op` replaces its parents: its register, or the element it removes,
    /// and the record's liveness register, which every op writes but a note. A note replaces
    /// nothing: parents it names (an older GridSync's notes named the liveness heads) must
    /// not make a write of `deleted` that arrives after it count as replaced.
    public static func replaced(by op: Op) -> [Slot] {
        guard RecordState.writesLiveness(op.field) else { return [] }
        let liveness = Slot(record: op.recordID, field: RecordSchema.deletedField, element: nil)
        switch op.payload {
        case .assign where op.field == RecordSchema.deletedField:
            return [liveness]
        case .assign:
            return [Slot(record: op.recordID, field: op.field, element: nil), liveness]
        case .remove(let element):
            return [Slot(record: op.recordID, field: op.field, element: element), liveness]
        case .add, .change, .append:
            return [liveness]
        }
    }
}
