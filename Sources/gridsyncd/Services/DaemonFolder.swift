import Foundation
import GridAccounts
import GridCommandLine
import GridMerge
import GridModel
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
    let database: DaemonDatabase?

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
            let database = DaemonDatabase(address, connections: configuration.storeConnections, logger: logger)
            do {
                let store = try await database.open()
                return DaemonFolder(
                    store: store, accounts: store.accounts, replica: nil, isNew: false,
                    location: "the op log in \(address)", lock: lock, database: database)
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
            location: "the replica in \(folder)", lock: lock, database: nil)
    }

    /// Runs `body` with the accounts the configuration names (for `gridsyncd worker`), without
    /// the folder's lock: accounts are changed while the daemon serves.
    static func withAccounts<T>(_ configuration: DaemonConfiguration, _ body: (any AccountBook) async throws -> T)
        async throws -> T
    {
        guard let address = configuration.store else {
            return try await body(AccountStore.open(in: configuration.data))
        }
        let database = DaemonDatabase(address, connections: 2, logger: Logger(label: "gridsyncd"))
        defer { database.close() }
        return try await body(try await database.open().accounts)
    }
}

/// One daemon's connections to PostgreSQL: a pool run in the background from the start, closed
/// when the daemon is done with it.
final class DaemonDatabase: Sendable {
    let address: PostgresAddress
    let client: PostgresClient
    private let running: Task<Void, Never>
    private let logger: Logger

    init(_ address: PostgresAddress, connections: Int, logger: Logger) {
        self.address = address
        self.logger = logger
        let client = PostgresClient(configuration: address.configuration(connections: connections))
        self.client = client
        running = Task { await client.run() }
    }

    /// Opens the op log, bringing its schema up to date.
    func open() async throws -> PostgresServerStore {
        do {
            return try await PostgresServerStore.open(client: client, worker: DaemonFolder.daemonWorker, logger: logger)
        } catch let error as StoreError where error.code == .unavailable {
            throw StoreError(
                .unavailable,
                "cannot reach PostgreSQL at \(address): check that it runs, that the address, user and password are "
                    + "right, and that pg_hba.conf lets this machine in",
                cause: error)
        }
    }

    /// Closes every connection.
    func close() {
        running.cancel()
    }
}
