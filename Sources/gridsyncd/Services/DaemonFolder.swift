import GridAccounts
import Foundation
import GridMerge
import GridModel
import GridStore

/// The daemon's data folder: the street's replica (`replica.sqlite`), made on first start,
/// and the accounts (`accounts.sqlite`).
struct DaemonFolder {
    /// The daemon's replica.
    let store: SQLiteReplicaStore
    /// The workers' accounts.
    let accounts: AccountStore
    /// Whether the replica was made just now.
    let isNew: Bool

    /// The worker id the daemon's own replica is recorded under.
    static let daemonWorker = WorkerID("gridsyncd")!

    /// Opens the folder, making the replica if there is none.
    static func open(_ folder: String) throws -> DaemonFolder {
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
        return DaemonFolder(store: store, accounts: try AccountStore.open(in: folder), isNew: isNew)
    }
}
