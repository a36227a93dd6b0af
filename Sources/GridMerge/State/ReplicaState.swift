import GridModel

/// Everything a replica knows, merged: a pure function of the set of ops applied.
///
/// Applying an op twice changes nothing; applying the same ops in any order gives equal
/// state and equal conflicts. Invalid ops are refused before anything changes.
public struct ReplicaState: Hashable, Sendable {
    /// The records, by id.
    public private(set) var records: [RecordID: RecordState] = [:]
    /// The ids of every op applied, which makes applying idempotent.
    public private(set) var applied: Set<OpID> = []
    /// Parents named by applied ops but not applied yet, with the slots they were named in.
    /// Empty whenever ops arrive in causal order, as a sync delivers them.
    private var awaited: [OpID: Set<Slot>] = [:]

    /// Creates an empty state.
    public init() {}

    /// The number of distinct ops applied.
    public var opCount: Int { applied.count }

    /// The record with this id, if any op touched it.
    public subscript(id: RecordID) -> RecordState? { records[id] }

    /// Applies an op.
    ///
    /// - Returns: `false` if the op had already been applied (nothing changes).
    /// - Throws: ``MergeError/Code/invalidOp`` if the op does not fit its schema;
    ///   ``MergeError/Code/recordMismatch`` if it names a known record with another type or scope.
    @discardableResult
    public mutating func apply(_ op: Op) throws(MergeError) -> Bool {
        guard !applied.contains(op.id) else { return false }
        try op.validate()
        if let record = records[op.recordID], record.type != op.recordType || record.scope != op.scope {
            throw MergeError(
                .recordMismatch,
                "op \(op.id) says \(op.recordID) is a \(op.recordType.key) in \(op.scope), but this replica holds it "
                    + "as a \(record.type.key) in \(record.scope): the op was made by a faulty replica and is refused")
        }
        applied.insert(op.id)
        let replaced = awaited.removeValue(forKey: op.id) ?? []
        records[op.recordID, default: RecordState(type: op.recordType, id: op.recordID, scope: op.scope)]
            .apply(op, replaced: replaced)
        for parent in op.parents where !applied.contains(parent) {
            awaited[parent, default: []].formUnion(Slot.replaced(by: op))
        }
        return true
    }

    /// Every open conflict, sorted by record type, record id and field.
    public var conflicts: [Conflict] {
        records.values.sorted { ($0.type, $0.id) < ($1.type, $1.id) }.flatMap { record in
            record.conflictedFields.map { Conflict(record: record, field: $0, register: record.registers[$0]!) }
        }
    }
}
