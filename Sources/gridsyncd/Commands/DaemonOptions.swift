import ArgumentParser
import Foundation

/// `--config` and `--data`, shared by every command.
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

    /// The configuration, with these options and `flags` over the environment and the file.
    func configuration(flags: [String: String?] = [:]) throws -> DaemonConfiguration {
        var given = flags.compactMapValues { $0 }
        if let data { given["data"] = data }
        return try DaemonConfiguration.resolve(
            flags: given, file: config, environment: ProcessInfo.processInfo.environment)
    }
}
