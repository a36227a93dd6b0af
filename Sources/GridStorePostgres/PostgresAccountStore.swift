import GridAccounts
import GridMerge
import GridModel
import GridStore
import PostgresNIO

/// The workers' accounts in the daemons' database: one token works on every daemon, and a
/// token revoked through one is refused by all at the next connection.
public struct PostgresAccountStore: AccountBook {
    /// Where error messages say the accounts are.
    static let place = "the database's accounts table"

    let pool: PostgresPool

    public func add(worker: WorkerID, role: WorkerRole, scopes: [GridScope]) async throws -> (Account, token: String) {
        let token = AccountRules.newToken()
        let account = Account(
            worker: worker, role: role, scopes: scopes, tokenHint: String(token.prefix(8)),
            createdAt: AccountRules.now())
        let scopeText = scopes.map(\.description).joined(separator: " ")
        // A revoked account gets its new role, scopes and token in place: its replicas stay its own.
        let written = try await pool.rows(
            """
            INSERT INTO accounts (worker, role, scopes, token_hash, token_hint, created_at)
            VALUES (\(worker.rawValue), \(role.rawValue), \(scopeText), \(AccountRules.hash(token)),
                \(account.tokenHint), \(account.createdAt))
            ON CONFLICT (worker) DO UPDATE SET
                role = excluded.role, scopes = excluded.scopes, token_hash = excluded.token_hash,
                token_hint = excluded.token_hint, created_at = excluded.created_at, revoked_at = NULL
            WHERE accounts.revoked_at IS NOT NULL
            RETURNING worker
            """
        ) { try $0.decode(String.self) }
        guard !written.isEmpty else { throw AccountError.accountExists(worker) }
        return (account, token)
    }

    public func list() async throws -> [Account] {
        let devices = try await pool.rows("SELECT worker, replica FROM devices ORDER BY first_seen") {
            try $0.decode((String, String).self)
        }
        let replicas = Dictionary(grouping: devices, by: \.0).mapValues { $0.map(\.1) }
        return try await pool.rows("SELECT \(unescaped: Self.columns) FROM accounts ORDER BY worker") { row in
            var account = try Self.account(from: row)
            account.replicas = replicas[account.worker.rawValue] ?? []
            return account
        }
    }

    public func revoke(worker: WorkerID) async throws -> Account {
        let now = AccountRules.now()
        let rows = try await pool.rows(
            """
            WITH before AS (SELECT revoked_at FROM accounts WHERE worker = \(worker.rawValue))
            UPDATE accounts SET revoked_at = coalesce(accounts.revoked_at, \(now))
            WHERE worker = \(worker.rawValue)
            RETURNING \(unescaped: Self.columns), (SELECT revoked_at FROM before)
            """
        ) { row in (try Self.account(from: row), try row.makeRandomAccess()[6].decode(String?.self)) }
        guard let (account, revokedBefore) = rows.first else { throw AccountError.unknownWorker(worker) }
        if let revokedBefore { throw AccountError.alreadyRevoked(worker, at: revokedBefore) }
        return account
    }

    public func authorize(replica: ReplicaID, token: String) async throws -> Account {
        let hash = AccountRules.hash(token)
        let lookup: PostgresQuery = """
            SELECT \(unescaped: Self.columns), (SELECT worker FROM devices WHERE replica = \(replica.description))
            FROM accounts WHERE token_hash = \(hash)
            """
        let found = try await pool.rows(lookup) { row in
            (try Self.account(from: row), try row.makeRandomAccess()[6].decode(String?.self))
        }.first
        let account = try AccountRules.authorize(found?.0, replica: replica, owner: found?.1)
        guard found?.1 == nil else { return account }
        // The replica's first sync: note it as the account's, unless a sync through another
        // daemon just noted it for someone else.
        let now = AccountRules.now()
        let owner = try await pool.rows(
            """
            WITH noted AS (
                INSERT INTO devices (replica, worker, first_seen, last_seen)
                VALUES (\(replica.description), \(account.worker.rawValue), \(now), \(now))
                ON CONFLICT (replica) DO NOTHING RETURNING worker)
            SELECT worker FROM noted UNION ALL SELECT worker FROM devices WHERE replica = \(replica.description)
            """
        ) { try $0.decode(String.self) }.first
        return try AccountRules.authorize(account, replica: replica, owner: owner)
    }

    public func setPassword(of worker: WorkerID, to hash: PasswordHash) async throws {
        try AccountRules.mayHavePassword(try await account(worker), worker)
        _ = try await pool.rows(
            "UPDATE accounts SET password_hash = \(hash.description) WHERE worker = \(worker.rawValue) RETURNING worker"
        ) { row in try row.decode(String.self) }
    }

    public func password(of worker: WorkerID) async throws -> PasswordHash? {
        let hashes: [String?] = try await pool.rows(
            "SELECT password_hash FROM accounts WHERE worker = \(worker.rawValue) AND revoked_at IS NULL"
        ) { row in try row.decode(String?.self) }
        return hashes.first.flatMap { $0 }.flatMap { PasswordHash($0) }
    }

    public func account(_ worker: WorkerID) async throws -> Account? {
        try await pool.rows("SELECT \(unescaped: Self.columns) FROM accounts WHERE worker = \(worker.rawValue)") {
            try Self.account(from: $0)
        }.first
    }

    public func recordSync(
        of replica: ReplicaID, ending: String, pushed: Int, pulled: Int, pulledThrough: Int64?, givenBack: Int = 0,
        recovered: Int = 0
    ) async throws {
        let now = AccountRules.now()
        let whole = ending == "bye"
        // The last pull's cursor, not the highest ever: a restored daemon numbers anew. The note
        // is committed without waiting for the disk (`synchronous_commit` off for this one
        // statement's transaction): a crash may lose the last note, never an op, and 500 syncs
        // do not wait for 500 flushes of the database's log.
        _ = try await pool.rows(
            """
            WITH asynchronous AS (SELECT set_config('synchronous_commit', 'off', true))
            UPDATE devices SET last_seen = \(now), last_sync_at = \(now), last_ending = \(ending),
                given_back = given_back + \(givenBack), recovered = recovered + \(recovered),
                last_pushed = CASE WHEN \(whole) THEN \(pushed) ELSE last_pushed END,
                last_pulled = CASE WHEN \(whole) THEN \(pulled) ELSE last_pulled END,
                pulled_through = CASE WHEN \(whole) THEN coalesce(\(pulledThrough), pulled_through)
                    ELSE pulled_through END
            FROM asynchronous WHERE replica = \(replica.description)
            """
        ) { _ in () }
    }

    public func devices() async throws -> [Device] {
        try await pool.rows(
            """
            SELECT replica, worker, first_seen, last_seen, last_sync_at, last_ending, last_pushed, last_pulled,
                pulled_through, given_back, recovered
            FROM devices ORDER BY worker, first_seen
            """
        ) { row in
            let (
                replica, worker, firstSeen, lastSeen, lastSyncAt, lastEnding, pushed, pulled, through, back, recovered
            ) =
                try row.decode((String, String, String, String, String?, String?, Int, Int, Int64, Int, Int).self)
            let (id, owner) = try AccountRules.device(replica: replica, worker: worker, in: Self.place)
            return Device(
                replica: id, worker: owner, firstSeen: firstSeen, lastSeen: lastSeen, lastSyncAt: lastSyncAt,
                lastEnding: lastEnding, lastPushed: pushed, lastPulled: pulled, pulledThrough: through,
                givenBack: back, recovered: recovered)
        }
    }

    /// The columns ``account(from:)`` reads.
    private static let columns = "worker, role, scopes, token_hint, created_at, revoked_at"

    /// The account in `row` (the ``columns`` first), read in full.
    private static func account(from row: PostgresRow) throws -> Account {
        let cells = row.makeRandomAccess()
        return try AccountRules.account(
            worker: cells[0].decode(String.self), role: cells[1].decode(String.self),
            scopes: cells[2].decode(String.self), tokenHint: cells[3].decode(String.self),
            createdAt: cells[4].decode(String.self), revokedAt: cells[5].decode(String?.self), in: place)
    }
}
