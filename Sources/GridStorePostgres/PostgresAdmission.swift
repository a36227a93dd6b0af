import GridMerge
import GridModel
import GridStore
import Logging
import PostgresNIO

/// The admission of one group of pushes, inside its transaction: what the log holds of the
/// group's ops, their parents, writers and records is read in three statements for the whole
/// group (``prefetch(_:on:logger:)``), and then each push's ops go through the same rules as on
/// SQLite (``OpAdmission``, the writer's order, the drift bound on clocks, the record's type
/// and scope) in memory. The ops admitted wait in ``admitted`` for the group's one numbered
/// insert.
struct PostgresAdmission {
    /// The ops of the group admitted so far, in order.
    private(set) var admitted: [Op] = []
    /// The same, by id: later pushes of the group see them as held.
    private var pending: [OpID: Op] = [:]
    /// The next sequence expected of each writer, the group's pushes included.
    private var next: [ReplicaID: UInt64] = [:]
    /// Each record's type and scope, as its first op said.
    private var kinds: [RecordID: (RecordType, GridScope)] = [:]
    /// The ops the log held of those the group names, by id.
    private var held: [OpID: Op] = [:]
    /// Checks each op's clock against this daemon's wall clock.
    private var writer: OpWriter

    init(server: ReplicaIdentity, wallClock: any WallClock) {
        writer = OpWriter(replica: server.replica, author: server.worker, clock: HybridClock(wallClock: wallClock))
    }

    /// Reads what the log holds of what `group`'s pushes name: their ops and parents, their
    /// writers' held sequences, their records' type and scope.
    mutating func prefetch(_ group: [[Op]], on connection: PostgresConnection, logger: Logger) async throws {
        var wanted = Set<OpID>()
        var writers = Set<ReplicaID>()
        var records = Set<RecordID>()
        for op in group.joined() {
            wanted.insert(op.id)
            wanted.formUnion(op.parents)
            writers.insert(op.id.replica)
            records.insert(op.recordID)
        }
        held = try await Self.heldOps(wanted, on: connection, logger: logger)
        for (replica, sequence) in try await PostgresServerStore.heldThrough(
            of: writers, on: connection, logger: logger)
        {
            next[replica] = sequence + 1
        }
        kinds = try await Self.kinds(of: records, on: connection, logger: logger)
    }

    /// Admits one client's push, all or nothing: a refused op leaves the group as it was.
    /// Call ``prefetch(_:on:logger:)`` with the group first.
    ///
    /// - Returns: how many of its ops were new.
    /// - Throws: the merge core's ``MergeError`` for a refused op.
    mutating func admit(_ ops: [Op]) throws -> Int {
        // Checked on a copy: a refusal leaves the group's state as it was.
        var trial = self
        var earlier: [OpID: Op] = [:]
        var stored = 0
        for op in ops where try trial.admit(op, inOrder: true, earlier: &earlier) {
            stored += 1
        }
        self = trial
        return stored
    }

    /// Admits what `client` gives back to a restored server: its own ops as a push's, all or
    /// nothing; another replica's each on its own, if written no later than `latest` and
    /// under the rules but for its writer's order (a laptop holds only its grids' ops). One
    /// that fails is left out, counted in `skipped`, and so are the ops built on it (their
    /// parent is missing).
    ///
    /// - Throws: the merge core's ``MergeError`` for a refused op of the client's own.
    mutating func admitGivenBack(_ ops: [Op], by client: ReplicaID, writtenBy latest: UInt64) throws
        -> IngestResult
    {
        var trial = self
        var earlier: [OpID: Op] = [:]
        var result = IngestResult(stored: 0)
        for op in ops {
            if op.id.replica == client {
                if try trial.admit(op, inOrder: true, earlier: &earlier) { result.stored += 1 }
                continue
            }
            var attempt = trial
            do {
                try OpAdmission.checkWrittenBefore(op, latest: latest)
                if try attempt.admit(op, inOrder: false, earlier: &earlier) { result.stored += 1 }
                trial = attempt
            } catch is MergeError {
                result.skipped += 1
            }
        }
        self = trial
        return result
    }

    /// Admits one op into this state: whether it was new (`false`: held already). `inOrder`:
    /// it must follow its writer's previous op.
    private mutating func admit(_ op: Op, inOrder: Bool, earlier: inout [OpID: Op]) throws -> Bool {
        if inOrder {
            next[op.id.replica] = try OpAdmission.checkOrder(op, expected: next[op.id.replica] ?? 1)
        }
        let (pending, held) = (self.pending, self.held)
        let verdict = try OpAdmission.check(op, held: { pending[$0] ?? held[$0] }, earlier: earlier)
        guard verdict == .new else { return false }
        try op.validate()
        let (type, scope) = kinds[op.recordID] ?? (op.recordType, op.scope)
        try op.fits(type: type, scope: scope)
        try writer.observe(clockOf: op)
        kinds[op.recordID] = (type, scope)
        self.pending[op.id] = op
        admitted.append(op)
        earlier[op.id] = op
        return true
    }

    /// The ops with these ids that the log holds.
    private static func heldOps(_ ids: Set<OpID>, on connection: PostgresConnection, logger: Logger) async throws
        -> [OpID: Op]
    {
        guard !ids.isEmpty else { return [:] }
        let replicas = ids.map(\.replica.description)
        let sequences = ids.map { Int64(bitPattern: $0.sequence) }
        let rows = try await connection.query(
            """
            SELECT \(unescaped: PostgresServerStore.opColumns) FROM ops
            WHERE (replica, sequence) IN (SELECT * FROM unnest(\(replicas)::text[], \(sequences)::bigint[]))
            """, logger: logger)
        var held: [OpID: Op] = [:]
        for try await row in rows {
            let op = try PostgresServerStore.op(from: row.makeRandomAccess(), at: 0)
            held[op.id] = op
        }
        return held
    }

    /// The type and scope under which the log holds each of these records, as its first op said.
    private static func kinds(of records: Set<RecordID>, on connection: PostgresConnection, logger: Logger)
        async throws -> [RecordID: (RecordType, GridScope)]
    {
        guard !records.isEmpty else { return [:] }
        let rows = try await connection.query(
            """
            SELECT DISTINCT ON (record_id) record_id, record_type, scope FROM ops
            WHERE record_id = ANY(\(records.map(\.description))::text[])
            """, logger: logger)
        var kinds: [RecordID: (RecordType, GridScope)] = [:]
        for try await row in rows {
            let (id, type, scope) = try row.decode((String, String, String).self)
            guard let id = RecordID(id), let type = RecordType(rawValue: type), let scope = GridScope(scope) else {
                throw StoreError(
                    .corrupt, "an op row names an unreadable record type or scope: restore the database from a backup")
            }
            kinds[id] = (type, scope)
        }
        return kinds
    }
}
