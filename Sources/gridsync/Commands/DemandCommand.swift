import ArgumentParser
import GridCommandLine
import GridMerge
import GridModel
import GridStore

/// `gridsync demand`: residents' demands (居民诉求).
struct DemandCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demand",
        abstract: "Record and follow residents' demands (居民诉求).",
        subcommands: [Add.self, List.self, Show.self, Update.self, Back.self, Close.self])

    /// The demand fields that `add` and `update` share.
    struct Fields: ParsableArguments {
        @Option(help: "A short title, up to 80 characters.") var title: String?
        @Option(
            help:
                "One of \(Category.choices.summary)."
        )
        var category: String?
        @Option(
            help: "One of \(DemandStatus.choices.summary).")
        var status: String?
        @Option(help: "One of \(Urgency.choices.summary).") var urgency: String?
        @Option(help: "What residents asked for, up to 2,000 characters.") var description: String?
        @Option(help: "The compound: its key (k001) or its name (纺织厂宿舍).") var compound: String?
        @Option(help: "The building, e.g. 3栋2单元.") var building: String?
        @Option(help: "The visit this demand came from (its id or first 4+ characters).") var visit: String?
        @Option(help: "The micro-project that answers it (its id or first 4+ characters).") var project: String?
        @Option(name: .customLong("tag"), help: "A tag to add; repeat for several.") var tags: [String] = []
        @OptionGroup var place: PlaceOption

        func edits(into builder: inout EditBuilder) throws {
            try builder.set("title", title)
            try builder.set("category", category)
            try builder.set("status", status)
            try builder.set("urgency", urgency)
            try builder.set("description", description)
            try builder.set("compound", compound)
            try builder.set("building", building)
            try builder.link("visit", visit)
            try builder.link("project", project)
            try builder.add("tags", tags)
            try place.edits(into: &builder)
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a new demand.",
            discussion: """
                Title and category are required; status starts as raised and urgency as normal.
                Category, status and urgency take a key or the Chinese or English label.
                At a terminal, a required value left out is asked for (the choices listed),
                and the compound by part of its name; Ctrl-D gives up and writes nothing.

                Examples:
                  gridsync demand add --title 楼道堆物清理 --category 消防安全
                  gridsync demand add --title 路灯不亮 --category convenience --urgency 紧急
                  gridsync demand add --title 停车难 --category 民主协商 --compound k001 --backers 12
                """)

        @OptionGroup var fields: Fields
        @OptionGroup var photos: PhotoOptions
        @Option(help: "How many residents back it.") var backers: Int64?
        @Option(help: "The grid, if this replica works in several.") var grid: String?
        @OptionGroup var data: DataOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            var builder = EditBuilder(.demand)
            try builder.set("status", fields.status == nil ? DemandStatus.raised.key : nil)
            try builder.set("urgency", fields.urgency == nil ? Urgency.normal.key : nil)
            try fields.edits(into: &builder)
            try builder.start("backers", at: backers)
            let store = try data.openStore()
            try photos.edits(into: &builder, files: data.files)
            try await RecordActions.create(.demand, builder, grid: grid, store: store, output: output)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List demands, newest first, with filters.",
            discussion: """
                Examples:
                  gridsync demand list --open
                  gridsync demand list --since 2026-11-01 --until 2026-11-30
                  gridsync demand list --grid g01 --category 消防安全 --status 处理中
                  gridsync demand list --json
                """)

        @Option(help: "Only this grid: its key (g01), or c01/g01.") var grid: String?
        @Option(help: "Only this compound: its key or its name.") var compound: String?
        @Option(help: "Only this category.") var category: String?
        @Option(help: "Only this status.") var status: String?
        @Flag(help: "Only open demands (raised, accepted, in progress).") var open = false
        @Flag(help: "Include deleted demands.") var all = false
        @OptionGroup var days: DayOptions
        @Option(help: ListOrder.help) var sort: ListOrder = .newest
        @OptionGroup var data: DataOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let store = try data.openStore()
            var query = RecordQuery(type: .demand)
            query.grid = try RecordActions.grid(grid)
            query.compound = try await RecordActions.compound(compound, in: store)
            query.category = try RecordActions.filter(category, "category")
            query.status = try RecordActions.filter(status, "status")
            query.openOnly = open
            query.includeDeleted = all
            query.days = try days.range()
            try await RecordActions.list(query, order: sort, store: store, output: output)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one demand with every field, and competing values of fields in conflict.",
            discussion: """
                Examples:
                  gridsync demand show 3f2a9c1e
                  gridsync demand show 3f2a9c1e --json
                """)

        @Argument(help: "The demand's id, or its first 4 or more characters.") var id: String
        @OptionGroup var data: DataOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await RecordActions.show(.demand, id, store: data.openStore(), files: data.files, output: output)
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a demand's fields; all changes are stored together or not at all.",
            discussion: """
                Writing a field that is in conflict settles the conflict with the value written.

                Examples:
                  gridsync demand update 3f2a9c1e --status 处理中 --project 9b1c07d2
                  gridsync demand update 3f2a9c1e --note "已联系物业，下周清理" --remove-tag 停车
                  gridsync demand update 3f2a9c1e --clear building
                """)

        @Argument(help: "The demand's id, or its first 4 or more characters.") var id: String
        @OptionGroup var fields: Fields
        @Option(help: "A tag to remove; repeat for several.") var removeTag: [String] = []
        @OptionGroup var notesAndClearing: NoteAndClearOptions
        @OptionGroup var data: DataOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            var builder = EditBuilder(.demand)
            try fields.edits(into: &builder)
            try builder.remove("tags", removeTag)
            try notesAndClearing.edits(into: &builder)
            try await RecordActions.update(.demand, id, builder, store: data.openStore(), output: output)
        }
    }

    struct Back: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Count residents who back a demand (or withdraw their backing).",
            discussion: """
                Examples:
                  gridsync demand back 3f2a9c1e            # one more resident
                  gridsync demand back 3f2a9c1e --by 15
                  gridsync demand back 3f2a9c1e --by -2    # two withdrew
                """)

        @Argument(help: "The demand's id, or its first 4 or more characters.") var id: String
        @Option(parsing: .unconditional, help: "How many residents (negative to withdraw; never below 0 in all).")
        var by: Int64 = 1
        @OptionGroup var data: DataOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let store = try data.openStore()
            let record = try await store.record(store.findRecord(id, type: .demand))
            let backers = record?.counters["backers"]?.value ?? 0
            guard backers + by >= 0 else {
                throw GridModel.ValidationError(
                    .outOfRange, field: "backers", value: String(by),
                    allowed: "a withdrawal of at most \(backers): the demand has \(backers) backers")
            }
            var builder = EditBuilder(.demand)
            try builder.change("backers", by: by)
            try await RecordActions.update(.demand, id, builder, store: store, output: output)
        }
    }

    struct Close: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Close a demand (closed, resolved or declined), with the reason as a note.",
            discussion: """
                Examples:
                  gridsync demand close 3f2a9c1e --reason 居民确认已清理
                  gridsync demand close 3f2a9c1e --as declined --reason 不属于社区职责范围
                """)

        @Argument(help: "The demand's id, or its first 4 or more characters.") var id: String
        @Option(name: .customLong("as"), help: "closed (default), resolved or declined.") var status = "closed"
        @Option(help: "Why; stored in the demand's notes.") var reason: String?
        @OptionGroup var data: DataOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            guard let closing = DemandStatus(parsing: status), !closing.isOpen else {
                throw ValidationError("--as '\(status)' does not close a demand: use closed, resolved or declined")
            }
            var builder = EditBuilder(.demand)
            try builder.set("status", closing.key)
            if let reason { try builder.append("notes", ["text": reason]) }
            try await RecordActions.update(.demand, id, builder, store: data.openStore(), output: output)
        }
    }
}
