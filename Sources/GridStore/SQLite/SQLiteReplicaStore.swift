import Foundation
import GRDB
import GridMerge
import GridModel

/// A replica kept in one SQLite database file (WAL mode) in a data folder.
///
/// The connection is never shared across threads: GRDB serializes every write and runs
/// reads on its own connections. Every public method is one transaction. Two processes may
/// open the same replica; a writer waits up to ``busyTimeout`` for the other.
public final class SQLiteReplicaStore: ReplicaStore {
    /// The database file's name inside the data folder.
    public static let fileName = "replica.sqlite"
    /// How long a write waits for another process that holds the replica.
    public static let busyTimeout: TimeInterval = 10

    /// Who this replica is.
    public let identity: ReplicaIdentity
    /// The database file.
    public let path: String
    let database: DatabasePool
    /// Every write transaction goes through it, so that concurrent ones share a commit.
    let commits: GroupCommit
    let wallClock: any WallClock
    /// Whether the store was opened for reading only (``openReadOnly(in:wallClock:)``).
    let readOnly: Bool

    private init(
        database: DatabasePool, path: String, identity: ReplicaIdentity, wallClock: any WallClock,
        readOnly: Bool = false
    ) {
        self.database = database
        self.commits = GroupCommit(database: database)
        self.path = path
        self.identity = identity
        self.wallClock = wallClock
        self.readOnly = readOnly
    }

    /// Creates a new replica in `folder` (created if missing).
    ///
    /// - Throws: ``StoreError/Code/alreadyExists`` if the folder holds a replica already.
    public static func create(
        in folder: String, identity: ReplicaIdentity, wallClock: any WallClock = SystemWallClock()
    ) throws -> SQLiteReplicaStore {
        let path = (folder as NSString).appendingPathComponent(fileName)
        if FileManager.default.fileExists(atPath: path) {
            throw StoreError(
                .alreadyExists,
                "\(folder) already holds a replica: use it as it is, or choose another folder with --data")
        }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw StoreError(.readOnly, "cannot create the data folder \(folder): \(error.localizedDescription)")
        }
        return try mapErrors(path: path) {
            // Build the replica under another name and move it into place, so that a crash
            // part-way leaves no half-made replica, only a file that the next `init` replaces.
            let building = path + ".creating-\(identity.replica)"
            let queue = try DatabaseQueue(path: building)
            try Migrations.migrator.migrate(queue)
            try queue.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO replica (singleton, id, worker, scopes, created_at, rules, search_text)
                        VALUES (1, ?, ?, ?, ?, ?, 1)
                        """,
                    arguments: [
                        identity.replica.description, identity.worker.rawValue,
                        identity.scopes.map(\.description).joined(separator: " "),
                        timestamp(wallClock), rules,
                    ])
            }
            try queue.close()
            // link(2) refuses to replace a replica that another `init` finished meanwhile.
            defer { unlink(building) }
            guard link(building, path) == 0 else {
                throw errno == EEXIST
                    ? StoreError(
                        .alreadyExists, "\(folder) already holds a replica: use it as it is, or choose another folder")
                    : StoreError(.readOnly, "cannot move the new replica into \(path): check the folder's permissions")
            }
            return SQLiteReplicaStore(
                database: try openPool(path: path), path: path, identity: identity, wallClock: wallClock)
        }
    }

    /// Opens the replica in `folder`, upgrading its schema if it was made by an older GridSync.
    ///
    /// - Throws: ``StoreError/Code/notAReplica`` if the folder holds none;
    ///   ``StoreError/Code/newerVersion`` if a newer GridSync made it;
    ///   ``StoreError/Code/corrupt`` or ``StoreError/Code/readOnly`` for a damaged or unwritable file.
    public static func open(
        in folder: String, wallClock: any WallClock = SystemWallClock(), memory: MemoryUse = .sync
    ) throws -> SQLiteReplicaStore {
        let path = (folder as NSString).appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError(
                .notAReplica,
                "\(folder) holds no GridSync replica: create one with `gridsync init`, or point --data at the right folder"
            )
        }
        return try mapErrors(path: path) {
            // Look before touching: another program's database, or one made by a newer
            // GridSync, is refused without a byte written to it.
            var identity = try checkReplica(at: path)
            let database = try openPool(path: path, memory: memory)
            try Migrations.migrator.migrate(database)
            let (builtBy, searchable) = try database.read { db -> (Int, Bool) in
                try readLineage(into: &identity, db)
                let row = try Row.fetchOne(db, sql: "SELECT rules, search_text FROM replica")
                return ((row?["rules"] as Int?) ?? rules, (row?["search_text"] as Bool?) ?? true)
            }
            // Records built by older merge rules are rebuilt once; records held before their
            // search text was kept get it once; records left behind the op log (a crash before
            // they caught up) catch up. An ordinary open writes nothing.
            if builtBy < rules { try database.write { db in try rebuildRecords(db) } }
            if !searchable { try database.write { db in try RecordRows.writeSearchText(db) } }
            if try database.read({ db in try underived(db) }) > 0 {
                _ = try database.write { db in try deriveTail(db) }
            }
            return SQLiteReplicaStore(database: database, path: path, identity: identity, wallClock: wallClock)
        }
    }

    /// Opens the replica in `folder` for reading only: nothing is written, not even an
    /// upgrade of its schema (a replica that needs one is refused).
    public static func openReadOnly(in folder: String, wallClock: any WallClock = SystemWallClock()) throws
        -> SQLiteReplicaStore
    {
        let path = (folder as NSString).appendingPathComponent(fileName)
        var identity = try check(in: folder)
        return try mapErrors(path: path) {
            let database = try openPool(path: path, memory: .reading)
            guard try database.read({ db in try Migrations.migrator.hasCompletedMigrations(db) }) else {
                throw StoreError(
                    .readOnly,
                    "\(path) was made by an older GridSync: open it once with gridsyncd (or gridsync) to upgrade it")
            }
            try database.read { db in try readLineage(into: &identity, db) }
            return SQLiteReplicaStore(
                database: database, path: path, identity: identity, wallClock: wallClock, readOnly: true)
        }
    }

    /// Checks, without writing a byte, that `folder` holds a replica this GridSync can open,
    /// and returns its identity.
    ///
    /// - Throws: the errors of ``open(in:wallClock:)``, but never upgrades the replica.
    public static func check(in folder: String) throws -> ReplicaIdentity {
        let path = (folder as NSString).appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError(
                .notAReplica, "\(folder) holds no GridSync replica: point --data at the daemon's or a replica's folder")
        }
        return try mapErrors(path: path) { try checkReplica(at: path) }
    }

    /// Reads the identity of the replica at `path` through a read-only connection.
    private static func checkReplica(at path: String) throws -> ReplicaIdentity {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(busyTimeout)
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        return try queue.read { db in
            guard try db.tableExists("grdb_migrations"), try db.tableExists("replica") else {
                throw StoreError(
                    .corrupt, "\(path) is not a GridSync replica: move it away, or point --data at a replica's folder")
            }
            if try Migrations.migrator.hasBeenSuperseded(db) {
                throw StoreError(
                    .newerVersion,
                    "\(path) was made by a newer GridSync: install that version (or newer) to use this replica")
            }
            guard let row = try Row.fetchOne(db, sql: "SELECT id, worker, scopes FROM replica"),
                let replica = ReplicaID(row[0] as String), let worker = WorkerID(row[1] as String)
            else {
                throw StoreError(.corrupt, "\(path) has no replica identity: it is damaged; restore it from a backup")
            }
            let scopes = (row[2] as String).split(separator: " ").compactMap { GridScope(String($0)) }
            return ReplicaIdentity(replica: replica, worker: worker, scopes: scopes)
        }
    }

    /// The clock a replica writes with: a laptop's own, corrected by the offset to the
    /// server's measured at its last sync (the daemon, which measures none, its own).
    static func corrected(_ wallClock: any WallClock, offset: Int64?) -> any WallClock {
        offset.map { OffsetWallClock(wallClock, offset: $0) } ?? wallClock
    }

    /// Reads the replicas whose history this one continues, and when it was restored.
    private static func readLineage(into identity: inout ReplicaIdentity, _ db: Database) throws {
        guard let row = try Row.fetchOne(db, sql: "SELECT lineage, restored_at FROM replica") else { return }
        identity.lineage = (row[0] as String).split(separator: " ").compactMap { ReplicaID(String($0)) }
        identity.restoredAt = (row[1] as Int64?).map { UInt64($0) }
    }

    /// The wall clock's time, as ISO 8601 text in UTC.
    static func timestamp(_ wallClock: any WallClock) -> String {
        Date(timeIntervalSince1970: Double(wallClock.millisecondsSince1970()) / 1000).formatted(.iso8601)
    }

    private static func openPool(path: String, memory: MemoryUse = .sync) throws -> DatabasePool {
        var configuration = Configuration()
        configuration.readonly = memory == .reading
        configuration.journalMode = .wal
        configuration.busyMode = .timeout(busyTimeout)
        configuration.label = "GridSync replica"
        switch memory {
        case .sync:
            // A sync touches records all over the file: keep up to 64 MiB of pages in memory
            // and read the rest through a memory map, rather than copying 2 MiB's worth at a time.
            configuration.prepareDatabase { db in
                try db.execute(sql: "PRAGMA cache_size = -65536; PRAGMA mmap_size = 268435456")
            }
        case .reading:
            // The office's tools read a few figures and exit, often on the daemon's machine while it serves:
            // 16 MiB of pages and no memory map, so that a report on a year of a street stays small.
            configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA cache_size = -16384") }
        case .lean:
            // A page at a time for the person at the laptop: 2 MiB of pages (SQLite's own default), no memory map, two readers.
            configuration.maximumReaderCount = 2
            configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA cache_size = -2048") }
        }
        return try DatabasePool(path: path, configuration: configuration)
    }

    /// Closes the database file: the store cannot be used after (a mirror put aside is closed
    /// before its files are renamed, so that no later checkpoint touches the new ones).
    public func close() throws {
        try Self.mapErrors(path: path) { try database.close() }
    }

    // MARK: - Writing

    public func write(_ change: RecordChange) async throws -> [Op] {
        try await write(change, as: identity.worker, within: identity.scopes)
    }

    public func write(_ change: RecordChange, as author: WorkerID, within scopes: [GridScope]) async throws -> [Op] {
        let allowed = scopes.map(\.description).joined(separator: ", ")
        return try await writeTransaction(as: author) { ledger, writer in
            switch change.target {
            case .create(let type, let scope):
                guard scopes.covers(scope) else {
                    throw StoreError(
                        .outOfScope,
                        "\(scope) is not one of \(author)'s grids (\(allowed)): record it in your own grid, or ask the office"
                    )
                }
                return try writer.create(type, id: change.record, in: scope, change.edits, into: &ledger)
            case .edit:
                if let scope = try ledger.record(change.record)?.scope, !scopes.covers(scope) {
                    throw StoreError(
                        .outOfScope,
                        "\(change.record) belongs to \(scope), outside \(author)'s grids (\(allowed)): ask the office to change it"
                    )
                }
                var ops: [Op] = []
                for edit in change.edits {
                    ops.append(try writer.edit(change.record, edit, into: &ledger))
                }
                return ops
            }
        }
    }

    public func ingest(_ ops: [Op]) async throws -> Int {
        try await writeTransaction { ledger, writer in try Self.receive(ops, into: &ledger, clock: &writer) }
    }

    /// Merges received ops that are new (or, `appending`, appends them to the op log for the
    /// records to take in later), each after checking its clock (unless the server, the time
    /// reference, already has: `vouched`); returns how many were new.
    static func receive(
        _ ops: [Op], into ledger: inout SQLiteLedger, clock writer: inout OpWriter, vouched: Bool = false,
        appending: Bool = false
    ) throws -> Int {
        var stored = 0
        for op in ops where try !ledger.contains(op.id) {
            if vouched {
                writer.observe(vouchedFor: op.clock)
            } else {
                try writer.observe(clockOf: op)
            }
            if try appending ? ledger.append(op) : ledger.merge(op) { stored += 1 }
        }
        return stored
    }

    /// What a write transaction does with the records.
    enum Records {
        /// The log's tail is merged first, and the ops `body` stores are merged as they are
        /// stored: the records reflect the whole log when it commits.
        case merged
        /// `body` only appends ops to the log (``SQLiteLedger/append(_:)``); the records take
        /// them in later.
        case behind
    }

    /// Runs `body` in one write transaction with the replica's ledger and an op writer for
    /// `author` (by default the replica's worker), then writes back the records it changed
    /// and the clock. Errors become ``StoreError``s.
    ///
    /// Writes asked for at the same time share one commit (``GroupCommit``), each in its own
    /// savepoint: a write that fails leaves the others of its group as they are.
    func writeTransaction<T: Sendable>(
        as author: WorkerID? = nil, records: Records = .merged,
        _ body: @escaping @Sendable (inout SQLiteLedger, inout OpWriter) throws -> T
    ) async throws -> T {
        let identity = self.identity
        let wallClock = self.wallClock
        return try await Self.mapErrors(path: path) {
            try await commits.write { db in
                let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT clock, clock_offset, id FROM replica"))
                // A sync in another process may have given this replica a new identity since it
                // was opened: an op written under the former one would never be sent.
                guard row?[2] == identity.replica.description else {
                    throw StoreError(
                        .identityChanged,
                        "this replica took a new identity while the command ran (a sync found its data folder "
                            + "copied or restored): nothing was written; run the command again")
                }
                let latest: Int64 = row?[0] ?? 0
                let corrected = Self.corrected(wallClock, offset: row?[1])
                let lastSequence =
                    try Int64.fetchOne(
                        db.cachedStatement(sql: "SELECT max(sequence) FROM ops WHERE replica = ?"),
                        arguments: [identity.replica.description]) ?? 0
                var writer = OpWriter(
                    replica: identity.replica, author: author ?? identity.worker,
                    clock: HybridClock(
                        wallClock: corrected, latest: HybridTimestamp(rawValue: UInt64(bitPattern: latest))),
                    lastSequence: UInt64(lastSequence))
                if records == .merged { try Self.deriveTail(db) }
                var ledger = try SQLiteLedger(db: db)
                let result = try body(&ledger, &writer)
                try ledger.flush()
                // With the records merged, they reflect the whole log, the ops written here included.
                try db.cachedStatement(
                    sql: """
                        UPDATE replica SET clock = max(clock, ?), derived_through = CASE WHEN ?
                            THEN coalesce((SELECT max(local_sequence) FROM ops), 0) ELSE derived_through END
                        """
                ).execute(arguments: [Int64(bitPattern: writer.clock.latest.rawValue), records == .merged])
                return result
            }
        }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await Self.mapErrors(path: path) {
            try await database.read { db in try body(db) }
        }
    }

    // MARK: - Rows and errors

    /// The columns of an op row, in the order ``op(from:)`` reads them.
    static let opColumns =
        "replica, sequence, clock, author, record_type, record_id, scope, field, payload, parents"

    /// Decodes an op row (the ``opColumns``).
    static func op(from row: Row) throws -> Op {
        try OpRow(
            replica: row[0], sequence: row[1], clock: row[2], author: row[3], recordType: row[4], recordID: row[5],
            scope: row[6], field: row[7], payload: row[8], parents: row[9]
        ).op()
    }

    static func mapErrors<T>(path: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw storeError(error, path: path)
        }
    }

    static func mapErrors<T>(path: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch {
            throw storeError(error, path: path)
        }
    }

    /// The store error a caller sees for any failure inside a transaction.
    static func storeError(_ error: any Error, path: String) -> StoreError {
        switch error {
        case let error as StoreError:
            return error
        case let error as MergeError where error.code == .unreadableState:
            return StoreError(.corrupt, "\(path): \(error.message)", cause: error)
        case let error as MergeError where error.code == .unknownRecord:
            return StoreError(.unknownRecord, error.message, cause: error)
        case let error as MergeError:
            return StoreError(.refused, error.message, cause: error)
        case let error as DatabaseError:
            switch error.resultCode {
            case .SQLITE_NOTADB, .SQLITE_CORRUPT:
                return StoreError(
                    .corrupt, "\(path) is damaged or is not a GridSync replica: restore it from a backup", cause: error)
            case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM:
                return StoreError(
                    .readOnly,
                    "cannot write \(path) (\(error.message ?? "permission denied")): check the file's permissions",
                    cause: error)
            case .SQLITE_FULL:
                return StoreError(
                    .diskFull, "the disk holding \(path) is full: free space on it; nothing was written",
                    cause: error)
            case .SQLITE_BUSY, .SQLITE_LOCKED:
                return StoreError(
                    .busy,
                    "another program held \(path) for over \(Int(busyTimeout)) s: wait for it to finish and retry",
                    cause: error)
            default:
                return StoreError(.database, "SQLite failed on \(path): \(error.message ?? "\(error)")", cause: error)
            }
        default:
            return StoreError(.database, "\(path): \(error)", cause: error)
        }
    }
}
