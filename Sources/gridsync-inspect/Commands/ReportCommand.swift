import ArgumentParser
import GridCommandLine
import GridStore

/// `gridsync-inspect report`: the monthly report (两会一报) from the daemon's replica, which
/// holds the whole street.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "The monthly report (两会一报) of the whole street, or of one community.",
        discussion: """
            The figures of "two meetings, one report": demands, visits, projects and their progress, funding \
            against the yearly commitment, satisfaction. Reads the daemon's folder, read-only, while it runs, \
            or its PostgreSQL database (--store).

            \(ReportOptions.examples("gridsync-inspect"))
            """)

    @OptionGroup var report: ReportOptions
    @OptionGroup var inspect: InspectOptions

    func run() async throws {
        print(
            try await report.render(
                try await inspect.open().store, files: FileStore(replicaFolder: inspect.folder)))
    }
}
