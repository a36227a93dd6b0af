import GridMerge
import GridModel
import GridStore
import Logging
import PostgresNIO
import _ConnectionPoolModule

/// The daemons' op log in one PostgreSQL database: every daemon opened on it presents the
/// same server to laptops, takes in their pushes and serves their pulls.
///
/// **Numbers in commit order.** Each daemon commits the pushes of the moment together
/// (``PostgresGroupCommit``). A commit takes its local sequences last, by updating the
/// one row of `op_log_head`, and holds that row's lock until it has committed: the numbers
/// of the log become visible in the order they were handed out, and every snapshot sees
/// them as an unbroken run from 1. A pull reads its batch and the head in one statement,
/// so it never passes a number that a slower transaction has yet to commit
/// (`docs/ARCHITECTURE.md`, "Several daemons on one PostgreSQL").
///
/// The client (`PostgresClient`) is run by the caller, as the daemon runs its services.
public final class PostgresServerStore: ServerStore {
    /// What a store may be told beyond its database.
    public struct Options: Sendable {
        /// The most ops of pushes committed together.
        public var groupOps = 20_000
        /// How many times a group is tried again when another daemon committed one of its
        /// ops first (a laptop pushing the same ops through two daemons at once).
        public var attempts = 3
        /// How long a daemon waits for the database before answering `unavailable`.
        public var patience: Duration = .seconds(10)
        /// A pause between taking a group's numbers and committing it, drawn from this range:
        /// a slow disk or a long round trip to the database, played by the tests.
        public var pauseBeforeCommit: ClosedRange<Duration>?

        /// The default options.
        public init() {}
    }

    /// Who the server is: the same for every daemon on the database.
    public let identity: ReplicaIdentity
    let pool: PostgresPool
    let commits: PostgresGroupCommit
    let wallClock: any WallClock

    private init(identity: ReplicaIdentity, pool: PostgresPool, wallClock: any WallClock, options: Options) {
        self.identity = identity
        self.pool = pool
        self.wallClock = wallClock
        commits = PostgresGroupCommit(pool: pool, identity: identity, wallClock: wallClock, options: options)
    }

    /// Opens the op log in `client`'s database, bringing its schema up to date and making
    /// the server's identity, recorded for `worker`, if no daemon has yet.
    ///
    /// - Throws: ``StoreError/Code/newerVersion`` for a database a newer GridSync migrated;
    ///   ``StoreError/Code/unavailable`` if the database cannot be reached.
    public static func open(
        client: PostgresClient, worker: WorkerID, wallClock: any WallClock = SystemWallClock(),
        options: Options = Options(), logger: Logger = Logger(label: "gridsync.postgres")
    ) async throws -> PostgresServerStore {
        let pool = PostgresPool(client: client, patience: Patience(limit: options.patience), logger: logger)
        let identity = try await pool.withConnection { connection in
            _ = try await PostgresSchema.migrate(connection, logger: logger)
            return try await connection.withTransaction(logger: logger) { connection in
                try await connection.query(
                    "SELECT pg_advisory_xact_lock(\(PostgresSchema.migrationLock))", logger: logger)
                try await connection.query(
                    """
                    INSERT INTO server (id, worker) VALUES (\(ReplicaID.random().description), \(worker.rawValue))
                    ON CONFLICT (singleton) DO NOTHING
                    """, logger: logger)
                return try await readIdentity(connection, logger: logger)
            }
        }
        return PostgresServerStore(identity: identity, pool: pool, wallClock: wallClock, options: options)
    }

    /// Opens the op log that daemons made in `client`'s database, for the office's tools:
    /// nothing is migrated or made.
    ///
    /// - Throws: ``StoreError/Code/notAReplica`` for a database no daemon has opened;
    ///   ``StoreError/Code/newerVersion`` for a schema this GridSync does not know, older or
    ///   newer; ``StoreError/Code/unavailable`` if the database cannot be reached.
    public static func openExisting(
        client: PostgresClient, wallClock: any WallClock = SystemWallClock(), options: Options = Options(),
        logger: Logger = Logger(label: "gridsync.postgres")
    ) async throws -> PostgresServerStore {
        let pool = PostgresPool(client: client, patience: Patience(limit: options.patience), logger: logger)
        let identity = try await pool.withConnection { connection in
            let found = try await PostgresSchema.version(connection, logger: logger)
            guard found > 0 else {
                throw StoreError(
                    .notAReplica,
                    "the database holds no GridSync op log yet: start gridsyncd on it first, or check the address")
            }
            guard found == PostgresSchema.migrations.count else {
                guard found < PostgresSchema.migrations.count else { throw PostgresSchema.newer(found) }
                throw StoreError(
                    .newerVersion,
                    "the database's schema is older (\(found)) than this GridSync's (\(PostgresSchema.migrations.count)): "
                        + "start this version's gridsyncd on it once to upgrade it")
            }
            return try await readIdentity(connection, logger: logger)
        }
        return PostgresServerStore(identity: identity, pool: pool, wallClock: wallClock, options: options)
    }

    /// Gives the op log in `client`'s database, just put back from a dump, a new server id
    /// that continues the history of the one the dump holds, as a folder's restore does: the
    /// laptops that synced with the former server give back what the dump missed, and nothing
    /// numbered after the dump was taken can be confused with what is numbered now. Every
    /// daemon on the database must be stopped while it runs.
    ///
    /// - Returns: the new identity.
    /// - Throws: ``StoreError/Code/notAReplica`` for a database without an op log.
    public static func continueAfterRestore(
        client: PostgresClient, as newReplica: ReplicaID, wallClock: any WallClock = SystemWallClock(),
        logger: Logger = Logger(label: "gridsync.postgres")
    ) async throws -> ReplicaIdentity {
        let store = try await openExisting(client: client, wallClock: wallClock, logger: logger)
        let former = store.identity
        var ids: [ReplicaID] = []
        for id in [former.replica] + former.lineage where !ids.contains(id) { ids.append(id) }
        let lineage = ids.prefix(16).map(\.description).joined(separator: " ")
        let restoredAt = Int64(clamping: wallClock.millisecondsSince1970())
        return try await store.pool.withConnection { connection in
            try await connection.query(
                """
                UPDATE server SET id = \(newReplica.description), lineage = \(lineage), restored_at = \(restoredAt)
                """, logger: logger)
            return try await readIdentity(connection, logger: logger)
        }
    }

    /// Checks, without writing anything, that `client`'s database can be reached and holds a
    /// schema this GridSync can open (or none yet: the first daemon makes it).
    ///
    /// - Returns: the schema version found (0 for none) and the one this GridSync brings.
    /// - Throws: ``StoreError/Code/newerVersion``, ``StoreError/Code/unavailable``.
    public static func check(
        client: PostgresClient, options: Options = Options(), logger: Logger = Logger(label: "gridsync.postgres")
    )
        async throws -> (found: Int, current: Int)
    {
        let pool = PostgresPool(client: client, patience: Patience(limit: options.patience), logger: logger)
        let found = try await pool.withConnection { connection in
            try await PostgresSchema.version(connection, logger: logger)
        }
        guard found <= PostgresSchema.migrations.count else { throw PostgresSchema.newer(found) }
        return (found, PostgresSchema.migrations.count)
    }

    /// Reads the server's identity and lineage.
    private static func readIdentity(_ connection: PostgresConnection, logger: Logger) async throws
        -> ReplicaIdentity
    {
        let rows = try await connection.query("SELECT id, worker, lineage, restored_at FROM server", logger: logger)
        for try await row in rows {
            let (id, worker, lineage, restoredAt) = try row.decode((String, String, String, Int64?).self)
            guard let replica = ReplicaID(id), let worker = WorkerID(worker) else {
                throw StoreError(.corrupt, "the server row names an unreadable id: restore the database from a backup")
            }
            var identity = ReplicaIdentity(replica: replica, worker: worker, scopes: [])
            identity.lineage = lineage.split(separator: " ").compactMap { ReplicaID(String($0)) }
            identity.restoredAt = restoredAt.map { UInt64($0) }
            return identity
        }
        throw StoreError(.corrupt, "the database has no server row: restore it from a backup")
    }

    /// The workers' accounts, in the same database.
    public var accounts: PostgresAccountStore { PostgresAccountStore(pool: pool) }

    // MARK: - Serving laptops

    public func heldThrough(of writer: ReplicaID) async throws -> UInt64 {
        let logger = pool.logger
        return try await pool.withConnection { connection in
            try await Self.heldThrough(of: [writer], on: connection, logger: logger)[writer] ?? 0
        }
    }

    /// For each of `writers`, the highest `n` such that the log holds every of its ops from 1 to `n`,
    /// in one statement.
    static func heldThrough(of writers: Set<ReplicaID>, on connection: PostgresConnection, logger: Logger)
        async throws -> [ReplicaID: UInt64]
    {
        guard !writers.isEmpty else { return [:] }
        // Without a gap the count is the highest sequence; a gap (a restored server given some
        // of a replica's ops back) ends the run at the first op whose successor is missing.
        let rows = try await connection.query(
            """
            SELECT w.replica, h.held FROM unnest(\(writers.map(\.description))::text[]) AS w(replica)
            CROSS JOIN LATERAL (
                SELECT CASE WHEN count(*) = coalesce(max(sequence), 0) THEN coalesce(max(sequence), 0)
                    WHEN NOT EXISTS (SELECT 1 FROM ops WHERE replica = w.replica AND sequence = 1) THEN 0
                    ELSE (SELECT min(o.sequence) FROM ops o WHERE o.replica = w.replica AND NOT EXISTS (
                        SELECT 1 FROM ops p WHERE p.replica = o.replica AND p.sequence = o.sequence + 1))
                    END AS held
                FROM ops WHERE replica = w.replica) h
            """, logger: logger)
        var held: [ReplicaID: UInt64] = [:]
        for try await (replica, sequence) in rows.decode((String, Int64).self) {
            guard let replica = ReplicaID(replica) else { continue }
            held[replica] = UInt64(sequence)
        }
        return held
    }

    public func ops(of writer: ReplicaID, after sequence: UInt64, limit: Int) async throws -> [Op] {
        try await pool.rows(
            """
            SELECT \(unescaped: Self.opColumns) FROM ops
            WHERE replica = \(writer.description) AND sequence > \(Int64(bitPattern: sequence))
            ORDER BY sequence LIMIT \(Int64(limit))
            """
        ) { row in try Self.op(from: row.makeRandomAccess(), at: 0) }
    }

    public func batch(after localSequence: Int64, limit: Int, scopes: [GridScope], writers: OpWriters) async throws
        -> OpBatch
    {
        let selection = ScopeSelection(scopes)
        var only: String?
        var allBut: String?
        switch writers {
        case .all: break
        case .only(let replica): only = replica.description
        case .allBut(let replica): allBut = replica.description
        }
        let references = RecordType.allCases.filter(\.isReference).map(\.key)
        // One statement, one snapshot: the head and the ops below it. Each term seeks its scope
        // (or community) in local order, a batch's worth; the union is cut to a batch.
        var query = PostgresQuery(
            unsafeSQL: """
                SELECT h.last, b.* FROM op_log_head h LEFT JOIN LATERAL (
                    SELECT * FROM (
                        \(Self.term("scope = t.key", keys: 3))
                        UNION ALL \(Self.term("scope = t.key AND record_type = ANY($7::text[])", keys: 6))
                        UNION ALL \(Self.term("community = t.key", keys: 8))
                    ) u ORDER BY local_sequence LIMIT $2
                ) b ON true
                """)
        query.binds.append(localSequence)
        query.binds.append(Int64(limit))
        query.binds.append(selection.grids)
        query.binds.append(only)
        query.binds.append(allBut)
        query.binds.append(selection.referenceCommunities)
        query.binds.append(references)
        query.binds.append(selection.communities)
        let (head, numbered) = try await numberedOps(query)
        var seen = Set<Int64>()
        // A grid and its community both named return the grid's ops twice.
        let ops = numbered.filter { seen.insert($0.0).inserted }.map(\.1)
        if numbered.count == limit, let last = numbered.last {
            return OpBatch(ops: ops, through: last.0, more: true)
        }
        // Fewer than asked: everything numbered up to the head has been looked at.
        return OpBatch(ops: ops, through: max(head, localSequence), more: false)
    }

    public func opCount(after localSequence: Int64, scopes: [GridScope], excluding replica: ReplicaID) async throws
        -> Int
    {
        // The scopes as a pull selects them (``batch(after:limit:scopes:writers:)``).
        let selection = ScopeSelection(scopes)
        let references = RecordType.allCases.filter(\.isReference).map(\.key)
        let counts = try await pool.rows(
            """
            SELECT count(*) FROM ops WHERE local_sequence > \(localSequence) AND replica <> \(replica.description)
                AND (scope = ANY(\(selection.grids)::text[])
                    OR (scope = ANY(\(selection.referenceCommunities)::text[]) AND record_type = ANY(\(references)::text[]))
                    OR community = ANY(\(selection.communities)::text[]))
            """
        ) { row in try row.decode(Int64.self) }
        return Int(counts.first ?? 0)
    }

    /// Up to `limit` ops of the whole log stored after `localSequence`, every scope's and every
    /// writer's, in local order: what a mirror of the log reads (``PostgresMirror``). Like a
    /// laptop's batch, it is read with the head in one snapshot, so it never passes a number
    /// still being committed.
    public func logBatch(after localSequence: Int64, limit: Int) async throws -> OpBatch {
        let (head, numbered) = try await numberedOps(
            """
            SELECT h.last, b.* FROM op_log_head h LEFT JOIN LATERAL (
                SELECT \(unescaped: Self.opColumns), local_sequence FROM ops
                WHERE local_sequence > \(localSequence) ORDER BY local_sequence LIMIT \(Int64(limit))
            ) b ON true
            """)
        if numbered.count == limit, let last = numbered.last {
            return OpBatch(ops: numbered.map(\.1), through: last.0, more: true)
        }
        return OpBatch(ops: numbered.map(\.1), through: max(head, localSequence), more: false)
    }

    /// Runs a query whose rows are the log's head, then an op and its number (none when no op
    /// is selected): returns the head and the numbered ops.
    private func numberedOps(_ query: PostgresQuery) async throws -> (head: Int64, ops: [(Int64, Op)]) {
        let rows = try await pool.rows(query) { row in
            let cells = row.makeRandomAccess()
            let head = try cells[0].decode(Int64.self)
            guard let number = try cells[11].decode(Int64?.self) else { return (head, nil as (Int64, Op)?) }
            return (head, (number, try Self.op(from: cells, at: 1)))
        }
        return (rows.first?.0 ?? 0, rows.compactMap(\.1))
    }

    /// The local sequence of the last op committed to the log.
    public func logHead() async throws -> Int64 {
        try await pool.rows("SELECT last FROM op_log_head") { row in try row.decode(Int64.self) }.first ?? 0
    }

    /// The ids of the records that ops numbered in `numbers` edit.
    public func recordsEdited(in numbers: ClosedRange<Int64>) async throws -> Set<RecordID> {
        let ids = try await pool.rows(
            """
            SELECT DISTINCT record_id FROM ops
            WHERE local_sequence BETWEEN \(numbers.lowerBound) AND \(numbers.upperBound)
            """
        ) { row in try row.decode(String.self) }
        return Set(ids.compactMap(RecordID.init))
    }

    /// One term of a batch's union: the ops after the cursor of each key in the array bound
    /// at `keys`, read by seeking `condition`'s index in local order.
    private static func term(_ condition: String, keys: Int) -> String {
        """
        (SELECT x.* FROM unnest($\(keys)::text[]) AS t(key) CROSS JOIN LATERAL (
            SELECT \(opColumns), local_sequence FROM ops
            WHERE \(condition) AND local_sequence > $1
                AND ($4::text IS NULL OR replica = $4) AND ($5::text IS NULL OR replica <> $5)
            ORDER BY local_sequence LIMIT $2) x)
        """
    }

    public func admit(_ ops: [Op], pushedBy client: ReplicaID) async throws -> IngestResult {
        try await commits.admit(ops)
    }

    public func admitGivenBack(_ ops: [Op], by client: ReplicaID) async throws -> IngestResult {
        let latest = try Self.givenBackLimit(restoredAt: identity.restoredAt, now: wallClock.millisecondsSince1970())
        return try await commits.admitGivenBack(ops, by: client, writtenBy: latest)
    }

    // MARK: - Rows and errors

    /// The columns of an op row, in the order ``op(from:at:)`` reads them.
    static let opColumns = "replica, sequence, clock, author, record_type, record_id, scope, field, payload, parents"

    /// Decodes the op row whose ``opColumns`` start at column `first`.
    static func op(from cells: PostgresRandomAccessRow, at first: Int) throws -> Op {
        try OpRow(
            replica: cells[first].decode(String.self), sequence: cells[first + 1].decode(Int64.self),
            clock: cells[first + 2].decode(Int64.self), author: cells[first + 3].decode(String.self),
            recordType: cells[first + 4].decode(String.self), recordID: cells[first + 5].decode(String.self),
            scope: cells[first + 6].decode(String.self), field: cells[first + 7].decode(String.self),
            payload: cells[first + 8].decode(String.self), parents: cells[first + 9].decode(String.self)
        ).op()
    }

    /// The store error a caller sees for any failure talking to PostgreSQL.
    static func storeError(_ error: any Error) -> StoreError {
        switch error {
        case let error as StoreError:
            return error
        case let error as MergeError where error.code == .unknownRecord:
            return StoreError(.unknownRecord, error.message, cause: error)
        case let error as MergeError:
            return StoreError(.refused, error.message, cause: error)
        case let error as PostgresTransactionError:
            return storeError(
                error.closureError ?? error.beginError ?? error.commitError ?? error.rollbackError ?? error)
        case is ConnectionPoolError, is Patience.Exhausted:
            return StoreError(
                .unavailable,
                "PostgreSQL cannot be reached: check that it runs and that the daemon's store address is right",
                cause: error)
        case let error as PSQLError:
            let state = error.serverInfo?[.sqlState] ?? ""
            let message = error.serverInfo?[.message] ?? "\(error.code)"
            if error.code == .server {
                switch state {
                case "53100":
                    return StoreError(
                        .diskFull, "PostgreSQL's disk is full: free space on it; nothing was written", cause: error)
                case "23505", "40001", "40P01":
                    return StoreError(
                        .busy, "another daemon was storing the same ops at the same moment: sync again", cause: error)
                case _ where state.hasPrefix("08") || state.hasPrefix("57"):
                    return StoreError(
                        .unavailable, "PostgreSQL is restarting or shutting down (\(message)): sync again in a minute",
                        cause: error)
                default:
                    return StoreError(.database, "PostgreSQL failed: \(message) (SQLSTATE \(state))", cause: error)
                }
            }
            return StoreError(
                .unavailable,
                "PostgreSQL cannot be reached (\(error.code)): check that it runs and that the daemon's store address is right",
                cause: error)
        default:
            return StoreError(.database, "PostgreSQL: \(error)", cause: error)
        }
    }
}
