import ArgumentParser
import GridCommandLine
import GridModel

/// `gridsync-inspect`: see every conflict, where it came from, and settle it.
@main
struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gridsync-inspect",
        abstract: "See every conflict between grid workers' edits, where it came from, and settle it.",
        discussion: """
            Reads the daemon's data folder by default (or a field replica's, with --data, or the daemons' \
            PostgreSQL database, with --store or $GRIDSYNCD_STORE); only `resolve` writes. A resolution is an \
            edit by an office account, stored like any other: every laptop receives it at its next sync.

            Examples:
              gridsync-inspect conflicts
              gridsync-inspect conflicts --summary
              gridsync-inspect conflicts --grid c01/g01 --field status
              gridsync-inspect show 3f2a9c1e
              gridsync-inspect history 3f2a9c1e status
              gridsync-inspect resolve 3f2a9c1e status --pick 2 --reason "居民确认已解决" --as office-1
              gridsync-inspect resolve --rule latest --field urgency --reason "以最新为准" --as office-1 --dry-run
              gridsync-inspect devices
              gridsync-inspect conflicts --store postgres://gridsync@db.office.lan/gridsync
            """,
        version: "0.1.0",
        subcommands: [
            ConflictsCommand.self, ShowCommand.self, HistoryCommand.self, ResolveCommand.self, DevicesCommand.self,
            ReportCommand.self,
        ])

    /// Runs the command; with `--json`, refusals are also JSON on standard error.
    static func main() async {
        await CommandMain.run(Self.self)
    }
}
