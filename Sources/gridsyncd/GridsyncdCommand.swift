import ArgumentParser
import Foundation
import GridStore

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
            """,
        version: "0.1.0",
        subcommands: [ServeCommand.self, CheckConfigCommand.self, WorkerCommand.self],
        defaultSubcommand: ServeCommand.self)

    /// Runs the command; with `--json`, a refusal is also written as JSON on standard error
    /// (`{"error":{"code":…,"message":…}}`).
    static func main() async {
        do {
            var command = try await asyncParseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if CommandLine.arguments.contains("--json"), let (code, message) = refusal(error) {
                let document = ["error": ["code": code, "message": message]]
                if let data = try? JSONSerialization.data(
                    withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])
                {
                    FileHandle.standardError.write(data + Data("\n".utf8))
                    Foundation.exit(1)
                }
            }
            exit(withError: error)
        }
    }

    private static func refusal(_ error: any Error) -> (String, String)? {
        switch error {
        case let error as DaemonError: (error.code.rawValue, error.message)
        case let error as StoreError: (error.code.rawValue, error.message)
        default: nil
        }
    }
}
