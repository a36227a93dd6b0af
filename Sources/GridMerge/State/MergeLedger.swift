import GridModel

/// Where a replica keeps what merging needs: which ops it has applied, its records, and the
/// parents it still awaits. ``merge(_:)`` is the one merge algorithm; ``ReplicaState`` keeps
/// the ledger in memory, and `GridStore` keeps it in SQLite tables inside one transaction.
///
/// A ledger's methods may throw their storage's errors; the algorithm throws ``MergeError``
/// for ops it refuses, before it has asked the ledger to change anything.
public protocol MergeLedger {
    /// Whether the op with this id has been applied.
    mutating func contains(_ id: OpID) throws -> Bool
    /// The record with this id, or `nil` if no op has touched it.
    mutating func record(_ id: RecordID) throws -> RecordState?
    /// The slots in which applied ops named `id` as a parent before it arrived (usually none).
    func awaitedSlots(of id: OpID) throws -> Set<Slot>
    /// Runs `body` on the record with this id, created by `new` if the ledger has none, and
    /// keeps what `body` leaves. If `body` throws, the record must be left as it was.
    mutating func updateRecord(
        _ id: RecordID, orCreate new: () -> RecordState, _ body: (inout RecordState) throws(MergeError) -> Void
    ) throws
    /// Records that `op` is applied: it is no longer awaited, and each of `missingParents`
    /// (parents not applied yet) is now awaited in the slots where `op` replaces its parents.
    mutating func settle(_ op: Op, missingParents: [OpID]) throws
}

extension MergeLedger {
    /// Merges one op: refuses it if it is invalid or contradicts a known record, ignores it if
    /// it was applied already, and otherwise applies it to its record.
    ///
    /// - Returns: `false` if the op had already been applied (nothing changes).
    /// - Throws: ``MergeError/Code/invalidOp`` if the op does not fit its schema;
    ///   ``MergeError/Code/recordMismatch`` if it names a known record with another type or
    ///   scope; or the ledger's own storage errors.
    @discardableResult
    public mutating func merge(_ op: Op) throws -> Bool {
        guard try !contains(op.id) else { return false }
        try op.validate()
        let replaced = try awaitedSlots(of: op.id)
        try updateRecord(op.recordID, orCreate: { RecordState(type: op.recordType, id: op.recordID, scope: op.scope) })
        {
            (record) throws(MergeError) in
            try op.fits(type: record.type, scope: record.scope)
            record.apply(op, replaced: replaced)
        }
        var missing: [OpID] = []
        for parent in op.parents where try !contains(parent) {
            missing.append(parent)
        }
        try settle(op, missingParents: missing)
        return true
    }
}

extension Op {
    /// Checks that this op names its record with the type and scope under which a replica
    /// holds it (fixed when the record was made).
    ///
    /// - Throws: ``MergeError/Code/recordMismatch`` otherwise.
    public func fits(type: RecordType, scope: GridScope) throws(MergeError) {
        guard recordType == type, self.scope == scope else {
            throw MergeError(
                .recordMismatch,
                "op \(id) says \(recordID) is a \(recordType.key) in \(self.scope), but this replica "
                    + "holds it as a \(type.key) in \(scope): the op was made by a faulty replica and is refused")
        }
    }
}

/// Runs work against an in-memory ledger, whose only failures are the merge core's own
/// refusals: any other error is a programming error.
func mergeErrorsOnly<T>(_ body: () throws -> T) throws(MergeError) -> T {
    do {
        return try body()
    } catch let error as MergeError {
        throw error
    } catch {
        preconditionFailure("the in-memory ledger cannot fail: \(error)")
    }
}
