import ArgumentParser
import Foundation
import GridAccounts
import GridCommandLine
import GridMerge
import GridStore
import GridStorePostgres
import Logging

/// `gridsyncd restore`: put the daemon's replica (and accounts) back from a backup, or
/// announce a PostgreSQL database put back from a dump, so that the laptops notice and give
/// back what the backup missed.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract:
            "Put the daemon's replica (and accounts) back from a backup, or announce a database put back from a dump; "
            + "laptops then give back what it lost.",
        discussion: """
            Stop the daemon first. The current files are moved aside into a `replaced-<time>` folder inside \
            the data folder, never deleted. The restored replica takes a new replica id that continues the \
            former one's history: its own ops (office resolutions) are numbered anew, so they cannot collide \
            with the ones written after the backup was taken, which laptops still hold. At their next \
            ordinary sync, laptops pull everything again from the restored server and give back every op it \
            lost, their own and others', the office's resolutions included; `gridsync-inspect devices` and \
            the log show it. See the operator's guide, section Restore.

            With a PostgreSQL store (several daemons), first stop every daemon on the database and put it back \
            with pg_restore; then run restore without --replica: the op log takes a new server id that \
            continues the dump's, with the same effect. A daemon refuses to start on a database put back \
            without it.

            Examples:
              gridsyncd restore --replica /var/backups/gridsyncd/replica-2026-11-28.sqlite \\
                                --accounts /var/backups/gridsyncd/accounts-2026-11-28.sqlite
              gridsyncd restore --replica backup/replica.sqlite --data ./daemon --json
              gridsyncd restore --store postgres://gridsync@db.example.org/gridsync
            """)

    @OptionGroup var daemon: DaemonOptions
    @OptionGroup var output: OutputOptions

    @Option(help: ArgumentHelp("The backup of the replica (replica.sqlite); not with PostgreSQL.", valueName: "file"))
    var replica: String?

    @Option(help: ArgumentHelp("The backup of the accounts (accounts.sqlite), taken with it.", valueName: "file"))
    var accounts: String?

    func run() async throws {
        let configuration = try daemon.configuration()
        if let store = configuration.store {
            return try await announce(store)
        }
        guard let replica else {
            throw DaemonError(
                .badBackup, "give the backup of the daemon's replica with --replica (and its accounts with --accounts)")
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

    /// Gives the database at `store`, put back from a dump, a new server id continuing the dump's.
    private func announce(_ store: PostgresAddress) async throws {
        // The files would go back into a folder the daemons do not serve from.
        guard replica == nil, accounts == nil else {
            throw DaemonError(
                .badConfiguration,
                "the daemons serve from \(store), not from a folder's files: put the database back with pg_restore, "
                    + "then run restore without --replica and --accounts (operator's guide, section 14.6)")
        }
        let connections = PostgresConnections(store, connections: 1, logger: Logger(label: "gridsyncd"))
        defer { connections.close() }
        let identity = try await PostgresServerStore.continueAfterRestore(client: connections.client, as: .random())
        let summary = Summary(
            replica: identity.replica.description, continues: identity.lineage.map(\.description), formerCurrent: nil,
            replacedFilesIn: nil)
        if output.json { return print(try OutputOptions.json(summary)) }
        print("the op log in \(store) is now server \(identity.replica), continuing \(summary.continues.joined(separator: ", "))")
        print(
            "start the daemons; at their next sync, laptops give back what the dump missed and pull everything again")
    }

    /// What `--json` prints.
    struct Summary: Encodable {
        let replica: String
        let continues: [String]
        let formerCurrent: String?
        /// Where the replaced files went (a folder's restore).
        let replacedFilesIn: String?
    }
}
