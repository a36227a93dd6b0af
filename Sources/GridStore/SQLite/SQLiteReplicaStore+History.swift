import Foundation
import GRDB
import GridMerge
import GridModel

/// Keeping one history: what the server admits from a client, and how a laptop repairs its
/// op log after its clock was far off or its data folder was copied or restored.
extension SQLiteReplicaStore {
    /// The merge rules the records are built with. 2: notes no longer write liveness.
    static let rules = 2

    public func heldThrough(of writer: ReplicaID) async throws -> UInt64 {
        try await read { db in try Self.heldThrough(of: writer, in: db) }
    }

    /// The end of the run of `writer`'s ops from sequence 1 that has no gap.
    static func heldThrough(of writer: ReplicaID, in db: Database) throws -> UInt64 {
        let replica = writer.description
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT count(*), coalesce(max(sequence), 0) FROM ops WHERE replica = ?"),
                arguments: [replica])
        else { return 0 }
        let (count, highest): (Int64, Int64) = (row[0], row[1])
        if count == highest { return UInt64(highest) }
        // A gap: the daemon after a restore, given some of a replica's ops back by other laptops.
        let gapStart = try Int64.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT min(o.sequence) FROM ops o
                    WHERE o.replica = ?1 AND NOT EXISTS (
                        SELECT 1 FROM ops p WHERE p.replica = ?1 AND p.sequence = o.sequence + 1)
                    """), arguments: [replica])
        let hasFirst =
            try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM ops WHERE replica = ? AND sequence = 1)"),
                arguments: [replica]) ?? false
        return hasFirst ? UInt64(gapStart ?? 0) : 0
    }

    public func ops(of writer: ReplicaID, after sequence: UInt64, limit: Int) async throws -> [Op] {
        try await read { db in
            try Row.fetchAll(
                db.cachedStatement(
                    sql:
                        "SELECT \(Self.opColumns) FROM ops WHERE replica = ? AND sequence > ? ORDER BY sequence LIMIT ?"
                ),
                arguments: [writer.description, Int64(bitPattern: sequence), limit]
            ).map { try Self.op(from: $0) }
        }
    }

    /// The op with this id, if the replica holds it.
    static func heldOp(_ id: OpID, in db: Database) throws -> Op? {
        try Row.fetchOne(
            db.cachedStatement(sql: "SELECT \(opColumns) FROM ops WHERE replica = ? AND sequence = ?"),
            arguments: [id.replica.description, Int64(bitPattern: id.sequence)]
        ).map { try op(from: $0) }
    }

    public func admit(_ ops: [Op], pushedBy client: ReplicaID) async throws -> IngestResult {
        try await writeTransaction(records: .behind) { ledger, writer in
            var admission = try Admission(client: client, db: ledger.db)
            for op in ops { try admission.admit(op, into: &ledger, clock: &writer) }
            return IngestResult(stored: admission.stored)
        }
    }

    public func admitGivenBack(_ ops: [Op], by client: ReplicaID) async throws -> IngestResult {
        let identity = self.identity
        let now = wallClock.millisecondsSince1970()
        return try await writeTransaction(records: .behind) { ledger, writer in
            let latest = try Self.givenBackLimit(restoredAt: identity.restoredAt, now: now)
            var admission = try Admission(client: client, db: ledger.db)
            var skipped = 0
            // In the laptop's order, so that every op comes after its parents.
            for op in ops {
                guard op.id.replica != client else {
                    try admission.admit(op, into: &ledger, clock: &writer)
                    continue
                }
                // Another replica's op that cannot be taken back is left out on its own, so
                // that it does not keep the rest of what the laptop holds from coming back:
                // one written after the restore (its writer sends it), one the admission
                // rules refuse (a copied laptop's, a forged one), and the ops built on it.
                do {
                    try admission.admit(op, into: &ledger, clock: &writer, inOrder: false, writtenBy: latest)
                } catch is MergeError {
                    skipped += 1
                }
            }
            return IngestResult(stored: admission.stored, skipped: skipped)
        }
    }

    public func recordClockOffset(_ milliseconds: Int64) async throws {
        let now = Self.timestamp(wallClock)
        // A sync is mostly reads on a laptop: no commit for an offset that has not moved.
        let stored = try await read { db in try Int64.fetchOne(db, sql: "SELECT clock_offset FROM replica") }
        if let stored, abs(stored - milliseconds) < 1_000 { return }
        try await Self.mapErrors(path: path) {
            try await commits.write { db in
                try db.execute(
                    sql: "UPDATE replica SET clock_offset = ?, clock_measured_at = ?", arguments: [milliseconds, now])
            }
        }
    }

    public func restampUnsent(after sentThrough: UInt64, beyond limit: HybridTimestamp) async throws -> Restamp {
        let replica = identity.replica.description
        let wallClock = self.wallClock
        // Almost always nothing to do: find out without a commit.
        let needed = try await read { db in
            try Bool.fetchOne(
                db,
                sql: """
                    SELECT EXISTS (SELECT 1 FROM ops WHERE replica = ? AND sequence > ? AND clock > ?)
                        OR (SELECT clock FROM replica) > ?
                    """,
                arguments: [
                    replica, Int64(bitPattern: sentThrough), Int64(bitPattern: limit.rawValue),
                    Int64(bitPattern: limit.rawValue),
                ]) ?? true
        }
        guard needed else { return Restamp(count: 0, shift: 0) }
        return try await Self.mapErrors(path: path) {
            try await commits.write { db in
                // Records are rebuilt below from the whole log: first bring them up to date with it.
                try Self.deriveTail(db)
                let first = try Int64.fetchOne(
                    db,
                    sql: "SELECT min(sequence) FROM ops WHERE replica = ? AND sequence > ? AND clock > ?",
                    arguments: [replica, Int64(bitPattern: sentThrough), Int64(bitPattern: limit.rawValue)])
                var restamp = Restamp(count: 0, shift: 0)
                var touched: Set<RecordID> = []
                if let first {
                    // Every later own op moves too, so that the replica's ops keep their order.
                    let base =
                        try Int64.fetchOne(
                            db, sql: "SELECT max(clock) FROM ops WHERE NOT (replica = ? AND sequence >= ?)",
                            arguments: [replica, first]) ?? 0
                    let offset = try Int64.fetchOne(db, sql: "SELECT clock_offset FROM replica")
                    // From the highest other clock, but never from beyond the limit: one op stamped
                    // far ahead elsewhere must not keep these ops stamped far ahead too.
                    var clock = HybridClock(
                        wallClock: Self.corrected(wallClock, offset: offset),
                        latest: min(HybridTimestamp(rawValue: UInt64(bitPattern: base)), limit))
                    let moving = try Row.fetchAll(
                        db,
                        sql:
                            "SELECT sequence, clock, record_id FROM ops WHERE replica = ? AND sequence >= ? ORDER BY sequence",
                        arguments: [replica, first])
                    let update = try db.cachedStatement(
                        sql: "UPDATE ops SET clock = ? WHERE replica = ? AND sequence = ?")
                    for row in moving {
                        let (sequence, old): (Int64, Int64) = (row[0], row[1])
                        let new = clock.tick()
                        if restamp.count == 0 {
                            restamp.shift =
                                Int64(HybridTimestamp(rawValue: UInt64(bitPattern: old)).milliseconds)
                                - Int64(new.milliseconds)
                        }
                        try update.execute(arguments: [Int64(bitPattern: new.rawValue), replica, sequence])
                        restamp.count += 1
                        if let record = RecordID(row[2] as String) { touched.insert(record) }
                    }
                }
                // The replica's clock goes back to what its ops say: a clock read a year ahead
                // must not stamp every later op a year ahead.
                let latest = try Int64.fetchOne(db, sql: "SELECT clock FROM replica") ?? 0
                if UInt64(bitPattern: latest) > limit.rawValue || restamp.count > 0 {
                    // Past its own ops, and past others' as far as the limit.
                    try db.execute(
                        sql: """
                            UPDATE replica SET clock = max(
                                coalesce((SELECT max(clock) FROM ops WHERE replica = ?), 0),
                                min(coalesce((SELECT max(clock) FROM ops), 0), ?))
                            """,
                        arguments: [replica, Int64(bitPattern: limit.rawValue)])
                }
                if restamp.count > 0 { try Self.rebuildRecords(db, only: touched) }
                return restamp
            }
        }
    }

    public func reconcile(ownOps serverCopies: [Op]) async throws -> Reconciliation {
        try await writeTransaction { ledger, writer in
            var differing: [Op] = []
            var missing: [Op] = []
            for copy in serverCopies {
                if let own = try Self.heldOp(copy.id, in: ledger.db) {
                    if own != copy { differing.append(copy) }
                } else {
                    missing.append(copy)
                }
            }
            let stored = try Self.receive(missing, into: &ledger, clock: &writer, vouched: true)
            try ledger.flush()
            return Reconciliation(stored: stored, differing: differing)
        }
    }

    public func reissue(
        replacing serverCopies: [Op], above sentThrough: UInt64, as newReplica: ReplicaID, reason: String
    ) async throws -> Reissue {
        let former = identity.replica
        let now = Self.timestamp(wallClock)
        let identity = self.identity
        return try await Self.mapErrors(path: path) {
            try await commits.write { db in
                // The replica's own ops that the server does not hold as they are: those it
                // holds with other content, and those above what it holds.
                let replaced = Set(serverCopies.map(\.id))
                let unsent = try Row.fetchAll(
                    db,
                    sql: "SELECT \(Self.opColumns) FROM ops WHERE replica = ? AND sequence > ? ORDER BY local_sequence",
                    arguments: [former.description, Int64(bitPattern: sentThrough)]
                ).map { try Self.op(from: $0) }
                let collided = try serverCopies.compactMap { try Self.heldOp($0.id, in: db) }
                let moving = (collided + unsent.filter { !replaced.contains($0.id) })
                var renamed: [OpID: OpID] = [:]
                for (index, op) in moving.enumerated() {
                    renamed[op.id] = OpID(replica: newReplica, sequence: UInt64(index + 1))
                }
                let delete = try db.cachedStatement(sql: "DELETE FROM ops WHERE replica = ? AND sequence = ?")
                for op in moving {
                    try delete.execute(arguments: [former.description, Int64(bitPattern: op.id.sequence)])
                }
                for copy in serverCopies { try SQLiteLedger.insert(copy, into: db) }
                for op in moving {
                    try SQLiteLedger.insert(
                        Op(
                            id: renamed[op.id]!, clock: op.clock, author: op.author, recordType: op.recordType,
                            recordID: op.recordID, scope: op.scope, field: op.field, payload: op.payload,
                            parents: op.parents.map { renamed[$0] ?? $0 }), into: db)
                }
                try db.execute(
                    sql:
                        "INSERT OR REPLACE INTO former_identities (replica, replaced_at, reason, reissued) VALUES (?, ?, ?, ?)",
                    arguments: [former.description, now, reason, moving.count])
                try db.execute(sql: "UPDATE replica SET id = ?", arguments: [newReplica.description])
                // Acknowledgements counted the former identity's ops.
                try db.execute(sql: "UPDATE peers SET pushed_through = 0")
                try Self.rebuildRecords(db)
                return Reissue(
                    former: former,
                    identity: ReplicaIdentity(replica: newReplica, worker: identity.worker, scopes: identity.scopes),
                    count: moving.count)
            }
        }
    }

    /// Rebuilds every record (or only `records`), with its typed row, heads, conflicts and
    /// awaited parents, by merging its ops again, record by record in local order: after clocks were restamped,
    /// ops issued again, or the merge rules changed. The op log itself is unchanged.
    static func rebuildRecords(_ db: Database, only records: Set<RecordID>? = nil) throws {
        let ids = records.map { $0.map(\.description) } ?? []
        let list = "(" + ids.map { _ in "?" }.joined(separator: ",") + ")"
        if records != nil {
            let arguments = StatementArguments(ids)
            for table in ["demands", "visits", "projects"] {
                try db.execute(sql: "DELETE FROM \(table) WHERE record_id IN \(list)", arguments: arguments)
            }
            for table in ["heads", "conflicts", "awaited", "record_text", "record_files"] {
                try db.execute(sql: "DELETE FROM \(table) WHERE record_id IN \(list)", arguments: arguments)
            }
            try db.execute(sql: "DELETE FROM records WHERE id IN \(list)", arguments: arguments)
        } else {
            try db.execute(
                sql: """
                    DELETE FROM demands; DELETE FROM visits; DELETE FROM projects; DELETE FROM heads;
                    DELETE FROM conflicts; DELETE FROM awaited; DELETE FROM record_text; DELETE FROM record_files;
                    DELETE FROM records;
                    """)
        }
        // Record by record, in chunks: parents are ops of the same record, so each record's
        // ops merged in their local order rebuild it whole, and a chunk's records are written
        // once and let go (a record split between two chunks is read back and written twice).
        var merged: Set<OpID> = []
        var after = ("", Int64(0))
        let selection = records == nil ? "" : "AND record_id IN \(list)"
        while true {
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT \(opColumns), local_sequence FROM ops WHERE (record_id, local_sequence) > (?, ?) \(selection)
                    ORDER BY record_id, local_sequence LIMIT 20000
                    """,
                arguments: StatementArguments([after.0 as any DatabaseValueConvertible, after.1] + ids))
            guard let last = rows.last else { break }
            var ledger = try SQLiteLedger(db: db, replayingAfter: 0, merged: merged)
            for row in rows { try ledger.merge(try op(from: row)) }
            try ledger.flush()
            merged = ledger.mergedHere
            after = (last["record_id"], last["local_sequence"])
        }
        if records == nil {
            try db.execute(
                sql: """
                    UPDATE replica SET rules = ?, derived_through = coalesce((SELECT max(local_sequence) FROM ops), 0)
                    """, arguments: [rules])
        }
    }
}

extension SQLiteReplicaStore {
    public func giveBack(to server: ReplicaID, lineage: [ReplicaID]) async throws -> ClosedRange<Int64>? {
        // Without a lineage there is no first meeting to record: only read what is left.
        if lineage.isEmpty {
            return try await read { db in try Self.givingBack(to: server, in: db) ?? nil }
        }
        return try await Self.mapErrors(path: path) {
            try await commits.write { db in
                if let known = try Self.givingBack(to: server, in: db) { return known }
                // The first meeting: a server that continues one this replica synced with was
                // restored from a backup, and gets back everything this replica holds now.
                guard
                    try Bool.fetchOne(
                        db,
                        sql:
                            "SELECT EXISTS (SELECT 1 FROM peers WHERE replica IN (\(lineage.map { _ in "?" }.joined(separator: ","))))",
                        arguments: StatementArguments(lineage.map(\.description))) == true
                else { return nil }
                let until = try Int64.fetchOne(db, sql: "SELECT coalesce(max(local_sequence), 0) FROM ops") ?? 0
                try db.execute(
                    sql: "INSERT INTO peers (replica, return_until) VALUES (?, ?)",
                    arguments: [server.description, until])
                return until > 0 ? 1...until : nil
            }
        }
    }

    /// What is left to give back to a server this replica has met: `nil` if it never met it,
    /// `.some(nil)` if nothing is left.
    private static func givingBack(to server: ReplicaID, in db: Database) throws -> ClosedRange<Int64>?? {
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT return_until, returned_through FROM peers WHERE replica = ?",
                arguments: [server.description])
        else { return nil }
        let (until, through): (Int64, Int64) = (row[0], row[1])
        return .some(through < until ? (through + 1)...until : nil)
    }

    public func markGivenBack(to server: ReplicaID, through: Int64) async throws {
        try await Self.mapErrors(path: path) {
            try await commits.write { db in
                try db.execute(
                    sql: "UPDATE peers SET returned_through = max(returned_through, ?) WHERE replica = ?",
                    arguments: [through, server.description])
            }
        }
    }

    /// Gives the replica in `folder`, just put back from a backup, a new id that continues
    /// the history of its former one: its own ops from now on cannot collide with the ops
    /// it wrote after the backup was taken, which laptops still hold and give back.
    ///
    /// - Parameter replaced: the identity of the replica the backup replaces, whose history
    ///   (if the backup is older than its own restore) the new id continues too.
    /// - Returns: the new identity.
    public static func continueAfterRestore(
        in folder: String, as newReplica: ReplicaID, replacing replaced: ReplicaIdentity? = nil,
        wallClock: any WallClock = SystemWallClock()
    ) throws -> ReplicaIdentity {
        let store = try open(in: folder, wallClock: wallClock)
        let former = store.identity
        var ids: [ReplicaID] = []
        let candidates = (replaced.map { [$0.replica] + $0.lineage } ?? []) + [former.replica] + former.lineage
        for id in candidates where !ids.contains(id) { ids.append(id) }
        let lineage = ids.prefix(16).map(\.description).joined(separator: " ")
        try mapErrors(path: store.path) {
            try store.database.write { db in
                try db.execute(
                    sql: "UPDATE replica SET id = ?, lineage = ?, restored_at = ?",
                    arguments: [
                        newReplica.description, lineage, Int64(clamping: wallClock.millisecondsSince1970()),
                    ])
            }
            try store.database.close()
        }
        return try open(in: folder, wallClock: wallClock).identity
    }
}
