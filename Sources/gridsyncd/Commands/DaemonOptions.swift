import ArgumentParser
import Foundation

/// `--config`, `--data` and `--store`, shared by every command.
struct DaemonOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The configuration file.",
            discussion: "Default: $GRIDSYNCD_CONFIG, else gridsyncd.conf in the data folder if it is there.",
            valueName: "file"))
    var config: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The daemon's data folder.",
            discussion: "Default: $GRIDSYNCD_DATA, else $XDG_DATA_HOME/gridsyncd, else ~/.local/share/gridsyncd.",
            valueName: "folder"))
    var data: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Where the op log and the accounts are: folder, or a PostgreSQL database several daemons share.",
            discussion: """
                Default: $GRIDSYNCD_STORE, else store in the configuration file, else folder (SQLite files in the \
                data folder). A database: postgres://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=require (the password \
                may come from $PGPASSWORD instead).
                """,
            valueName: "folder|url"))
    var store: String?

    /// The configuration, with these options and `flags` over the environment and the file.
    func configuration(flags: [String: String?] = [:]) throws -> DaemonConfiguration {
        var given = flags.compactMapValues { $0 }
        if let data { given["data"] = data }
        if let store { given["store"] = store }
        return try DaemonConfiguration.resolve(
            flags: given, file: config, environment: ProcessInfo.processInfo.environment)
    }
}
