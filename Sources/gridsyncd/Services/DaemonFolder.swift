import Foundation
import GridAccounts
import GridCommandLine
import GridMerge
import GridModel
import GridStore

/// The daemon's data folder: the street's replica (`replica.sqlite`), made on first start,
/// the accounts (`accounts.sqlite`), and the lock of the daemon serving it.
struct DaemonFolder {
    /// The daemon's replica.
    let store: SQLiteReplicaStore
    /// The workers' accounts.
    let accounts: AccountStore
    /// Whether the replica was made just now.
    let isNew: Bool
    /// The lock held while serving.
    let lock: FolderLock

    /// The worker id the daemon's own replica is recorded under.
    static let daemonWorker = WorkerID("gridsyncd")!

    /// Takes the folder's lock and opens it, making the replica if there is none. The folder
    /// is made, or kept, readable by its owner only: it holds residents' records.
    static func open(_ folder: String) throws -> DaemonFolder {
        do {
            try FileManager.default.createDirectory(
                atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw DaemonError(
                .badConfiguration,
                "cannot make the data folder \(folder) (\(error.localizedDescription)): create it, or choose another with --data")
        }
        DataFolder.keepPrivate(folder)
        let lock = try FolderLock.take(folder)
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
        return DaemonFolder(store: store, accounts: try AccountStore.open(in: folder), isNew: isNew, lock: lock)
    }
}
