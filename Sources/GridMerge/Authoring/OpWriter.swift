import GridModel

/// Turns a replica's local edits into ops: numbers them, stamps them with the replica's
/// clock, names their parents, and merges them into the replica's ledger.
///
/// The same writer serves the in-memory ``Replica`` and the SQLite store, so both refuse
/// the same edits and write the same ops.
public struct OpWriter: Sendable {
    /// The replica whose ops these are.
    public let replica: ReplicaID
    /// The worker named as the author of the ops written: the replica's own, or an account it writes for.
    public let author: WorkerID
    /// The replica's hybrid logical clock.
    public private(set) var clock: HybridClock
    /// The sequence number of the last op this replica wrote.
    public private(set) var lastSequence: UInt64

    /// Creates a writer that continues after `lastSequence`.
    public init(replica: ReplicaID, author: WorkerID, clock: HybridClock, lastSequence: UInt64 = 0) {
        self.replica = replica
        self.author = author
        self.clock = clock
        self.lastSequence = lastSequence
    }

    /// Takes a received op's clock into account, so that later ops come after it.
    public mutating func observe(_ remote: HybridTimestamp) throws(MergeError) {
        try clock.observe(remote)
    }

    /// Takes a received op's clock into account, refusing a clock further ahead of this
    /// replica's wall clock than the drift bound, with a message that names the op's device.
    public mutating func observe(clockOf op: Op) throws(MergeError) {
        do {
            try clock.observe(op.clock)
        } catch {
            throw MergeError(
                error.code,
                "op \(op.id), written by \(op.author) on replica \(op.id.replica): \(error.message); "
                    + "the clock of the device that wrote it is wrong")
        }
    }

    /// Takes into account the clock of an op that the time reference has already bounded
    /// (see ``HybridClock/observe(vouchedFor:)``).
    public mutating func observe(vouchedFor remote: HybridTimestamp) {
        clock.observe(vouchedFor: remote)
    }

    /// Creates a record with its first values.
    ///
    /// - Throws: ``MergeError/Code/invalidOp`` naming the first required field that `edits`
    ///   does not assign, or the first edit that does not fit the schema, before writing anything;
    ///   ``MergeError/Code/recordMismatch`` if the id is taken.
    public mutating func create<Ledger: MergeLedger>(
        _ type: RecordType, id recordID: RecordID, in scope: GridScope, _ edits: [Edit], into ledger: inout Ledger
    ) throws -> [Op] {
        for field in type.schema.requiredFields where !edits.contains(where: { $0.field == field.name }) {
            let error = ValidationError(.missingRequired, field: field.name, value: nil, allowed: field.domainSummary)
            throw MergeError(.invalidOp, "a new \(type.key) needs \(field.name): \(error)", validation: error)
        }
        if try ledger.record(recordID) != nil {
            throw MergeError(.recordMismatch, "record \(recordID) already exists: a new record needs a new id")
        }
        // Check every edit before writing any, so that a bad one leaves no half-made record.
        for edit in edits {
            if case .remove = edit.payload {
                throw MergeError(.invalidOp, "a new \(type.key) has nothing to remove from \(edit.field)")
            }
            try edit.payload.validate(field: edit.field, of: type)
        }
        var next = self
        var ops: [Op] = []
        for edit in edits {
            ops.append(try next.write(edit, type: type, id: recordID, scope: scope, into: &ledger))
        }
        self = next
        return ops
    }

    /// Applies one edit to an existing record that is not deleted (restoring is allowed, and
    /// so is a note: why a record was deleted, or why a conflict about it was settled).
    ///
    /// - Throws: ``MergeError/Code/unknownRecord`` if the ledger has no such record, or shows
    ///   it deleted; ``MergeError/Code/invalidOp`` if the edit does not fit the schema or
    ///   removes an element that is not there.
    public mutating func edit<Ledger: MergeLedger>(
        _ recordID: RecordID, _ edit: Edit, into ledger: inout Ledger
    ) throws -> Op {
        guard let record = try ledger.record(recordID) else {
            throw MergeError(.unknownRecord, "no record \(recordID) on this replica: check the id, or sync first")
        }
        if record.isDeleted && edit.field != RecordSchema.deletedField && edit.field != RecordSchema.notesField {
            throw MergeError(.unknownRecord, "\(record.type.key) \(recordID) is deleted: restore it before editing it")
        }
        if case .remove(let element) = edit.payload, record.type.schema[edit.field]?.kind == .set,
            !(record.sets[edit.field]?.contains(element) ?? false)
        {
            throw MergeError(
                .invalidOp, "'\(element)' is not in \(edit.field) of \(record.type.key) \(recordID): nothing to remove")
        }
        let (type, scope) = (record.type, record.scope)
        var next = self
        let op = try next.write(edit, type: type, id: recordID, scope: scope, into: &ledger)
        self = next
        return op
    }

    /// Writes and merges one op for `edit`; the ledger refuses an invalid op before changing anything.
    private mutating func write<Ledger: MergeLedger>(
        _ edit: Edit, type: RecordType, id recordID: RecordID, scope: GridScope, into ledger: inout Ledger
    ) throws -> Op {
        let parents = try ledger.record(recordID)?.parents(forEditing: edit.field, edit.payload) ?? []
        let op = Op(
            id: OpID(replica: replica, sequence: lastSequence + 1), clock: clock.tick(), author: author,
            recordType: type, recordID: recordID, scope: scope, field: edit.field, payload: edit.payload,
            parents: parents)
        try ledger.merge(op)
        lastSequence += 1
        return op
    }
}
