import Foundation
import GRDB
import GridMerge
import GridModel

/// The merge ledger of ``SQLiteReplicaStore``, inside one write transaction.
///
/// Records are read once into a cache, merged in memory by the shared algorithm, and written
/// back with their derived rows (typed columns, heads, conflicts) by ``flush()``, once per
/// record however many ops of the batch touched it.
///
/// A ledger either stores the ops it merges (a local edit, ops exchanged without a server),
/// appends received ops to the op log without merging them (``append(_:)``: the records
/// catch up behind, see ``SQLiteReplicaStore``'s derivation), or replays ops that the log
/// holds already into the records (deriving its tail, rebuilding records).
struct SQLiteLedger: MergeLedger {
    let db: Database
    private var cache: [RecordID: RecordState] = [:]
    /// The records this transaction changed, with the register fields whose heads changed.
    private var touched: [RecordID: Set<String>] = [:]
    /// Fields that became conflicted in the records written by ``flush()``.
    private(set) var conflictsOpened = 0
    /// The earliest clock of each record's ops in this transaction (kept as `created_clock`).
    private var firstClock: [RecordID: HybridTimestamp] = [:]
    /// The latest clock of each record's ops in this transaction that changed more than its
    /// notes (kept as `updated_clock`).
    private var lastChange: [RecordID: HybridTimestamp] = [:]
    /// Records that were stored before this transaction (the others have no rows to replace).
    private var storedBefore: Set<RecordID> = []
    /// Ops merged or appended by this ledger, so that their children need not ask SQLite.
    private(set) var mergedHere: Set<OpID>
    /// Rows in `awaited`; zero almost always, which spares two statements per op.
    private var awaitedRows: Int
    /// The highest sequence stored from each replica asked about: an op above it is new
    /// without asking SQLite, which is the common case when ingesting a peer's ops.
    private var highestStored: [ReplicaID: UInt64] = [:]
    /// When replaying the op log: the local sequence through which the records held its ops
    /// before (0 when rebuilding them), and the ops of the log above it that are still to
    /// merge (so that asking about them needs no query).
    private var replaying: Int64?
    var unmerged: Set<OpID> = []
    /// The record type and scope of each record asked about by ``append(_:)``.
    private var kinds: [RecordID: (RecordType, GridScope)] = [:]

    /// Creates the ledger of one transaction that stores the ops it merges or appends.
    init(db: Database) throws {
        self.db = db
        self.replaying = nil
        self.mergedHere = []
        awaitedRows = try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM awaited")) ?? 0
    }

    /// Creates a ledger that merges ops of the log into the records again: those above local
    /// sequence `derivedThrough` (every op, when rebuilding records: 0), and not in `merged`,
    /// are not merged yet.
    init(db: Database, replayingAfter derivedThrough: Int64, merged: Set<OpID> = []) throws {
        self.db = db
        self.replaying = derivedThrough
        self.mergedHere = merged
        awaitedRows = try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM awaited")) ?? 0
    }

    mutating func contains(_ id: OpID) throws -> Bool {
        if mergedHere.contains(id) { return true }
        if let replaying {
            guard replaying > 0, !unmerged.contains(id) else { return false }
            let local = try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT local_sequence FROM ops WHERE replica = ? AND sequence = ?"),
                arguments: [id.replica.description, Int64(bitPattern: id.sequence)])
            return local.map { $0 <= replaying } ?? false
        }
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

    /// Notes, when replaying the log in its order (not when rebuilding records, which goes
    /// record by record), that every op through local sequence `derivedThrough` is merged.
    /// The ops merged so far are still remembered, so that their children need not ask
    /// SQLite, until ``letGo()``.
    mutating func replayed(through derivedThrough: Int64) {
        precondition(replaying != nil, "only a replay notes how far it went")
        replaying = derivedThrough
        unmerged = []
    }

    /// Appends a received op to the op log without merging it, after the checks the merge
    /// would make (its schema, and its record's type and scope as the log knows them): the
    /// merge itself then cannot refuse it when the records catch up.
    ///
    /// - Returns: `false` if the log holds the op already (nothing changes).
    mutating func append(_ op: Op) throws -> Bool {
        guard try !contains(op.id) else { return false }
        try op.validate()
        if kinds[op.recordID] == nil {
            // Every op of a record in the log was checked against the first, so any one says.
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT record_type, scope FROM ops WHERE record_id = ? LIMIT 1"),
                arguments: [op.recordID.description])
            if let row {
                guard let type = RecordType(rawValue: row[0]), let scope = GridScope(row[1] as String) else {
                    throw StoreError(
                        .corrupt,
                        "an op row names an unreadable record type or scope: restore the replica from a backup")
                }
                kinds[op.recordID] = (type, scope)
            } else {
                kinds[op.recordID] = (op.recordType, op.scope)
            }
        }
        let (type, scope) = kinds[op.recordID]!
        try op.fits(type: type, scope: scope)
        try Self.insert(op, into: db)
        mergedHere.insert(op.id)
        return true
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
        if replaying == nil { try Self.insert(op, into: db) }
        mergedHere.insert(op.id)
        // An op changes the heads of its own field and of the record's liveness, nothing else.
        touched[op.recordID, default: []].formUnion([op.field, RecordSchema.deletedField])
        firstClock[op.recordID] = min(firstClock[op.recordID] ?? op.clock, op.clock)
        if RecordState.writesLiveness(op.field) {
            lastChange[op.recordID] = max(lastChange[op.recordID] ?? op.clock, op.clock)
        }
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
        let row = OpRow(op)
        try db.cachedStatement(
            sql: """
                INSERT INTO ops (replica, sequence, clock, author, record_type, record_id, scope, field, payload, parents)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            row.replica, row.sequence, row.clock, row.author, row.recordType, row.recordID, row.scope, row.field,
            row.payload, row.parents,
        ])
    }

    /// Writes every record this transaction changed, with its typed row, heads and conflicts.
    mutating func flush() throws {
        for (id, fields) in touched {
            guard let record = cache[id] else { continue }
            conflictsOpened += try RecordRows(record: record).write(
                to: db, firstClock: firstClock[id], lastChange: lastChange[id], registersChanged: fields,
                isNew: !storedBefore.contains(id))
        }
        touched.removeAll()
    }

    /// How many records the ledger holds in memory.
    var heldRecords: Int { cache.count }

    /// Forgets the records read so far, after ``flush()``, and, in a replay, which ops it
    /// merged (the log says it, through ``replayed(through:)``): a long replay keeps only a
    /// bounded number of records in memory (the next chunk reads back those it touches again).
    mutating func letGo() {
        precondition(touched.isEmpty, "records are let go only once they are written")
        if replaying != nil { mergedHere = [] }
        cache.removeAll()
        firstClock.removeAll()
        lastChange.removeAll()
    }
}
