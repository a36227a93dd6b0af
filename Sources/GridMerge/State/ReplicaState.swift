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

    /// Applies an op (see ``MergeLedger/merge(_:)``).
    ///
    /// - Returns: `false` if the op had already been applied (nothing changes).
    /// - Throws: ``MergeError/Code/invalidOp`` if the op does not fit its schema;
    ///   ``MergeError/Code/recordMismatch`` if it names a known record with another type or scope.
    @discardableResult
    public mutating func apply(_ op: Op) throws(MergeError) -> Bool {
        try mergeErrorsOnly { try merge(op) }
    }

    /// Every open conflict, sorted by record type, record id and field.
    public var conflicts: [Conflict] {
        records.values.sorted { ($0.type, $0.id) < ($1.type, $1.id) }.flatMap { record in
            record.conflictedFields.map { Conflict(record: record, field: $0, register: record.registers[$0]!) }
        }
    }
}

extension ReplicaState: MergeLedger {
    public func contains(_ id: OpID) -> Bool { applied.contains(id) }

    public func record(_ id: RecordID) -> RecordState? { records[id] }

    public func awaitedSlots(of id: OpID) -> Set<Slot> { awaited[id] ?? [] }

    public mutating func updateRecord(
        _ id: RecordID, orCreate new: () -> RecordState, _ body: (inout RecordState) throws(MergeError) -> Void
    ) throws(MergeError) {
        if records[id] == nil {
            var record = new()
            try body(&record)
            records[id] = record
        } else {
            try body(&records[id]!)
        }
    }

    public mutating func settle(_ op: Op, missingParents: [OpID]) {
        applied.insert(op.id)
        awaited[op.id] = nil
        guard !missingParents.isEmpty else { return }
        let slots = Slot.replaced(by: op)
        for parent in missingParents {
            awaited[parent, default: []].formUnion(slots)
        }
    }
}
