import ArgumentParser
import Foundation
import GridAccounts
import GridCommandLine
import GridStore
import GridStorePostgres
import Logging

/// `gridsyncd migrate`: copy a daemon folder's op log and accounts into an empty PostgreSQL
/// database, and check the copy, so that the street's laptops go on with daemons on it.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Copy the data folder's op log and accounts into an empty PostgreSQL database, and check the copy.",
        discussion: """
            Stop the daemon first. The copy keeps the server's identity and the numbering of its op log, so \
            every laptop sees the same server afterwards and goes on pulling where it was: nothing is pulled \
            twice or missed. Every account (with its token's hash: tokens keep working) and every device is \
            copied too. The copy is one transaction: an interrupted one leaves the database as it was. Then \
            every op, account and device is read back and compared with the folder. The folder is left as \
            it is. Afterwards, set `store` to the database in the configuration and start the daemons \
            (operator's guide, section 14).

            Examples:
              gridsyncd migrate --to postgres://gridsync@db.office.lan/gridsync?sslmode=require
              gridsyncd migrate --to postgres://gridsync:secret@127.0.0.1/district --data /var/lib/gridsyncd --json
            """)

    @OptionGroup var daemon: DaemonOptions
    @OptionGroup var output: OutputOptions

    @Option(help: ArgumentHelp("The empty PostgreSQL database to copy into.", valueName: "url"))
    var to: String

    func run() async throws {
        let configuration = try daemon.configuration()
        let address: PostgresAddress
        do {
            address = try PostgresAddress(to)
        } catch let error as StoreError {
            throw DaemonError(.badConfiguration, error.message)
        }
        let data = configuration.data
        // A daemon serving the folder would go on taking pushes the copy never sees.
        let lock = try FolderLock.take(data)
        defer { withExtendedLifetime(lock) {} }
        let replica = try SQLiteReplicaStore.openReadOnly(in: data)
        guard replica.identity.worker == DaemonFolder.daemonWorker else {
            throw DaemonError(
                .badConfiguration,
                "\(data) holds \(replica.identity.worker)'s laptop replica, not a daemon's: give the daemon's data folder"
            )
        }
        let accounts = try AccountStore.openReadOnlyIfPresent(in: data)
        let database = PostgresConnections(address, connections: 2, logger: Logger(label: "gridsyncd"))
        defer { database.close() }
        let copy = PostgresFolderCopy(client: database.client)
        let started = ContinuousClock.now
        let counts = try await copy.copy(from: replica, accounts: accounts) { copied in
            if copied % 100_000 == 0 { StandardStream.error.write("copied \(copied) ops…\n") }
        }
        let differences = try await copy.verify(against: replica, accounts: accounts)
        guard differences.isEmpty else {
            throw DaemonError(
                .badConfiguration,
                "the copy in \(address) differs from \(data): " + differences.joined(separator: "; ")
                    + ". Do not start daemons on it: drop the database, make it again and migrate once more")
        }
        let seconds = (ContinuousClock.now - started).components.seconds
        if output.json {
            print(try OutputOptions.json(Migrated(store: address.description, counts: counts, verified: true)))
            return
        }
        print("copied \(data) into \(address) and checked it, in \(seconds) s:")
        print(
            "  \(counts.ops) ops (the log goes on after \(counts.head)), \(counts.accounts) accounts, \(counts.devices) devices"
        )
        print("")
        print("Next: set `store = \(address)` in gridsyncd.conf (the password in gridsyncd.env as PGPASSWORD),")
        print("then start the daemons. Laptops need nothing: they see the same server.")
    }

    /// `--json`: what was copied, and that it was checked.
    struct Migrated: Encodable {
        let store: String
        let counts: PostgresFolderCopy.Counts
        let verified: Bool
    }
}
