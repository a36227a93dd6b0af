import Foundation
import GridMerge
import GridModel
import GridStore

/// A replica on this machine that follows the daemons' op log in PostgreSQL, so that the
/// office's tools read records, conflicts, history and the monthly report with the same
/// merge, queries and report as on a folder's SQLite store.
///
/// The database keeps the op log; the records are derived from it here, as a laptop derives
/// its own (`docs/ARCHITECTURE.md`, "Records from a PostgreSQL op log"). The mirror pulls the
/// whole log in its commit order, so, like a laptop's pull, it never skips an op committed
/// late. It writes like a laptop too: a decision taken here is an op of the mirror's own
/// replica id, admitted by the database under the rules a laptop's push meets
/// (``send()``).
///
/// A mirror is a cache: one that follows another server (another database, or this one
/// given a new id by `gridsyncd restore --store`) is put aside under another name, never
/// deleted, and a new one is made. One that has read the log further than it now reaches under
/// the same id is refused: the database was put back from a dump and not announced as
/// restored (``StoreError/Code/logWentBack``).
public struct PostgresMirror: Sendable {
    /// The op log followed.
    public let server: PostgresServerStore
    /// The replica kept here.
    public let replica: SQLiteReplicaStore

    /// The most ops pulled at once.
    static let batchSize = 5_000

    /// Opens the mirror of `server` in `folder`, making it (and the folder) if there is none.
    public static func open(following server: PostgresServerStore, in folder: String) async throws -> PostgresMirror {
        let path = (folder as NSString).appendingPathComponent(SQLiteReplicaStore.fileName)
        if FileManager.default.fileExists(atPath: path) {
            let replica = try SQLiteReplicaStore.open(in: folder)
            let mirror = PostgresMirror(server: server, replica: replica)
            if try await mirror.follows() { return mirror }
            try replica.close()
            try putAside(folder)
        }
        let identity = ReplicaIdentity(replica: .random(), worker: server.identity.worker, scopes: [])
        return PostgresMirror(server: server, replica: try SQLiteReplicaStore.create(in: folder, identity: identity))
    }

    /// Whether the replica follows `server`: it has pulled from this server, or holds nothing yet.
    ///
    /// - Throws: ``StoreError/Code/logWentBack`` if it pulled from this server further than
    ///   the log now reaches: the database was put back from a dump without
    ///   `gridsyncd restore --store`, and laptops would never pull what is numbered anew below
    ///   their cursors.
    private func follows() async throws -> Bool {
        let cursor = try await replica.cursor(for: server.identity.replica)
        if cursor.pulledThrough == 0 { return try await replica.ops(after: 0, limit: 1).isEmpty }
        let head = try await server.logHead()
        guard head >= cursor.pulledThrough else {
            throw StoreError(
                .logWentBack,
                "the op log in the database ends at \(head), but it was read up to \(cursor.pulledThrough) before: "
                    + "the database was put back from a backup without `gridsyncd restore --store`, which laptops need "
                    + "to give back what it lost. Stop every daemon on it, run that once, then start them")
        }
        return true
    }

    /// Renames the replica files in `folder` aside, with the time, so that a new mirror can be made.
    private static func putAside(_ folder: String) throws {
        let stamp = Int(Date().timeIntervalSince1970)
        for suffix in ["", "-wal", "-shm"] {
            let path = (folder as NSString).appendingPathComponent(SQLiteReplicaStore.fileName + suffix)
            guard FileManager.default.fileExists(atPath: path) else { continue }
            try FileManager.default.moveItem(atPath: path, toPath: path + ".followed-another-server-\(stamp)")
        }
    }

    /// Pulls every op committed since the last pull (or those numbered up to `target`, and
    /// perhaps a batch more), in batches, telling `progress` how far it is (the log's local
    /// sequence reached).
    ///
    /// - Returns: the local sequence of the log the mirror holds every op through.
    @discardableResult
    public func catchUp(through target: Int64 = .max, progress: (Int64) -> Void = { _ in }) async throws -> Int64 {
        let server = self.server.identity.replica
        var through = try await replica.cursor(for: server).pulledThrough
        while through < target {
            let batch = try await self.server.logBatch(after: through, limit: Self.batchSize)
            if batch.through > through {
                _ = try await replica.ingest(batch.ops, pulledFrom: server, through: batch.through)
                through = batch.through
                progress(through)
            }
            guard batch.more else { return through }
        }
        return through
    }

    /// Sends the mirror's own ops that the database does not hold yet: its decisions, admitted
    /// as a laptop's push is.
    ///
    /// - Returns: how many ops were new to the database.
    @discardableResult
    public func send() async throws -> Int {
        let own = replica.identity.replica
        let server = self.server.identity.replica
        let pushed = try await replica.cursor(for: server).pushedThrough
        var sent = 0
        var after = UInt64(max(pushed, 0))
        while true {
            let ops = try await replica.ops(of: own, after: after, limit: Self.batchSize)
            guard let last = ops.last else { return sent }
            sent += try await self.server.admit(ops, pushedBy: own).stored
            try await replica.markPushed(to: server, through: Int64(last.id.sequence))
            after = last.id.sequence
        }
    }
}
