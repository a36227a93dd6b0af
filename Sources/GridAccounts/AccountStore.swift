import Crypto
import Foundation
import GRDB
import GridMerge
import GridModel

/// The daemon's accounts, in `accounts.sqlite` in its data folder: workers, their scopes,
/// the hashes of their tokens, and the replicas each has synced from.
///
/// Tokens are 32 random bytes; only their SHA-256 is stored, so a copy of the folder does not
/// give anyone a working token. (A slow password hash is not needed: nobody chooses these
/// tokens, and 256 random bits cannot be guessed from their hash.)
public final class AccountStore: Sendable {
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
        return migrator
    }

    /// Makes an account (or gives a revoked one a new token) and returns its token, which
    /// is shown once and never stored.
    public func add(worker: WorkerID, role: WorkerRole, scopes: [GridScope]) async throws -> (Account, token: String) {
        let token = Self.newToken()
        let now = Self.now()
        let account = Account(
            worker: worker, role: role, scopes: scopes, tokenHint: String(token.prefix(8)), createdAt: now)
        try await database.write { db in
            if let revoked = try String?.fetchOne(
                db, sql: "SELECT revoked_at FROM accounts WHERE worker = ?", arguments: [worker.rawValue])
            {
                guard revoked != nil else {
                    throw AccountError(
                        .accountExists,
                        "\(worker) already has an account with a working token: revoke it first "
                            + "(gridsyncd worker revoke \(worker)) to issue a new one")
                }
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
                    Self.hash(token), account.tokenHint, now,
                ])
        }
        return (account, token)
    }

    /// Every account, by worker.
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

    /// Revokes a worker's token: its next connection is refused.
    public func revoke(worker: WorkerID) async throws -> Account {
        let now = Self.now()
        return try await database.write { db in
            guard var account = try Self.account(in: db, where: "worker = ?", worker.rawValue) else {
                throw AccountError(.unknownWorker, "no account for \(worker): see them with `gridsyncd worker list`")
            }
            guard account.revokedAt == nil else {
                throw AccountError(
                    .alreadyRevoked, "the token of \(worker) was already revoked at \(account.revokedAt!)")
            }
            try db.execute(
                sql: "UPDATE accounts SET revoked_at = ? WHERE worker = ?", arguments: [now, worker.rawValue])
            account.revokedAt = now
            return account
        }
    }

    /// The account whose token `token` is, for the replica `replica`; notes the replica as the
    /// account's on its first sync.
    ///
    /// - Throws: ``AccountError`` with the code ``AccountError/Code/tokenRefused`` for a token
    ///   that is unknown or revoked, or a replica that syncs for another worker.
    public func authorize(replica: ReplicaID, token: String) async throws -> Account {
        let hash = Self.hash(token)
        let now = Self.now()
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
        guard let account = try Self.account(in: db, where: "token_hash = ?", hash) else {
            throw AccountError(.tokenRefused, "the token is not known to this server: ask the office for a token")
        }
        guard account.revokedAt == nil else {
            throw AccountError(
                .tokenRefused, "the token of \(account.worker) was revoked: ask the office for a new one")
        }
        let owner = try String.fetchOne(
            db.cachedStatement(sql: "SELECT worker FROM devices WHERE replica = ?"), arguments: [replica.description])
        if let owner, owner != account.worker.rawValue {
            throw AccountError(
                .tokenRefused,
                "replica \(replica) syncs for \(owner), not \(account.worker): make a new replica with `gridsync init`")
        }
        return (account, owner != nil)
    }

    /// The account of `worker`, if there is one.
    public func account(_ worker: WorkerID) async throws -> Account? {
        try await database.read { db in try Self.account(in: db, where: "worker = ?", worker.rawValue) }
    }

    /// Notes how a replica's sync ended, for `gridsync-inspect devices`: always the time and
    /// the ending; what it sent and received, and how far it pulled, only for a whole sync.
    public func recordSync(
        of replica: ReplicaID, ending: String, pushed: Int, pulled: Int, pulledThrough: Int64?, givenBack: Int = 0,
        recovered: Int = 0
    ) async throws {
        let now = Self.now()
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

    /// Every replica that has synced, by worker then first connection.
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
                guard let replica = ReplicaID(row[0] as String), let worker = WorkerID(row[1] as String) else {
                    throw AccountError(
                        .unreadable,
                        "the device row '\(row[0] as String)' of worker '\(row[1] as String)' in \(Self.fileName) cannot be "
                            + "read (not a replica id or a worker id): restore the accounts from a backup")
                }
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
        let name: String = row[0]
        func unreadable(_ what: String) -> AccountError {
            AccountError(
                .unreadable,
                "the account row of '\(name)' in \(fileName) cannot be read (\(what)): restore the accounts from a "
                    + "backup, or revoke and add the worker again")
        }
        guard let worker = WorkerID(name) else { throw unreadable("not a worker id") }
        guard let role = WorkerRole(rawValue: row[1] as String) else {
            throw unreadable("unknown role '\(row[1] as String)'")
        }
        let scopes = try (row[2] as String).split(separator: " ").map { text in
            guard let scope = GridScope(String(text)) else { throw unreadable("unknown scope '\(text)'") }
            return scope
        }
        return Account(
            worker: worker, role: role, scopes: scopes, tokenHint: row[3], createdAt: row[4], revokedAt: row[5])
    }

    /// A new token: `gst_` and 32 random bytes in base64url.
    public static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let base64 = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return "gst_" + base64
    }

    /// The SHA-256 of a token, in hex.
    public static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// The time now, as ISO 8601 text in UTC (the format style is cheap; a date formatter
    /// made for each call showed up in the daemon's profile).
    private static func now() -> String {
        Date().formatted(.iso8601)
    }
}
