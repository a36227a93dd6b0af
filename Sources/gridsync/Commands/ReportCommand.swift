import ArgumentParser
import GridCommandLine

/// `gridsync report`: the monthly report (两会一报) from this laptop's replica (an office
/// laptop holds its communities).
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "The monthly report (两会一报) of the records this laptop holds.",
        discussion: """
            Demands raised, accepted, resolved and open (by category and grid, the median days to resolve, the \
            oldest open), visits per worker, projects by stage with the month's progress and those that filed \
            none, funding by source for the month and the year, and satisfaction. Months are counted in the \
            laptop's time zone. An office laptop synced with its communities gives their report; a grid worker's, \
            their grids'.

            \(ReportOptions.examples("gridsync"))
            """)

    @OptionGroup var report: ReportOptions
    @OptionGroup var data: DataOptions

    func run() async throws {
        print(try await report.render(data.openStore(), files: data.files))
    }
}
