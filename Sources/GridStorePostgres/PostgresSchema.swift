import GridStore
import Logging
import PostgresNIO

/// The daemons' schema in PostgreSQL, as frozen migrations.
///
/// A migration is never edited once released: later changes are new migrations. Each is a
/// list of statements (the extended query protocol runs one at a time), applied in one
/// transaction under an advisory lock, so that several daemons starting at once apply each
/// exactly once. `gridsync_migrations` says which are applied.
enum PostgresSchema {
    /// The migrations, in order: a name, and its statements.
    static let migrations: [(name: String, statements: [String])] = [
        (
            "v1: the server's identity and its commit-ordered op log",
            [
                """
                CREATE TABLE server (
                    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
                    -- The replica id every daemon of this database presents to laptops.
                    id text NOT NULL,
                    worker text NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    -- The replicas whose history this one continues (after a restore), newest first.
                    lineage text NOT NULL DEFAULT '',
                    restored_at bigint
                )
                """,
                """
                -- The op log's numbering: the last local sequence handed out. A transaction takes
                -- its numbers by updating this one row, whose lock it holds until it commits, so
                -- numbers become visible in the order they were handed out.
                CREATE TABLE op_log_head (
                    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
                    last bigint NOT NULL DEFAULT 0
                )
                """,
                "INSERT INTO op_log_head DEFAULT VALUES",
                """
                -- Every op the daemons took in, numbered by the log's local sequence.
                CREATE TABLE ops (
                    local_sequence bigint PRIMARY KEY,
                    replica text NOT NULL,
                    sequence bigint NOT NULL,
                    clock bigint NOT NULL,
                    author text NOT NULL,
                    record_type text NOT NULL,
                    record_id text NOT NULL,
                    scope text NOT NULL,
                    -- The scope's community, for the office's pulls of a whole community.
                    community text NOT NULL,
                    field text NOT NULL,
                    payload text NOT NULL,
                    parents text NOT NULL,
                    UNIQUE (replica, sequence)
                )
                """,
                "CREATE INDEX ops_by_record ON ops (record_id)",
                "CREATE INDEX ops_by_scope ON ops (scope, local_sequence)",
                "CREATE INDEX ops_by_community ON ops (community, local_sequence)",
            ]
        ),
        (
            "v2: the workers' accounts and their devices",
            [
                """
                -- Workers, their scopes and the SHA-256 of their tokens (never a token). Times are
                -- ISO 8601 text in UTC, as in a daemon folder's accounts.sqlite.
                CREATE TABLE accounts (
                    worker text PRIMARY KEY,
                    role text NOT NULL,
                    scopes text NOT NULL,
                    token_hash text NOT NULL UNIQUE,
                    token_hint text NOT NULL,
                    created_at text NOT NULL,
                    revoked_at text
                )
                """,
                """
                -- Every replica that has synced, and how its last sync went.
                CREATE TABLE devices (
                    replica text PRIMARY KEY,
                    worker text NOT NULL REFERENCES accounts (worker),
                    first_seen text NOT NULL,
                    last_seen text NOT NULL,
                    last_sync_at text,
                    last_ending text,
                    last_pushed integer NOT NULL DEFAULT 0,
                    last_pulled integer NOT NULL DEFAULT 0,
                    pulled_through bigint NOT NULL DEFAULT 0,
                    given_back integer NOT NULL DEFAULT 0,
                    recovered integer NOT NULL DEFAULT 0
                )
                """,
                "CREATE INDEX devices_by_worker ON devices (worker)",
            ]
        ),
        ("v3: the records as typed tables for SQL readers", RecordTables.migration),
        (
            "v4: office accounts' console passwords",
            [
                """
                -- The scrypt hash of an office account's console password (PasswordHash), never the password.
                ALTER TABLE accounts ADD COLUMN password_hash text
                """
            ]
        ),
        ("v5: photos and places in the record tables (gridsync/4)", RecordTables.photosAndPlaces),
    ]

    /// The advisory lock key under which migrations and the server's identity are made.
    static let migrationLock: Int64 = 0x6772_6964_7379_6e63  // "gridsync"

    /// Applies the migrations `connection`'s database lacks, in one transaction.
    ///
    /// - Returns: the version the database is at.
    /// - Throws: ``StoreError/Code/newerVersion`` if a newer GridSync migrated it further.
    static func migrate(_ connection: PostgresConnection, logger: Logger) async throws -> Int {
        try await connection.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(migrationLock))", logger: logger)
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS gridsync_migrations (
                    version integer PRIMARY KEY,
                    name text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """, logger: logger)
            let applied = try await version(connection, logger: logger)
            guard applied <= migrations.count else { throw newer(applied) }
            for (index, migration) in migrations.enumerated().dropFirst(applied) {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO gridsync_migrations (version, name) VALUES (\(index + 1), \(migration.name))",
                    logger: logger)
            }
            return migrations.count
        }
    }

    /// The error for a database migrated further than this GridSync knows.
    static func newer(_ version: Int) -> StoreError {
        StoreError(
            .newerVersion,
            "the database was migrated by a newer GridSync (schema \(version), this one knows \(migrations.count)): "
                + "run that version of gridsyncd, or a newer one")
    }

    /// The highest migration applied to `connection`'s database (0 for none, or no schema yet).
    static func version(_ connection: PostgresConnection, logger: Logger) async throws -> Int {
        let exists = try await connection.query(
            "SELECT to_regclass('gridsync_migrations') IS NOT NULL", logger: logger
        ).collect().first?.decode(Bool.self)
        guard exists == true else { return 0 }
        let rows = try await connection.query(
            "SELECT coalesce(max(version), 0) FROM gridsync_migrations", logger: logger)
        for try await row in rows {
            return try row.makeRandomAccess()[0].decode(Int.self)
        }
        return 0
    }
}
