import ArgumentParser
import Foundation
import GridCommandLine

/// `gridsyncd`: the sync daemon on the street office's server.
@main
struct GridsyncdCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gridsyncd",
        abstract: "Reconcile the grid workers' field replicas: the GridSync daemon on the street office's server.",
        discussion: """
            With no subcommand, `serve` runs: it keeps the street's replica in an embedded SQLite store in its \
            data folder (made on first start) and listens for field clients.

            Examples:
              gridsyncd                                   # serve, with every default
              gridsyncd worker add w001 --grid c01/g01    # prints the worker's token, once
              gridsyncd worker add office-1 --role office --scope c01 --scope c02
              gridsyncd worker list
              gridsyncd worker revoke w001
              gridsyncd check-config --config /etc/gridsyncd.conf
              gridsyncd restore --replica /var/backups/gridsyncd/replica-2026-11-28.sqlite
            """,
        version: "0.1.0",
        subcommands: [
            ServeCommand.self, CheckConfigCommand.self, WorkerCommand.self, RestoreCommand.self, MigrateCommand.self,
        ],
        defaultSubcommand: ServeCommand.self)

    /// Runs the command; with `--json`, refusals are also JSON on standard error.
    static func main() async {
        await CommandMain.run(Self.self)
    }
}
