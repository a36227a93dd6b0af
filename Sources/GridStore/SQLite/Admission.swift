import GRDB
import GridMerge
import GridModel

/// The daemon's side of one push, inside its transaction: each op through ``OpAdmission``,
/// in its writer's order, then the clock bound and the merge's own checks, and into the op
/// log (the records take it in behind).
struct Admission {
    let db: Database
    /// The next sequence expected of each writer: the one after what the daemon holds.
    private var next: [ReplicaID: UInt64] = [:]
    private var earlier: [OpID: Op] = [:]
    private(set) var stored = 0
    /// The client's highest sequence held before this push: an op above it is not held,
    /// which spares a lookup per op in the usual push.
    private let highestHeld: UInt64
    private let client: ReplicaID

    init(client: ReplicaID, db: Database) throws {
        self.db = db
        self.client = client
        next[client] = try SQLiteReplicaStore.heldThrough(of: client, in: db) + 1
        highestHeld = UInt64(
            try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT coalesce(max(sequence), 0) FROM ops WHERE replica = ?"),
                arguments: [client.description]) ?? 0)
    }

    /// Admits one op; `inOrder`: it must follow its writer's previous op (a laptop's own ops);
    /// `writtenBy`: a new op must be stamped no later (an op given back to a restored daemon
    /// was written before the restore).
    mutating func admit(
        _ op: Op, into ledger: inout SQLiteLedger, clock writer: inout OpWriter, inOrder: Bool = true,
        writtenBy latest: UInt64? = nil
    ) throws {
        if inOrder {
            let expected = try next[op.id.replica] ?? SQLiteReplicaStore.heldThrough(of: op.id.replica, in: db) + 1
            next[op.id.replica] = try OpAdmission.checkOrder(op, expected: expected)
        }
        let db = self.db
        let unheld = op.id.replica == client && op.id.sequence > highestHeld ? op.id : nil
        let held = { (id: OpID) throws -> Op? in id == unheld ? nil : try SQLiteReplicaStore.heldOp(id, in: db) }
        switch try OpAdmission.check(op, held: held, parent: { try Self.parent($0, in: db) }, earlier: earlier) {
        case .held:
            return
        case .new:
            if let latest { try OpAdmission.checkWrittenBefore(op, latest: latest) }
            stored += try SQLiteReplicaStore.receive([op], into: &ledger, clock: &writer, appending: true)
            earlier[op.id] = op
        }
    }

    /// What the admission rules need of a held parent, read without decoding the whole op.
    private static func parent(_ id: OpID, in db: Database) throws -> OpAdmission.Parent? {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT record_id, field = ? AND payload = '{"assign":true}'
                        FROM ops WHERE replica = ? AND sequence = ?
                        """),
                arguments: [RecordSchema.deletedField, id.replica.description, Int64(bitPattern: id.sequence)])
        else { return nil }
        guard let record = RecordID(row[0] as String) else {
            throw StoreError(
                .corrupt, "an op row names an unreadable record: the replica is damaged; restore it from a backup")
        }
        return OpAdmission.Parent(record: record, isDelete: row[1])
    }
}
