import GRDB

/// The replica's schema, as frozen SQL migrations.
///
/// A migration is never edited once released: later changes are new migrations. They refer
/// to no app type, so that an old database upgrades the same way whatever the code is
/// today. `Tests/GridStoreTests/Fixtures/` keeps a database made by the first schema, which
/// must open and upgrade.
enum Migrations {
    /// The migrator with every migration, in order.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: op log, records, heads, conflicts, peers", migrate: v1)
        migrator.registerMigration("v2: clock offset, merge rules, lineage, former identities", migrate: v2)
        migrator.registerMigration("v3: the monthly report's index of the loop's ops", migrate: v3)
        migrator.registerMigration("v4: the street's reference data (gridsync/3)", migrate: v4)
        migrator.registerMigration("v5: records derived from the op log behind it", migrate: v5)
        migrator.registerMigration("v6: the op log by scope, for a grid's pulls", migrate: v6)
        migrator.registerMigration("v7: the console's reads: records naming a record, lists in order", migrate: v7)
        migrator.registerMigration("v8: each record's free text, for searching lists", migrate: v8)
        migrator.registerMigration("v9: photos and places (gridsync/4)", migrate: v9)
        return migrator
    }

    private static func v1(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE replica (
                    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
                    id TEXT NOT NULL,
                    worker TEXT NOT NULL,
                    scopes TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    -- The latest hybrid clock reading given or seen, so the clock never goes back.
                    clock INTEGER NOT NULL DEFAULT 0
                ) STRICT;

                -- Every op ever stored, numbered by this replica's local sequence.
                CREATE TABLE ops (
                    local_sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                    replica TEXT NOT NULL,
                    sequence INTEGER NOT NULL,
                    clock INTEGER NOT NULL,
                    author TEXT NOT NULL,
                    record_type TEXT NOT NULL,
                    record_id TEXT NOT NULL,
                    scope TEXT NOT NULL,
                    field TEXT NOT NULL,
                    payload TEXT NOT NULL,
                    parents TEXT NOT NULL,
                    UNIQUE (replica, sequence)
                ) STRICT;
                CREATE INDEX ops_by_record ON ops (record_id);

                -- The merged state of each record, with what lists and filters need.
                CREATE TABLE records (
                    id TEXT PRIMARY KEY,
                    type TEXT NOT NULL,
                    scope TEXT NOT NULL,
                    community TEXT NOT NULL,
                    grid TEXT,
                    deleted INTEGER NOT NULL,
                    conflicted INTEGER NOT NULL,
                    created_clock INTEGER NOT NULL,
                    updated_clock INTEGER NOT NULL,
                    -- GridMerge's binary form of the record's merged state (RecordState.encoded()).
                    state BLOB NOT NULL
                ) STRICT, WITHOUT ROWID;
                CREATE INDEX records_by_type ON records (type, id);

                CREATE TABLE demands (
                    record_id TEXT PRIMARY KEY REFERENCES records (id),
                    grid TEXT,
                    category TEXT,
                    status TEXT,
                    urgency TEXT,
                    compound TEXT,
                    deleted INTEGER NOT NULL
                ) STRICT, WITHOUT ROWID;
                CREATE INDEX demands_by_grid ON demands (grid, status, category);

                CREATE TABLE visits (
                    record_id TEXT PRIMARY KEY REFERENCES records (id),
                    grid TEXT,
                    compound TEXT,
                    visited_on TEXT,
                    deleted INTEGER NOT NULL
                ) STRICT, WITHOUT ROWID;
                CREATE INDEX visits_by_compound ON visits (compound, visited_on);

                CREATE TABLE projects (
                    record_id TEXT PRIMARY KEY REFERENCES records (id),
                    grid TEXT,
                    stage TEXT,
                    category TEXT,
                    deleted INTEGER NOT NULL
                ) STRICT, WITHOUT ROWID;
                CREATE INDEX projects_by_stage ON projects (stage, category);

                -- The current heads of every register field (several when it is in conflict).
                CREATE TABLE heads (
                    record_id TEXT NOT NULL,
                    field TEXT NOT NULL,
                    op_replica TEXT NOT NULL,
                    op_sequence INTEGER NOT NULL,
                    clock INTEGER NOT NULL,
                    author TEXT NOT NULL,
                    value TEXT NOT NULL,
                    PRIMARY KEY (record_id, field, op_replica, op_sequence)
                ) STRICT, WITHOUT ROWID;

                CREATE TABLE conflicts (
                    record_id TEXT NOT NULL,
                    field TEXT NOT NULL,
                    record_type TEXT NOT NULL,
                    scope TEXT NOT NULL,
                    head_count INTEGER NOT NULL,
                    PRIMARY KEY (record_id, field)
                ) STRICT, WITHOUT ROWID;

                -- Parents named by stored ops but not stored yet, with where they were named.
                CREATE TABLE awaited (
                    op_replica TEXT NOT NULL,
                    op_sequence INTEGER NOT NULL,
                    record_id TEXT NOT NULL,
                    field TEXT NOT NULL,
                    element TEXT NOT NULL,
                    PRIMARY KEY (op_replica, op_sequence, record_id, field, element)
                ) STRICT, WITHOUT ROWID;

                -- What was exchanged with each peer (used by sync).
                CREATE TABLE peers (
                    replica TEXT PRIMARY KEY,
                    pulled_through INTEGER NOT NULL DEFAULT 0,
                    pushed_through INTEGER NOT NULL DEFAULT 0,
                    last_sync_at TEXT
                ) STRICT, WITHOUT ROWID;
                """)
    }

    /// The second schema (gridsync/2): the clock offset measured against the server, the
    /// version of the merge rules the records were built with (records built by older
    /// rules are rebuilt from the op log when the replica opens), the replicas whose history
    /// this one continues (a daemon restored from a backup), the identities a copied or
    /// restored laptop gave up, and acknowledged pushes counted by op sequence.
    private static func v2(_ db: Database) throws {
        try db.execute(
            sql: """
                -- Milliseconds to add to this machine's wall clock to read the server's, as
                -- measured at the last sync (NULL before the first), and when it was measured.
                ALTER TABLE replica ADD COLUMN clock_offset INTEGER;
                ALTER TABLE replica ADD COLUMN clock_measured_at TEXT;
                -- The merge rules the records were built with: 1 before notes stopped writing liveness.
                ALTER TABLE replica ADD COLUMN rules INTEGER NOT NULL DEFAULT 1;
                -- Replica ids whose history this replica continues, newest first, space-separated,
                -- and when it was restored from a backup (milliseconds since 1970), if ever.
                ALTER TABLE replica ADD COLUMN lineage TEXT NOT NULL DEFAULT '';
                ALTER TABLE replica ADD COLUMN restored_at INTEGER;

                -- Giving a restored server back what it lost: this replica's ops up to local
                -- sequence return_until (what it held when it first met the restored server),
                -- of which those up to returned_through are given back.
                ALTER TABLE peers ADD COLUMN return_until INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE peers ADD COLUMN returned_through INTEGER NOT NULL DEFAULT 0;

                -- Identities this replica gave up, and why (a copied or restored data folder).
                CREATE TABLE former_identities (
                    replica TEXT PRIMARY KEY,
                    replaced_at TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    reissued INTEGER NOT NULL
                ) STRICT, WITHOUT ROWID;

                -- A peer's acknowledgement now counts this replica's ops by their sequence,
                -- not by local sequence: the highest own op at or below the old cursor.
                UPDATE peers SET pushed_through = coalesce(
                    (SELECT max(o.sequence) FROM ops o
                     WHERE o.replica = (SELECT id FROM replica) AND o.local_sequence <= peers.pushed_through), 0);
                """)
    }

    /// The ops the monthly report reads by field and time (status changes, stages, progress, surveys, funding), about
    /// one op in thirty of a street's year: without it, each of the report's figures scanned the whole op log.
    /// Partial, so that ingesting the other ops (visits, titles) costs nothing more. Queries name the field with `=`
    /// (or `=` joined by `OR`), which SQLite can prove falls under this `WHERE`; `IN` it cannot.
    private static func v3(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE INDEX ops_for_report ON ops (field, clock)
                WHERE field = 'status' OR field = 'stage' OR field = 'progress' OR field = 'satisfaction'
                    OR field = 'funding-government' OR field = 'funding-society' OR field = 'funding-residents';
                """)
    }

    /// The street's reference records by type and key (communities, grids, compounds, workers), for the names that
    /// tables and reports show beside keys and for finding a compound by name. `parent` is a grid's community, a
    /// compound's grid.
    ///
    /// gridsync/3 brought these records; a daemon leaves them out of what it sends gridsync/2 laptops. So a replica
    /// that synced under gridsync/2 pulls once more from the start of each server's log, to receive the reference
    /// records it was not sent (the ops it holds are skipped). gridsync/3 also keeps projects' funding in fen, in
    /// fields of their own, which the monthly report's index takes in.
    private static func v4(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE street (
                    record_id TEXT PRIMARY KEY,
                    type TEXT NOT NULL,
                    key TEXT NOT NULL,
                    name TEXT,
                    parent TEXT,
                    deleted INTEGER NOT NULL
                ) STRICT, WITHOUT ROWID;
                CREATE INDEX street_by_key ON street (type, key);
                UPDATE peers SET pulled_through = 0;
                DROP INDEX ops_for_report;
                CREATE INDEX ops_for_report ON ops (field, clock)
                WHERE field = 'status' OR field = 'stage' OR field = 'progress' OR field = 'satisfaction'
                    OR field = 'funding-government' OR field = 'funding-society' OR field = 'funding-residents'
                    OR field = 'funding-government-fen' OR field = 'funding-society-fen'
                    OR field = 'funding-residents-fen';
                """)
    }

    /// The op log first: a received op is appended to `ops` and acknowledged, and the records, typed rows, heads,
    /// conflicts and awaited parents are brought up to date from the log behind it. `derived_through` is the local
    /// sequence up to which they are: every op at or below it is merged into them, none above it. Every op stored
    /// before this migration was merged as it was stored.
    private static func v5(_ db: Database) throws {
        try db.execute(
            sql: """
                ALTER TABLE replica ADD COLUMN derived_through INTEGER NOT NULL DEFAULT 0;
                UPDATE replica SET derived_through = coalesce((SELECT max(local_sequence) FROM ops), 0);
                """)
    }

    /// The op log by scope (and, as in every SQLite index, then by rowid: the local sequence), so that a grid's laptop
    /// pulls by seeking to its grid's ops after its cursor instead of reading every op of the district since then. On
    /// a daemon serving 20 streets, a laptop that last synced yesterday had its query read the 50,000 ops of a
    /// district's day to find the few hundred of its grid.
    private static func v6(_ db: Database) throws {
        try db.execute(sql: "CREATE INDEX ops_by_scope ON ops (scope)")
    }

    /// The reads of the office's console on a year of a street, where each of these scanned a table of hundreds of
    /// thousands of rows: the ops of the fields that name other records (a demand's visit and project, a visit's and
    /// a project's demands) by the id they name, for a record's page to list the records that name it (partial, like
    /// `ops_for_report`, and for the same reason the fields are joined by `OR`); records of a type newest first, and
    /// visits by day, for a page of a list to stop at its last row instead of sorting the type's every record.
    private static func v7(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE INDEX ops_by_named_record
                ON ops (coalesce(json_extract(payload, '$.add'), json_extract(payload, '$.assign')))
                WHERE field = 'demands' OR field = 'project' OR field = 'visit';
                CREATE INDEX records_by_time ON records (type, created_clock);
                CREATE INDEX visits_by_day ON visits (visited_on);
                """)
    }

    /// Each record's free text (its fields' values and its logs' entries, lowercased), for a list's search to read a
    /// narrow table instead of decoding every record's state: on a year of a street, searching the visits decoded
    /// 216,000 records. The rows are written with the records'; `search_text` says whether the records held before
    /// this migration have theirs yet (written from their states when the replica next opens).
    private static func v8(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE record_text (
                    record_id TEXT PRIMARY KEY REFERENCES records (id),
                    text TEXT NOT NULL
                ) STRICT, WITHOUT ROWID;
                ALTER TABLE replica ADD COLUMN search_text INTEGER NOT NULL DEFAULT 0;
                """)
    }

    /// gridsync/4 brought photos and places on visits, demands and projects; a daemon leaves them out of what it sends
    /// older laptops, whose pull cursors move past them. So a replica upgraded to gridsync/4 pulls once more from the
    /// start of each server's log, to receive the photos and places it was not sent (the ops it holds are skipped),
    /// as v4 did for the street's reference data.
    ///
    /// `record_files` holds which records name which files (their `photos`), written with the records: the files a
    /// laptop keeps are those some record names, and a file's scope is its records'. No record named a file before.
    private static func v9(_ db: Database) throws {
        try db.execute(
            sql: """
                UPDATE peers SET pulled_through = 0;
                CREATE TABLE record_files (
                    record_id TEXT NOT NULL REFERENCES records (id),
                    file_id TEXT NOT NULL,
                    PRIMARY KEY (record_id, file_id)
                ) STRICT, WITHOUT ROWID;
                CREATE INDEX record_files_by_file ON record_files (file_id);
                """)
    }
}
