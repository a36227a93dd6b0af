import GridAccounts
import GridMerge
import GridModel
import GridStore
import Logging
import PostgresNIO

/// A daemon folder's op log and accounts copied into an empty PostgreSQL database, and the
/// copy checked: `gridsyncd migrate`, when a street joins a district's database.
///
/// The copy keeps the server's identity (id, lineage, restore time) and every op's local
/// sequence, so a laptop sees the same server afterwards and its pull cursor stays right: it
/// pulls nothing twice and misses nothing. Everything is copied in one transaction: an
/// interrupted copy leaves the database as it was.
public struct PostgresFolderCopy: Sendable {
    /// What was copied.
    public struct Counts: Hashable, Sendable, Codable {
        public var ops = 0
        public var accounts = 0
        public var devices = 0
        /// The last local sequence, where the database's numbering goes on.
        public var head: Int64 = 0
    }

    let pool: PostgresPool

    /// A copy into `client`'s database.
    public init(
        client: PostgresClient, patience: Duration = .seconds(60), logger: Logger = Logger(label: "gridsync.postgres")
    ) {
        pool = PostgresPool(client: client, patience: Patience(limit: patience), logger: logger)
    }

    /// How many ops are read and written at a time.
    static let chunk = 5_000

    /// Copies `replica`'s op log and `accounts` (if the folder has any), telling `progress` how
    /// many ops are copied so far.
    ///
    /// - Throws: ``StoreError/Code/alreadyExists`` for a database that holds a server, ops or
    ///   accounts already; the errors of the stores.
    public func copy(
        from replica: SQLiteReplicaStore, accounts: AccountStore?,
        progress: @escaping @Sendable (Int) -> Void = { _ in }
    ) async throws -> Counts {
        let identity = replica.identity
        let exported = try await accounts?.export()
        let logger = pool.logger
        return try await pool.withConnection { connection in
            _ = try await PostgresSchema.migrate(connection, logger: logger)
            return try await connection.withTransaction(logger: logger) { connection in
                try await connection.query(
                    "SELECT pg_advisory_xact_lock(\(PostgresSchema.migrationLock))", logger: logger)
                let held = try await connection.query(
                    """
                    SELECT (SELECT count(*) FROM server), (SELECT count(*) FROM ops), (SELECT count(*) FROM accounts)
                    """, logger: logger
                ).collect().first?.decode((Int, Int, Int).self)
                if let held, held != (0, 0, 0) {
                    throw StoreError(
                        .alreadyExists,
                        "the database already holds a GridSync server (\(held.1) ops, \(held.2) accounts): "
                            + "migrate into an empty database (CREATE DATABASE …), or start the daemons on this one as it is"
                    )
                }
                try await connection.query(
                    """
                    INSERT INTO server (id, worker, lineage, restored_at)
                    VALUES (\(identity.replica.description), \(identity.worker.rawValue),
                        \(identity.lineage.map(\.description).joined(separator: " ")),
                        \(identity.restoredAt.map { Int64($0) }))
                    """, logger: logger)
                var counts = Counts()
                while true {
                    let numbered = try await replica.numberedOps(after: counts.head, limit: Self.chunk)
                    guard let last = numbered.last else { break }
                    try await PostgresGroupCommit.insert(
                        numbered.map(\.op), numbers: numbered.map(\.localSequence), on: connection, logger: logger)
                    counts.ops += numbered.count
                    counts.head = last.localSequence
                    progress(counts.ops)
                }
                try await connection.query("UPDATE op_log_head SET last = \(counts.head)", logger: logger)
                for stored in exported?.accounts ?? [] {
                    let account = stored.account
                    try await connection.query(
                        """
                        INSERT INTO accounts (worker, role, scopes, token_hash, token_hint, created_at, revoked_at,
                            password_hash)
                        VALUES (\(account.worker.rawValue), \(account.role.rawValue),
                            \(account.scopes.map(\.description).joined(separator: " ")), \(stored.tokenHash),
                            \(account.tokenHint), \(account.createdAt), \(account.revokedAt), \(stored.passwordHash))
                        """, logger: logger)
                    counts.accounts += 1
                }
                for device in exported?.devices ?? [] {
                    try await connection.query(
                        """
                        INSERT INTO devices (replica, worker, first_seen, last_seen, last_sync_at, last_ending,
                            last_pushed, last_pulled, pulled_through, given_back, recovered)
                        VALUES (\(device.replica.description), \(device.worker.rawValue), \(device.firstSeen),
                            \(device.lastSeen), \(device.lastSyncAt), \(device.lastEnding), \(device.lastPushed),
                            \(device.lastPulled), \(device.pulledThrough), \(device.givenBack), \(device.recovered))
                        """, logger: logger)
                    counts.devices += 1
                }
                return counts
            }
        }
    }

    /// Reads the copy back and compares it with the folder: the identity, every op under its
    /// local sequence, the head, every account with its token's hash, every device.
    ///
    /// - Returns: the differences found, in words (empty for a faithful copy).
    public func verify(against replica: SQLiteReplicaStore, accounts: AccountStore?) async throws -> [String] {
        var differences: [String] = []
        let store = try await PostgresServerStore.open(client: pool.client, worker: replica.identity.worker)
        if store.identity != replica.identity {
            differences.append("the server's identity is \(store.identity), the folder's \(replica.identity)")
        }
        var after: Int64 = 0
        while true {
            let folder = try await replica.numberedOps(after: after, limit: Self.chunk)
            let copied = try await pool.rows(
                """
                SELECT local_sequence, \(unescaped: PostgresServerStore.opColumns) FROM ops
                WHERE local_sequence > \(after) ORDER BY local_sequence LIMIT \(Int64(Self.chunk))
                """
            ) { row in
                let cells = row.makeRandomAccess()
                return (try cells[0].decode(Int64.self), try PostgresServerStore.op(from: cells, at: 1))
            }
            for (index, (number, op)) in folder.enumerated() {
                guard index < copied.count else {
                    differences.append("op \(op.id) (local sequence \(number)) is missing from the database")
                    break
                }
                if copied[index].0 != number || copied[index].1 != op {
                    differences.append(
                        "op \(op.id) (local sequence \(number)) differs: the database has \(copied[index].1.id) "
                            + "under \(copied[index].0)")
                }
            }
            if copied.count > folder.count { differences.append("the database holds ops the folder does not") }
            guard let last = folder.last, differences.count < 20 else { break }
            after = last.localSequence
        }
        let head = try await pool.rows("SELECT last FROM op_log_head") { try $0.decode(Int64.self) }.first ?? -1
        if head != after {
            differences.append("the database's numbering goes on after \(head), the folder's after \(after)")
        }
        let exported = try await accounts?.export()
        let copiedAccounts = try await pool.rows(
            """
            SELECT worker, role, scopes, token_hint, created_at, revoked_at, token_hash, password_hash
            FROM accounts ORDER BY worker
            """
        ) { row in
            let (worker, role, scopes, hint, created, revoked, hash, password) =
                try row.decode((String, String, String, String, String, String?, String, String?).self)
            return StoredAccount(
                account: try AccountRules.account(
                    worker: worker, role: role, scopes: scopes, tokenHint: hint, createdAt: created, revokedAt: revoked,
                    in: PostgresAccountStore.place),
                tokenHash: hash, passwordHash: password)
        }
        if copiedAccounts != (exported?.accounts ?? []) {
            differences.append(
                "the accounts differ: \(copiedAccounts.count) in the database, \(exported?.accounts.count ?? 0) in the folder"
            )
        }
        if try await store.accounts.devices() != (exported?.devices ?? []) {
            differences.append("the devices differ")
        }
        return differences
    }
}
