import Foundation
import GridAccounts
import GridCommandLine
import GridMerge
import GridModel
import GridNet
import GridStore
import GridStorePostgres
import Logging
import PostgresNIO

/// The daemon's data folder and the store it serves: the street's replica
/// (`replica.sqlite`, made on first start) and the accounts (`accounts.sqlite`) in the
/// folder, or the op log and accounts that several daemons share in PostgreSQL. The folder
/// always holds the lock of the daemon serving it and, unless one is configured, its TLS
/// certificate.
struct DaemonFolder {
    /// What laptops sync with.
    let store: any ServerStore
    /// The workers' accounts.
    let accounts: any AccountBook
    /// The replica whose records are kept up with its op log, for a folder's SQLite store
    /// (PostgreSQL keeps the op log only).
    let replica: SQLiteReplicaStore?
    /// Whether the store was made just now.
    let isNew: Bool
    /// Where the store is, for the log and the banner.
    let location: String
    /// The lock held while serving.
    let lock: FolderLock
    /// The connections to PostgreSQL, closed after serving.
    let database: PostgresConnections?
    /// The replica in the folder that follows PostgreSQL's op log, from which this daemon
    /// writes the record tables in its turn.
    let mirror: PostgresMirror?

    /// The files laptops send and fetch (photos), in `files/` of the data folder, named by the
    /// records of the daemon's replica (or, on PostgreSQL, of its mirror, which follows the op
    /// log a moment behind: a file is taken once the mirror holds a record naming it).
    func files(_ configuration: DaemonConfiguration) -> FileService? {
        guard let replica = replica ?? mirror?.replica else { return nil }
        return FileService(
            files: FileStore(replicaFolder: configuration.data, limits: configuration.files), replica: replica)
    }

    /// The folder, inside the data folder, of the mirror of PostgreSQL's op log.
    static let mirrorFolder = "records-mirror"

    /// The worker id the daemon's own replica is recorded under.
    static let daemonWorker = WorkerID("gridsyncd")!

    /// Takes the folder's lock and opens the store the configuration names, making the
    /// folder's replica if there is none. The folder is made, or kept, readable by its owner
    /// only: it holds residents' records (or the daemon's key).
    static func open(_ configuration: DaemonConfiguration, logger: Logger) async throws -> DaemonFolder {
        let folder = configuration.data
        do {
            try FileManager.default.createDirectory(
                atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw DaemonError(
                .badConfiguration,
                "cannot make the data folder \(folder) (\(error.localizedDescription)): create it, or choose another with --data"
            )
        }
        DataFolder.keepPrivate(folder)
        let lock = try FolderLock.take(folder)
        if let address = configuration.store {
            let database = PostgresConnections(address, connections: configuration.storeConnections, logger: logger)
            do {
                let store = try await database.open(worker: daemonWorker)
                let mirror = try await PostgresMirror.open(
                    following: store, in: (folder as NSString).appendingPathComponent(mirrorFolder))
                return DaemonFolder(
                    store: store, accounts: store.accounts, replica: nil, isNew: false,
                    location: "the op log in \(address)", lock: lock, database: database, mirror: mirror)
            } catch {
                database.close()
                throw error
            }
        }
        let path = (folder as NSString).appendingPathComponent(SQLiteReplicaStore.fileName)
        let isNew = !FileManager.default.fileExists(atPath: path)
        let store: SQLiteReplicaStore
        if isNew {
            // The daemon's replica authors no ops of its own: it holds every grid's.
            store = try SQLiteReplicaStore.create(
                in: folder, identity: ReplicaIdentity(replica: .random(), worker: daemonWorker, scopes: []))
        } else {
            store = try SQLiteReplicaStore.open(in: folder)
        }
        return DaemonFolder(
            store: store, accounts: try AccountStore.open(in: folder), replica: store, isNew: isNew,
            location: "the replica in \(folder)", lock: lock, database: nil, mirror: nil)
    }

    /// Runs `body` with the accounts the configuration names (for `gridsyncd worker`), without
    /// the folder's lock: accounts are changed while the daemon serves.
    static func withAccounts<T>(_ configuration: DaemonConfiguration, _ body: (any AccountBook) async throws -> T)
        async throws -> T
    {
        guard let address = configuration.store else {
            return try await body(AccountStore.open(in: configuration.data))
        }
        let database = PostgresConnections(address, connections: 2, logger: Logger(label: "gridsyncd"))
        defer { database.close() }
        return try await body(try await database.open(worker: daemonWorker).accounts)
    }
}
