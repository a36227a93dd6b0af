import GridModel

/// The rules a replica applies before it takes an op from a peer it does not trust (the
/// daemon, for every op a laptop pushes): the history an op claims must be one the replica
/// can see, and an op id means one op.
///
/// The merge rules (``MergeLedger/merge(_:)``) accept any set of ops and give the same state
/// in any order, but a set can be forged so that the merged state is wrong for everyone: an
/// op naming another replica's future op as a parent hides that op when it arrives, two ops
/// naming each other leave a field with no head at all, and two ops under one id leave every
/// replica with whichever arrived first. These rules refuse such ops at the door, where
/// ops arrive in causal order, so that the merge never sees them.
public enum OpAdmission {
    /// The most parents an op may name: far more than the heads of any field that people
    /// edit, and small enough that an op line stays a few kilobytes.
    public static let maximumParents = 1_024

    /// What the replica should do with an op that passed the rules.
    public enum Verdict: Hashable, Sendable {
        /// The op is new: merge it.
        case new
        /// The replica holds this op already, byte for byte: skip it.
        case held
    }

    /// Checks one op against what the replica holds and the ops before it in the same batch.
    ///
    /// The rules, in order:
    /// 1. an op id the replica holds must be the same op (same clock, author, record, field,
    ///    payload and parents), else ``MergeError/Code/reusedID``;
    /// 2. at most ``maximumParents`` parents;
    /// 3. no parent is the op's own writer's op of the same or a later sequence;
    /// 4. every parent is held, or comes earlier in the same batch;
    /// 5. every parent is an op of the same record;
    /// 6. only a write of `deleted` may name a delete (an op writing `deleted = true`): an
    ///    edit written on top of a delete would bring the record back without anyone deciding to.
    ///
    /// - Parameters:
    ///   - held: the op with this id, if the replica holds it.
    ///   - earlier: the ops before this one in the same batch, by id.
    /// - Throws: ``MergeError/Code/reusedID`` or ``MergeError/Code/badParents``.
    public static func check(
        _ op: Op, held: (OpID) throws -> Op?, earlier: [OpID: Op] = [:]
    ) throws -> Verdict {
        try check(op, held: held, parent: { try held($0).map(Parent.init) }, earlier: earlier)
    }

    /// Checks that `op` follows its writer's previous op, the one before `expected` (the
    /// sequence after the last one held): nothing numbered twice, nothing skipped. An op below
    /// `expected` may be held already (given back by another laptop after a restore); the
    /// other rules then find it held.
    ///
    /// - Returns: the sequence expected next of the op's writer.
    /// - Throws: ``MergeError/Code/badParents`` for an op that skips ahead.
    public static func checkOrder(_ op: Op, expected: UInt64) throws(MergeError) -> UInt64 {
        guard op.id.sequence <= expected else {
            throw MergeError(
                .badParents,
                "op \(op.id) follows \(op.id.replica).\(op.id.sequence - 1), which this server does not hold: "
                    + "push a replica's ops in order, from \(op.id.replica).\(expected), none left out")
        }
        return op.id.sequence == expected ? expected + 1 : expected
    }

    /// Checks that an op another replica wrote, given back to a restored server, was written
    /// before the restore: stamped no later than `latest` (milliseconds). A later one was
    /// never held by the server, and its writer sends it itself.
    ///
    /// - Throws: ``MergeError/Code/clockTooFarAhead`` for a later op.
    public static func checkWrittenBefore(_ op: Op, latest: UInt64) throws(MergeError) {
        guard op.clock.milliseconds <= latest else {
            throw MergeError(
                .clockTooFarAhead,
                "op \(op.id) was written after this server was restored: replica \(op.id.replica) sends it itself")
        }
    }

    /// What the rules need to know of a parent the replica holds: its record, and whether
    /// it is a delete. A store can read that much without reading the whole op.
    public struct Parent: Hashable, Sendable {
        /// The parent's record.
        public var record: RecordID
        /// Whether the parent writes `deleted = true`.
        public var isDelete: Bool

        /// Describes a parent.
        public init(record: RecordID, isDelete: Bool) {
            self.record = record
            self.isDelete = isDelete
        }

        /// Describes `op` as a parent.
        public init(_ op: Op) {
            self.init(record: op.recordID, isDelete: op.isDelete)
        }
    }

    /// Checks one op as ``check(_:held:earlier:)`` does, reading held parents with `parent`.
    public static func check(
        _ op: Op, held: (OpID) throws -> Op?, parent heldParent: (OpID) throws -> Parent?, earlier: [OpID: Op]
    ) throws -> Verdict {
        if let existing = try held(op.id) {
            guard existing == op else {
                throw MergeError(
                    .reusedID,
                    "op \(op.id) is already held with other content: replica \(op.id.replica) numbered two "
                        + "different edits alike (a laptop restored from a backup, or a copied data folder); "
                        + "sync again with a current gridsync, which gives the copy a new identity")
            }
            return .held
        }
        guard op.parents.count <= maximumParents else {
            throw MergeError(
                .badParents,
                "op \(op.id) names \(op.parents.count) parents, more than the \(maximumParents) allowed: "
                    + "gridsync never writes one; the laptop that wrote it runs a faulty client: reinstall gridsync there")
        }
        for parent in op.parents {
            if parent.replica == op.id.replica, parent.sequence >= op.id.sequence {
                throw MergeError(
                    .badParents,
                    "op \(op.id) names \(parent), a later op of its own writer, as a parent: "
                        + "an op can only be written on top of what came before it")
            }
            guard let parentOp = try earlier[parent].map(Parent.init) ?? heldParent(parent) else {
                throw MergeError(
                    .badParents,
                    "op \(op.id) names \(parent) as a parent, which this replica does not hold and which is not "
                        + "earlier in the batch: an op can only be written on top of ops already synced")
            }
            guard parentOp.record == op.recordID else {
                throw MergeError(
                    .badParents,
                    "op \(op.id) on \(op.recordID) names \(parent), an op of another record (\(parentOp.record)), "
                        + "as a parent: parents are ops of the same record")
            }
            if op.field != RecordSchema.deletedField, parentOp.isDelete {
                throw MergeError(
                    .badParents,
                    "op \(op.id) edits \(op.field) on top of the delete \(parent): a deleted record is "
                        + "restored first, by writing deleted = false")
            }
        }
        return .new
    }
}

extension Op {
    /// Whether the op deletes its record (writes `deleted = true`).
    public var isDelete: Bool {
        field == RecordSchema.deletedField && payload == .assign(.boolean(true))
    }
}
