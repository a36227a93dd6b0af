import ArgumentParser
import Foundation
import GridCommandLine
import GridMerge
import GridModel
import GridStore

/// `gridsync visit`: household and compound visits (入户走访).
struct VisitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "visit",
        abstract: "Record household and compound visits (入户走访).",
        subcommands: [Add.self, List.self, Show.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a visit.",
            discussion: """
                The date defaults to today and the worker to this replica's worker.

                Examples:
                  gridsync visit add --purpose 日常走访 --compound k001 --household 3栋2单元401 --observations 楼道堆放纸箱
                  gridsync visit add --date 2026-11-28 --purpose follow-up --demand 3f2a9c1e
                """)

        @Option(help: "The day of the visit, YYYY-MM-DD (default: today).") var date: String?
        @Option(help: "Why: one of \(VisitPurpose.choices.summary).") var purpose: String = VisitPurpose.routine.key
        @Option(help: "The compound: its key (k001) or its name (纺织厂宿舍).") var compound: String?
        @Option(help: "The household, e.g. 3栋2单元401.") var household: String?
        @Option(help: "What was seen and heard.") var observations: String?
        @Option(help: "A demand raised on this visit (its id or first 4+ characters); repeat for several.")
        var demand: [String] = []
        @Option(help: "The visiting worker (default: this replica's worker).") var worker: String?
        @OptionGroup var place: PlaceOption
        @OptionGroup var photos: PhotoOptions
        @Option(help: "The grid, if this replica works in several.") var grid: String?
        @OptionGroup var data: DataOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            var builder = EditBuilder(.visit)
            try builder.set("visited-on", date ?? CalendarMonth.day(of: Date(), in: .current))
            try builder.set("purpose", purpose)
            let store = try data.openStore()
            try builder.set("worker", worker ?? store.identity.worker.rawValue)
            try builder.set("compound", compound)
            try builder.set("household", household)
            try builder.set("observations", observations)
            try builder.link("demands", adding: demand)
            try place.edits(into: &builder)
            try photos.edits(into: &builder, files: data.files)
            try await RecordActions.create(.visit, builder, grid: grid, store: store, output: output)
        }

    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List visits, with filters.",
            discussion: """
                Examples:
                  gridsync visit list --compound k001
                  gridsync visit list --since 2026-11-01
                  gridsync visit list --since 2026-11 --until 2026-11 --json
                """)

        @Option(help: "Only this grid: its key (g01), or c01/g01.") var grid: String?
        @Option(help: "Only this compound: its key or its name.") var compound: String?
        @Flag(help: "Include deleted visits.") var all = false
        @OptionGroup var days: DayOptions
        @Option(help: ListOrder.help) var sort: ListOrder = .newest
        @OptionGroup var data: DataOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let store = try data.openStore()
            var query = RecordQuery(type: .visit)
            query.grid = try RecordActions.grid(grid)
            query.compound = try await RecordActions.compound(compound, in: store)
            query.includeDeleted = all
            query.days = try days.range()
            try await RecordActions.list(query, order: sort, store: store, output: output)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one visit.",
            discussion: """
                Example:
                  gridsync visit show 5c0d21aa
                """)

        @Argument(help: "The visit's id, or its first 4 or more characters.") var id: String
        @OptionGroup var data: DataOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await RecordActions.show(.visit, id, store: data.openStore(), files: data.files, output: output)
        }
    }
}
