import Foundation
import GRDB
import GridMerge
import GridModel

/// The merge ledger of ``SQLiteReplicaStore``, inside one write transaction.
///
/// Records are read once into a cache, merged in memory by the shared algorithm, and written
/// back with their derived rows (typed columns, heads, conflicts) by ``flush()``, once per
/// record however many ops of the batch touched it.
struct SQLiteLedger: MergeLedger {
    let db: Database
    private var cache: [RecordID: RecordState] = [:]
    /// The records this transaction changed, with the register fields whose heads changed.
    private var touched: [RecordID: Set<String>] = [:]
    /// Fields that became conflicted in the records written by ``flush()``.
    private(set) var conflictsOpened = 0
    /// The earliest clock of each record's ops in this transaction (kept as `created_clock`).
    private var firstClock: [RecordID: HybridTimestamp] = [:]
    /// Records that were stored before this transaction (the others have no rows to replace).
    private var storedBefore: Set<RecordID> = []
    /// Ops stored by this transaction, so that their children need not ask SQLite.
    private var storedHere: Set<OpID> = []
    /// Rows in `awaited`; zero almost always, which spares two statements per op.
    private var awaitedRows: Int
    /// The highest sequence stored from each replica asked about: an op above it is new
    /// without asking SQLite, which is the common case when ingesting a peer's ops.
    private var highestStored: [ReplicaID: UInt64] = [:]
    /// When rebuilding records from the op log: the ops merged again so far. The ops are in
    /// the log already, so "applied" means merged into the records being rebuilt.
    private(set) var rebuilt: Set<OpID>?

    /// Creates the ledger of one transaction; with `rebuilding`, one that merges ops of the
    /// log into records again (see ``SQLiteReplicaStore``'s rebuild), starting after those ops.
    init(db: Database, rebuilding: Set<OpID>? = nil) throws {
        self.db = db
        self.rebuilt = rebuilding
        awaitedRows = try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM awaited")) ?? 0
    }

    mutating func contains(_ id: OpID) throws -> Bool {
        if storedHere.contains(id) { return true }
        if let rebuilt { return rebuilt.contains(id) }
        if highestStored[id.replica] == nil {
            highestStored[id.replica] = UInt64(
                bitPattern: try Int64.fetchOne(
                    db.cachedStatement(sql: "SELECT max(sequence) FROM ops WHERE replica = ?"),
                    arguments: [id.replica.description]) ?? 0)
        }
        guard id.sequence <= highestStored[id.replica]! else { return false }
        return try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM ops WHERE replica = ? AND sequence = ?)"),
            arguments: [id.replica.description, Int64(bitPattern: id.sequence)]) ?? false
    }

    mutating func record(_ id: RecordID) throws -> RecordState? {
        if let record = cache[id] { return record }
        guard
            let bytes = try Data.fetchOne(
                db.cachedStatement(sql: "SELECT state FROM records WHERE id = ?"), arguments: [id.description])
        else { return nil }
        let record = try RecordState(encoded: [UInt8](bytes))
        cache[id] = record
        storedBefore.insert(id)
        return record
    }

    func awaitedSlots(of id: OpID) throws -> Set<Slot> {
        guard awaitedRows > 0 else { return [] }
        let rows = try Row.fetchAll(
            db.cachedStatement(
                sql: "SELECT record_id, field, element FROM awaited WHERE op_replica = ? AND op_sequence = ?"),
            arguments: [id.replica.description, Int64(bitPattern: id.sequence)])
        return Set(
            rows.compactMap { row in
                RecordID(row[0] as String).map { record in
                    let element: String = row[2]
                    return Slot(record: record, field: row[1], element: element.isEmpty ? nil : element)
                }
            })
    }

    mutating func updateRecord(
        _ id: RecordID, orCreate new: () -> RecordState, _ body: (inout RecordState) throws(MergeError) -> Void
    ) throws {
        let isStored = try record(id) != nil
        // Take the record out of the cache so that `body` mutates the only copy.
        var record = cache.removeValue(forKey: id) ?? new()
        do {
            try body(&record)
        } catch {
            if isStored { cache[id] = record }  // `body` leaves the record as it was when it throws
            throw error
        }
        cache[id] = record
        if touched[id] == nil { touched[id] = [] }
    }

    mutating func settle(_ op: Op, missingParents: [OpID]) throws {
        let replica = op.id.replica.description
        let sequence = Int64(bitPattern: op.id.sequence)
        if rebuilt != nil {
            rebuilt!.insert(op.id)
        } else {
            try Self.insert(op, into: db)
        }
        storedHere.insert(op.id)
        // An op changes the heads of its own field and of the record's liveness, nothing else.
        touched[op.recordID, default: []].formUnion([op.field, RecordSchema.deletedField])
        firstClock[op.recordID] = min(firstClock[op.recordID] ?? op.clock, op.clock)
        if awaitedRows > 0 {
            try db.cachedStatement(sql: "DELETE FROM awaited WHERE op_replica = ? AND op_sequence = ?")
                .execute(arguments: [replica, sequence])
            awaitedRows -= db.changesCount
        }
        guard !missingParents.isEmpty else { return }
        let insert = try db.cachedStatement(
            sql: """
                INSERT OR IGNORE INTO awaited (op_replica, op_sequence, record_id, field, element)
                VALUES (?, ?, ?, ?, ?)
                """)
        for parent in missingParents {
            for slot in Slot.replaced(by: op) {
                try insert.execute(arguments: [
                    parent.replica.description, Int64(bitPattern: parent.sequence), slot.record.description, slot.field,
                    slot.element ?? "",
                ])
                awaitedRows += db.changesCount
            }
        }
    }

    /// Appends `op` to the op log, without merging it.
    static func insert(_ op: Op, into db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO ops (replica, sequence, clock, author, record_type, record_id, scope, field, payload, parents)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            op.id.replica.description, Int64(bitPattern: op.id.sequence), Int64(bitPattern: op.clock.rawValue),
            op.author.rawValue, op.recordType.key, op.recordID.description, op.scope.description, op.field,
            CanonicalJSON.text(op.payload), op.parents.map(\.description).joined(separator: " "),
        ])
    }

    /// Writes every record this transaction changed, with its typed row, heads and conflicts.
    mutating func flush() throws {
        for (id, fields) in touched {
            guard let record = cache[id] else { continue }
            conflictsOpened += try RecordRows(record: record).write(
                to: db, firstClock: firstClock[id], registersChanged: fields, isNew: !storedBefore.contains(id))
        }
        touched.removeAll()
    }
}
