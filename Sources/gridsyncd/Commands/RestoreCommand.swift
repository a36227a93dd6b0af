import ArgumentParser
import Foundation
import GridAccounts
import GridCommandLine
import GridMerge
import GridStore

/// `gridsyncd restore`: put the daemon's replica (and accounts) back from a backup, so that
/// the laptops notice and give back what the backup missed.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Put the daemon's replica (and accounts) back from a backup; laptops then give back what it lost.",
        discussion: """
            Stop the daemon first. The current files are moved aside into a `replaced-<time>` folder inside \
            the data folder, never deleted. The restored replica takes a new replica id that continues the \
            former one's history: its own ops (office resolutions) are numbered anew, so they cannot collide \
            with the ones written after the backup was taken, which laptops still hold. At their next \
            ordinary sync, laptops pull everything again from the restored server and give back every op it \
            lost, their own and others', the office's resolutions included; `gridsync-inspect devices` and \
            the log show it. See the operator's guide, section Restore.

            Examples:
              gridsyncd restore --replica /var/backups/gridsyncd/replica-2026-11-28.sqlite \\
                                --accounts /var/backups/gridsyncd/accounts-2026-11-28.sqlite
              gridsyncd restore --replica backup/replica.sqlite --data ./daemon --json
            """)

    @OptionGroup var daemon: DaemonOptions
    @OptionGroup var output: OutputOptions

    @Option(help: ArgumentHelp("The backup of the replica (replica.sqlite).", valueName: "file"))
    var replica: String

    @Option(help: ArgumentHelp("The backup of the accounts (accounts.sqlite), taken with it.", valueName: "file"))
    var accounts: String?

    func run() async throws {
        let configuration = try daemon.configuration()
        // The files would go back into a folder the daemons do not serve from.
        if let store = configuration.store {
            throw DaemonError(
                .badConfiguration,
                "the daemons serve from \(store), not from the data folder's files: restore puts back a folder's "
                    + "backup only, and restoring a PostgreSQL store is not built yet (operator's guide, section 14.6)")
        }
        let data = configuration.data
        let manager = FileManager.default
        for file in [replica] + (accounts.map { [$0] } ?? []) where !manager.fileExists(atPath: file) {
            throw DaemonError(.badBackup, "\(file) does not exist: give the path of the backup file")
        }
        // A daemon serving the folder would go on with the replaced files open.
        try manager.createDirectory(atPath: data, withIntermediateDirectories: true)
        let lock = try FolderLock.take(data)
        defer { withExtendedLifetime(lock) {} }
        let stamp = Date().formatted(.iso8601).replacingOccurrences(of: ":", with: "")
        let staging = (data as NSString).appendingPathComponent("restoring-\(stamp)")
        let replaced = (data as NSString).appendingPathComponent("replaced-\(stamp)")
        try manager.createDirectory(atPath: staging, withIntermediateDirectories: true)
        defer { try? manager.removeItem(atPath: staging) }
        // Check and convert a copy first: nothing in the data folder moves until the backup has proved good.
        try manager.copyItem(
            atPath: replica, toPath: (staging as NSString).appendingPathComponent(SQLiteReplicaStore.fileName))
        let backup = try SQLiteReplicaStore.check(in: staging)
        guard backup.worker == DaemonFolder.daemonWorker else {
            throw DaemonError(
                .badBackup,
                "\(replica) is the replica of \(backup.worker)'s laptop, not the daemon's: give the daemon's backup")
        }
        if let accounts {
            try manager.copyItem(
                atPath: accounts, toPath: (staging as NSString).appendingPathComponent(AccountStore.fileName))
            _ = try AccountStore.open(in: staging)
        }
        // The replica being replaced may itself be a restore newer than the backup: continue its history too.
        let current = try? SQLiteReplicaStore.openReadOnly(in: data).identity
        let former = current?.replica
        let identity = try SQLiteReplicaStore.continueAfterRestore(in: staging, as: .random(), replacing: current)
        try manager.createDirectory(atPath: replaced, withIntermediateDirectories: true)
        let names = [SQLiteReplicaStore.fileName] + (accounts == nil ? [] : [AccountStore.fileName])
        for name in names {
            for suffix in ["", "-wal", "-shm"] {
                let current = (data as NSString).appendingPathComponent(name + suffix)
                if manager.fileExists(atPath: current) {
                    try manager.moveItem(
                        atPath: current, toPath: (replaced as NSString).appendingPathComponent(name + suffix))
                }
                let restored = (staging as NSString).appendingPathComponent(name + suffix)
                if manager.fileExists(atPath: restored) { try manager.moveItem(atPath: restored, toPath: current) }
            }
        }
        let summary = Summary(
            replica: identity.replica.description, continues: identity.lineage.map(\.description),
            formerCurrent: former?.description, replacedFilesIn: replaced)
        if output.json {
            print(try OutputOptions.json(summary))
        } else {
            print("restored \(replica)\(accounts.map { " and \($0)" } ?? "") into \(data)")
            print(
                "the server is now replica \(identity.replica), continuing \(identity.lineage.map(\.description).joined(separator: ", "))"
            )
            print("the files it replaced are in \(replaced)")
            print(
                "start the daemon; at their next sync, laptops give back what this backup missed and pull everything again"
            )
        }
    }

    /// What `--json` prints.
    struct Summary: Encodable {
        let replica: String
        let continues: [String]
        let formerCurrent: String?
        let replacedFilesIn: String
    }
}
