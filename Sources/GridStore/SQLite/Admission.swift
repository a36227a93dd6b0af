import GRDB
import GridMerge

/// The daemon's side of one push, inside its transaction: each op through ``OpAdmission``,
/// in its writer's order, then the clock bound and the merge.
struct Admission {
    let db: Database
    /// The next sequence expected of each writer: the one after what the daemon holds.
    private var next: [ReplicaID: UInt64] = [:]
    private var earlier: [OpID: Op] = [:]
    private(set) var stored = 0

    init(client: ReplicaID, db: Database) throws {
        self.db = db
        next[client] = try SQLiteReplicaStore.heldThrough(of: client, in: db) + 1
    }

    /// Admits one op; `inOrder`: it must follow its writer's previous op (a laptop's own ops).
    mutating func admit(_ op: Op, into ledger: inout SQLiteLedger, clock writer: inout OpWriter, inOrder: Bool = true)
        throws
    {
        if inOrder {
            let expected = try next[op.id.replica] ?? SQLiteReplicaStore.heldThrough(of: op.id.replica, in: db) + 1
            // Nothing numbered twice, nothing skipped. (An op below `expected` may be held
            // already, given back by another laptop after a restore; it is then skipped below.)
            guard op.id.sequence <= expected else {
                throw MergeError(
                    .badParents,
                    "op \(op.id) follows \(op.id.replica).\(op.id.sequence - 1), which this server does not hold: "
                        + "push a replica's ops in order, from \(op.id.replica).\(expected), none left out")
            }
            next[op.id.replica] = op.id.sequence == expected ? expected + 1 : expected
        }
        let db = self.db
        switch try OpAdmission.check(op, held: { try SQLiteReplicaStore.heldOp($0, in: db) }, earlier: earlier) {
        case .held:
            return
        case .new:
            stored += try SQLiteReplicaStore.receive([op], into: &ledger, clock: &writer)
            earlier[op.id] = op
        }
    }
}
