import GridModel

/// A replica held in memory: its identity, clock, op log and merged state.
///
/// It writes ops for local edits (numbering them, stamping them, naming their parents) and
/// merges ops received from peers. Every method either does all of its work or, when it
/// throws, none of it. The SQLite replica of `GridStore` follows the same rules against its
/// tables; this type is the reference it is tested against, and what simulations drive.
public struct Replica: Sendable {
    /// The replica's identity.
    public let id: ReplicaID
    /// The worker account whose edits this replica records.
    public let author: WorkerID
    /// The replica's hybrid logical clock.
    public private(set) var clock: HybridClock
    /// The sequence number of the last op this replica wrote.
    public private(set) var lastSequence: UInt64 = 0
    /// Every op this replica holds, in the order it stored them (its local sequence).
    public private(set) var ops: [Op] = []
    /// The merged state of those ops.
    public private(set) var state = ReplicaState()

    /// Creates an empty replica.
    public init(id: ReplicaID, author: WorkerID, clock: HybridClock) {
        self.id = id
        self.author = author
        self.clock = clock
    }

    /// Creates a record with its first values.
    ///
    /// - Throws: ``MergeError/Code/invalidOp`` naming the first required field that `edits`
    ///   does not assign, or the first edit that does not fit the schema; nothing is written.
    @discardableResult
    public mutating func create(
        _ type: RecordType, id recordID: RecordID, in scope: GridScope, _ edits: [Edit]
    ) throws(MergeError) -> [Op] {
        for field in type.schema.requiredFields where !edits.contains(where: { $0.field == field.name }) {
            let error = ValidationError(.missingRequired, field: field.name, value: nil, allowed: field.domainSummary)
            throw MergeError(.invalidOp, "a new \(type.key) needs \(field.name): \(error)", validation: error)
        }
        if state[recordID] != nil {
            throw MergeError(.recordMismatch, "record \(recordID) already exists: a new record needs a new id")
        }
        // Check every edit before writing any, so that a bad one leaves no half-made record.
        for edit in edits {
            if case .remove = edit.payload {
                throw MergeError(.invalidOp, "a new \(type.key) has nothing to remove from \(edit.field)")
            }
            try edit.payload.validate(field: edit.field, of: type)
        }
        return try edits.map { (edit) throws(MergeError) in try write(edit, type: type, id: recordID, scope: scope) }
    }

    /// Applies one edit to an existing record that is not deleted (restoring is allowed).
    @discardableResult
    public mutating func edit(_ recordID: RecordID, _ edit: Edit) throws(MergeError) -> Op {
        let (type, scope) = try checkEditable(recordID, edit)
        return try write(edit, type: type, id: recordID, scope: scope)
    }

    /// The type and scope of a record that `edit` may change. A separate function, so that no
    /// copy of the record is alive while the op is applied (which would copy its fields).
    private func checkEditable(_ recordID: RecordID, _ edit: Edit) throws(MergeError) -> (RecordType, GridScope) {
        guard let record = state[recordID] else {
            throw MergeError(.unknownRecord, "no record \(recordID) on this replica: check the id, or sync first")
        }
        if record.isDeleted && edit.field != RecordSchema.deletedField {
            throw MergeError(.unknownRecord, "\(record.type.key) \(recordID) is deleted: restore it before editing it")
        }
        if case .remove(let element) = edit.payload, record.type.schema[edit.field]?.kind == .set,
            !(record.sets[edit.field]?.contains(element) ?? false)
        {
            throw MergeError(
                .invalidOp, "'\(element)' is not in \(edit.field) of \(record.type.key) \(recordID): nothing to remove")
        }
        return (record.type, record.scope)
    }

    /// Merges an op received from a peer.
    ///
    /// - Returns: `false` if this replica already held the op.
    /// - Throws: ``MergeError/Code/clockTooFarAhead`` if the op's clock is too far ahead of
    ///   this replica's wall clock, or any error of ``ReplicaState/apply(_:)``; nothing changes.
    @discardableResult
    public mutating func receive(_ op: Op) throws(MergeError) -> Bool {
        guard !state.applied.contains(op.id) else { return false }
        var nextClock = clock
        try nextClock.observe(op.clock)
        try state.apply(op)
        clock = nextClock
        ops.append(op)
        return true
    }

    /// Writes one op for `edit`. The state refuses an invalid op before changing anything,
    /// and the clock, sequence and log move only once it is applied.
    private mutating func write(_ edit: Edit, type: RecordType, id recordID: RecordID, scope: GridScope)
        throws(MergeError) -> Op
    {
        var nextClock = clock
        let op = Op(
            id: OpID(replica: id, sequence: lastSequence + 1), clock: nextClock.tick(), author: author,
            recordType: type, recordID: recordID, scope: scope, field: edit.field, payload: edit.payload,
            parents: state[recordID]?.parents(forEditing: edit.field, edit.payload) ?? [])
        try state.apply(op)
        clock = nextClock
        lastSequence += 1
        ops.append(op)
        return op
    }
}
