import Foundation
#if canImport(Glibc)
    import Glibc
#endif
import GRDB
import GridMerge
import GridModel

/// The daemon's accounts, in `accounts.sqlite` in its data folder: workers, their scopes,
/// the hashes of their tokens, and the replicas each has synced from.
///
/// Tokens are 32 random bytes; only their SHA-256 is stored, so a copy of the folder does not
/// give anyone a working token. (A slow password hash is not needed: nobody chooses these
/// tokens, and 256 random bits cannot be guessed from their hash.)
public final class AccountStore: AccountBook {
    /// The file's name in the data folder.
    public static let fileName = "accounts.sqlite"

    private let database: DatabasePool

    private init(database: DatabasePool) {
        self.database = database
    }

    /// The accounts in `folder`, for reading only, if it has any (a field replica's folder has none).
    public static func openReadOnlyIfPresent(in folder: String) throws -> AccountStore? {
        let path = (folder as NSString).appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            var configuration = Configuration()
            configuration.readonly = true
            configuration.busyMode = .timeout(10)
            let database = try DatabasePool(path: path, configuration: configuration)
            guard try database.read({ db in try migrator.hasCompletedMigrations(db) }) else {
                throw AccountError(
                    .accounts, "\(path) was made by an older gridsyncd: start the daemon once to upgrade it")
            }
            return AccountStore(database: database)
        } catch let error as DatabaseError {
            throw AccountError(.accounts, "cannot read the accounts in \(path) (\(error.message ?? "\(error)"))")
        }
    }

    /// Opens (creating if needed) the accounts in `folder`.
    public static func open(in folder: String) throws -> AccountStore {
        let path = (folder as NSString).appendingPathComponent(fileName)
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            // Processes opening the accounts at once (`worker add`s started together, or with the
            // daemon) take turns on a lock file beside the database until it is open and migrated.
            // Without it, two of them creating the file both switch it to WAL and apply the
            // migration, and SQLite refuses one with "database is locked" whatever its busy timeout.
            let lock = Glibc.open(path + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            guard lock >= 0, flock(lock, LOCK_EX) == 0 else {
                throw AccountError(.accounts, "cannot lock \(path).lock: check the data folder's permissions")
            }
            defer { close(lock) }
            var configuration = Configuration()
            configuration.journalMode = .wal
            configuration.busyMode = .timeout(10)
            // Every commit is on the disk before it returns: a revoked token stays revoked
            // after a power cut. Accounts change rarely; syncs' notes are one small write each.
            configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            let database = try DatabasePool(path: path, configuration: configuration)
            try migrator.migrate(database)
            return AccountStore(database: database)
        } catch let error as DatabaseError {
            throw AccountError(
                .accounts, "cannot open the accounts in \(path) (\(error.message ?? "\(error)")): check the data folder"
            )
        } catch {
            throw AccountError(.accounts, "cannot open the accounts in \(path): \(error.localizedDescription)")
        }
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: accounts and devices") { db in
            try db.execute(
                sql: """
                    CREATE TABLE accounts (
                        worker TEXT PRIMARY KEY,
                        role TEXT NOT NULL,
                        scopes TEXT NOT NULL,
                        token_hash TEXT NOT NULL UNIQUE,
                        token_hint TEXT NOT NULL,
                        created_at TEXT NOT NULL,
                        revoked_at TEXT
                    ) STRICT;
                    CREATE TABLE devices (
                        replica TEXT PRIMARY KEY,
                        worker TEXT NOT NULL REFERENCES accounts (worker),
                        first_seen TEXT NOT NULL,
                        last_seen TEXT NOT NULL
                    ) STRICT;
                    CREATE INDEX devices_by_worker ON devices (worker);
                    """)
        }
        migrator.registerMigration("v2: each device's last sync") { db in
            try db.execute(
                sql: """
                    ALTER TABLE devices ADD COLUMN last_sync_at TEXT;
                    ALTER TABLE devices ADD COLUMN last_ending TEXT;
                    ALTER TABLE devices ADD COLUMN last_pushed INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE devices ADD COLUMN last_pulled INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE devices ADD COLUMN pulled_through INTEGER NOT NULL DEFAULT 0;
                    """)
        }
        migrator.registerMigration("v3: what each device gave back after a restore") { db in
            try db.execute(
                sql: """
                    -- Ops the device gave back that the daemon had lost in a restore, and ops of
                    -- its own that the daemon gave back to it (a laptop restored or copied).
                    ALTER TABLE devices ADD COLUMN given_back INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE devices ADD COLUMN recovered INTEGER NOT NULL DEFAULT 0;
                    """)
        }
        migrator.registerMigration("v4: office accounts' console passwords") { db in
            try db.execute(
                sql: """
                    -- The scrypt hash of an office account's console password (PasswordHash), never the password.
                    ALTER TABLE accounts ADD COLUMN password_hash TEXT;
                    """)
        }
        return migrator
    }

    public func add(worker: WorkerID, role: WorkerRole, scopes: [GridScope]) async throws -> (Account, token: String) {
        let token = AccountRules.newToken()
        let now = AccountRules.now()
        let account = Account(
            worker: worker, role: role, scopes: scopes, tokenHint: String(token.prefix(8)), createdAt: now)
        try await database.write { db in
            if let revoked = try String?.fetchOne(
                db, sql: "SELECT revoked_at FROM accounts WHERE worker = ?", arguments: [worker.rawValue])
            {
                guard revoked != nil else { throw AccountError.accountExists(worker) }
            }
            // A revoked account gets its new role, scopes and token in place: its replicas stay its own.
            try db.execute(
                sql: """
                    INSERT INTO accounts (worker, role, scopes, token_hash, token_hint, created_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (worker) DO UPDATE SET
                        role = excluded.role, scopes = excluded.scopes, token_hash = excluded.token_hash,
                        token_hint = excluded.token_hint, created_at = excluded.created_at, revoked_at = NULL
                    """,
                arguments: [
                    worker.rawValue, role.rawValue, scopes.map(\.description).joined(separator: " "),
                    AccountRules.hash(token), account.tokenHint, now,
                ])
        }
        return (account, token)
    }

    public func list() async throws -> [Account] {
        try await database.read { db in
            let devices = try Row.fetchAll(db, sql: "SELECT worker, replica FROM devices ORDER BY first_seen")
            var replicas: [String: [String]] = [:]
            for row in devices { replicas[row[0], default: []].append(row[1]) }
            return try Row.fetchAll(db, sql: "SELECT \(Self.columns) FROM accounts ORDER BY worker").map { row in
                var withReplicas = try Self.account(from: row)
                withReplicas.replicas = replicas[withReplicas.worker.rawValue] ?? []
                return withReplicas
            }
        }
    }

    public func revoke(worker: WorkerID) async throws -> Account {
        let now = AccountRules.now()
        return try await database.write { db in
            guard var account = try Self.account(in: db, where: "worker = ?", worker.rawValue) else {
                throw AccountError.unknownWorker(worker)
            }
            if let revokedAt = account.revokedAt { throw AccountError.alreadyRevoked(worker, at: revokedAt) }
            try db.execute(
                sql: "UPDATE accounts SET revoked_at = ? WHERE worker = ?", arguments: [now, worker.rawValue])
            account.revokedAt = now
            return account
        }
    }

    public func authorize(replica: ReplicaID, token: String) async throws -> Account {
        let hash = AccountRules.hash(token)
        let now = AccountRules.now()
        // A read for a replica already known (every sync but the first): writes wait for each
        // other, and a connection should not wait to be let in.
        let (account, known) = try await database.read { db in try Self.account(db, hash: hash, replica: replica) }
        guard !known else { return account }
        return try await database.write { db in
            let (account, _) = try Self.account(db, hash: hash, replica: replica)
            try db.execute(
                sql: "INSERT OR IGNORE INTO devices (replica, worker, first_seen, last_seen) VALUES (?, ?, ?, ?)",
                arguments: [replica.description, account.worker.rawValue, now, now])
            return account
        }
    }

    /// The account of the token whose hash is `hash`, for `replica`, and whether the replica
    /// is known already.
    private static func account(_ db: Database, hash: String, replica: ReplicaID) throws -> (Account, known: Bool) {
        let owner = try String.fetchOne(
            db.cachedStatement(sql: "SELECT worker FROM devices WHERE replica = ?"), arguments: [replica.description])
        let account = try AccountRules.authorize(
            Self.account(in: db, where: "token_hash = ?", hash), replica: replica, owner: owner)
        return (account, owner != nil)
    }

    public func setPassword(of worker: WorkerID, to hash: PasswordHash) async throws {
        try await database.write { db in
            try AccountRules.mayHavePassword(Self.account(in: db, where: "worker = ?", worker.rawValue), worker)
            try db.execute(
                sql: "UPDATE accounts SET password_hash = ? WHERE worker = ?",
                arguments: [hash.description, worker.rawValue])
        }
    }

    public func password(of worker: WorkerID) async throws -> PasswordHash? {
        try await database.read { db in
            try String.fetchOne(
                db, sql: "SELECT password_hash FROM accounts WHERE worker = ? AND revoked_at IS NULL",
                arguments: [worker.rawValue]
            ).flatMap(PasswordHash.init)
        }
    }

    public func account(_ worker: WorkerID) async throws -> Account? {
        try await database.read { db in try Self.account(in: db, where: "worker = ?", worker.rawValue) }
    }

    public func recordSync(
        of replica: ReplicaID, ending: String, pushed: Int, pulled: Int, pulledThrough: Int64?, givenBack: Int = 0,
        recovered: Int = 0
    ) async throws {
        let now = AccountRules.now()
        try await database.write { db in
            try db.cachedStatement(
                sql: """
                    UPDATE devices SET last_seen = ?, last_sync_at = ?, last_ending = ?,
                        given_back = given_back + ?, recovered = recovered + ?
                    WHERE replica = ?
                    """
            ).execute(arguments: [now, now, ending, givenBack, recovered, replica.description])
            guard ending == "bye" else { return }
            // The last pull's cursor, not the highest ever: a restored daemon numbers anew.
            try db.cachedStatement(
                sql: """
                    UPDATE devices SET last_pushed = ?, last_pulled = ?, pulled_through = coalesce(?, pulled_through)
                    WHERE replica = ?
                    """
            ).execute(arguments: [pushed, pulled, pulledThrough, replica.description])
        }
    }

    /// Every account with its token's hash, and every device: what a copy of the accounts into
    /// another book needs (`gridsyncd migrate`).
    public func export() async throws -> (accounts: [StoredAccount], devices: [Device]) {
        let accounts = try await database.read { db in
            try Row.fetchAll(
                db, sql: "SELECT \(Self.columns), token_hash, password_hash FROM accounts ORDER BY worker"
            ).map { row in
                StoredAccount(
                    account: try Self.account(from: row), tokenHash: row["token_hash"],
                    passwordHash: row["password_hash"])
            }
        }
        return (accounts, try await devices())
    }

    public func devices() async throws -> [Device] {
        try await database.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT replica, worker, first_seen, last_seen, last_sync_at, last_ending, last_pushed,
                        last_pulled, pulled_through, given_back, recovered
                    FROM devices ORDER BY worker, first_seen
                    """
            ).map { row in
                let (replica, worker) = try AccountRules.device(replica: row[0], worker: row[1], in: Self.fileName)
                return Device(
                    replica: replica, worker: worker, firstSeen: row[2], lastSeen: row[3], lastSyncAt: row[4],
                    lastEnding: row[5], lastPushed: row[6], lastPulled: row[7], pulledThrough: row[8],
                    givenBack: row[9], recovered: row[10])
            }
        }
    }

    /// The columns ``account(from:)`` reads.
    private static let columns = "worker, role, scopes, token_hint, created_at, revoked_at"

    /// The account whose row matches `condition` (one `?`), if any.
    private static func account(in db: Database, where condition: String, _ argument: String) throws -> Account? {
        try Row.fetchOne(
            db.cachedStatement(sql: "SELECT \(columns) FROM accounts WHERE \(condition)"), arguments: [argument]
        )
        .map(account(from:))
    }

    /// The account in `row`, read in full.
    ///
    /// - Throws: ``AccountError`` (`unreadable`) naming the row and what in it cannot be read.
    private static func account(from row: Row) throws -> Account {
        try AccountRules.account(
            worker: row[0], role: row[1], scopes: row[2], tokenHint: row[3], createdAt: row[4], revokedAt: row[5],
            in: fileName)
    }
}
