import ArgumentParser
import Foundation
import GridModel
import GridCommandLine

/// `gridsync`: the field client of GridSync, for grid workers, offline first.
@main
struct GridsyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gridsync",
        abstract: "Record visits, residents' demands and micro-projects on a grid worker's laptop, offline.",
        discussion: """
            Everything is stored in a local replica first; nothing needs a network. Start with `gridsync init`.

            Examples:
              gridsync init --worker w001 --grid c01/g01
              gridsync demand add --title 楼道堆物清理 --category 消防安全 --backers 12
              gridsync demand list --open
              gridsync project add --title 楼道微消防站 --category fire-safety
              gridsync sync --server 192.168.1.10:7420 --fingerprint sha256:3f2a…
              gridsync status
              gridsync export --format jsonl > records.jsonl
            """,
        version: "0.1.0",
        subcommands: [
            InitCommand.self, VisitCommand.self, DemandCommand.self, ProjectCommand.self, DeleteCommand.self,
            RestoreCommand.self, SyncCommand.self, StatusCommand.self, ExportCommand.self, ReportCommand.self,
            StreetCommand.self, UICommand.self, AttachCommand.self, DetachCommand.self, OpenCommand.self,
        ])

    /// Runs the command; with `--json`, refusals are also JSON on standard error.
    static func main() async {
        await CommandMain.run(Self.self)
    }
}
