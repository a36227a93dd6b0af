import ArgumentParser
import GridCommandLine
import GridMerge
import GridModel
import GridStore

/// `gridsync project`: micro-projects (微项目) and their loop.
struct ProjectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "project",
        abstract: "Run micro-projects (微项目) through collect → design → review → implement → evaluate.",
        subcommands: [Add.self, List.self, Show.self, Update.self, Stage.self, Progress.self, Fund.self, Survey.self])

    /// The project fields that `add` and `update` share.
    struct Fields: ParsableArguments {
        @Option(help: "The project's name, up to 80 characters.") var title: String?
        @Option(
            help:
                "One of \(Category.projectCategories.summary)."
        )
        var category: String?
        @Option(help: "A short description of the project.") var summary: String?
        @Option(help: "The compound: its key (k001) or its name (纺织厂宿舍).") var compound: String?
        @Option(help: "Who proposed it (a residents' group, a capable resident...).") var proposer: String?
        @Option(help: "A participant to add (the community, a social organisation, a shop...); repeat for several.")
        var participant: [String] = []
        @Option(help: "A demand the project answers (its id or first 4+ characters); repeat for several.")
        var demand: [String] = []
        @OptionGroup var place: PlaceOption

        func edits(into builder: inout EditBuilder) throws {
            try builder.set("title", title)
            try builder.set("category", category)
            try builder.set("summary", summary)
            try builder.set("compound", compound)
            try builder.set("proposer", proposer)
            try builder.add("participants", participant)
            try builder.link("demands", adding: demand)
            try place.edits(into: &builder)
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start a micro-project (at the collect stage unless --stage says otherwise).",
            discussion: """
                Examples:
                  gridsync project add --title 楼道微消防站 --category 消防安全 --demand 3f2a9c1e
                  gridsync project add --title 停车自治公约 --category 民主协商 --participant 物业公司
                """)

        @OptionGroup var fields: Fields
        @OptionGroup var photos: PhotoOptions
        @Option(help: "One of \(ProjectStage.choices.summary).")
        var stage: String = ProjectStage.collect.key
        @Option(help: "The grid, if this replica works in several.") var grid: String?
        @OptionGroup var data: DataOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            var builder = EditBuilder(.project)
            try builder.set("stage", stage)
            try fields.edits(into: &builder)
            let store = try data.openStore()
            try photos.edits(into: &builder, files: data.files)
            try await RecordActions.create(.project, builder, grid: grid, store: store, output: output)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List micro-projects, with filters.",
            discussion: """
                Examples:
                  gridsync project list --stage 实施
                  gridsync project list --category environment --json
                """)

        @Option(help: "Only this grid: its key (g01), or c01/g01.") var grid: String?
        @Option(help: "Only this stage.") var stage: String?
        @Option(help: "Only this category.") var category: String?
        @Flag(help: "Include deleted projects.") var all = false
        @OptionGroup var days: DayOptions
        @Option(help: ListOrder.help) var sort: ListOrder = .newest
        @OptionGroup var data: DataOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let store = try data.openStore()
            var query = RecordQuery(type: .project)
            query.grid = try RecordActions.grid(grid)
            query.stage = try RecordActions.filter(stage, "stage")
            query.category = try RecordActions.filter(category, "category")
            query.includeDeleted = all
            query.days = try days.range()
            try await RecordActions.list(query, order: sort, store: store, output: output)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one micro-project: stage, funding, progress, satisfaction.",
            discussion: """
                Example:
                  gridsync project show 9b1c07d2
                """)

        @Argument(help: "The project's id, or its first 4 or more characters.") var id: String
        @OptionGroup var data: DataOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await RecordActions.show(.project, id, store: data.openStore(), files: data.files, output: output)
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a project's fields; all changes are stored together or not at all.",
            discussion: """
                Examples:
                  gridsync project update 9b1c07d2 --summary 每栋楼设微型消防站 --participant 社工
                  gridsync project update 9b1c07d2 --remove-participant 物业公司 --note 物业退出
                """)

        @Argument(help: "The project's id, or its first 4 or more characters.") var id: String
        @OptionGroup var fields: Fields
        @Option(help: "A participant to remove; repeat for several.") var removeParticipant: [String] = []
        @OptionGroup var notesAndClearing: NoteAndClearOptions
        @OptionGroup var data: DataOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            var builder = EditBuilder(.project)
            try fields.edits(into: &builder)
            try builder.remove("participants", removeParticipant)
            try notesAndClearing.edits(into: &builder)
            try await RecordActions.update(.project, id, builder, store: data.openStore(), output: output)
        }
    }

    struct Stage: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move a project to a stage of the loop (by default, the next one).",
            discussion: """
                Examples:
                  gridsync project stage 9b1c07d2            # collect → design
                  gridsync project stage 9b1c07d2 实施
                """)

        @Argument(help: "The project's id, or its first 4 or more characters.") var id: String
        @Argument(help: "The stage (default: the next one).") var stage: String?
        @Option(help: "Why, when the project skips a stage or goes back one (kept in its notes).") var reason: String?
        @OptionGroup var data: DataOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let store = try data.openStore()
            let record = try await store.record(store.findRecord(id, type: .project))
            guard let current = record.flatMap({ ProjectStage(rawValue: $0.value("stage").description) }) else {
                throw GridModel.ValidationError(
                    .badFormat, field: "stage", value: nil, allowed: "a stage the project has: it has none readable")
            }
            let target: ProjectStage
            if let stage {
                target = try RecordActions.filter(stage, "stage")!
            } else if let next = current.next {
                target = next
            } else {
                throw GridModel.ValidationError(
                    .outOfRange, field: "stage", value: current.key,
                    allowed: "a stage before \(current.label.chinese): it is the last one (name one, with --reason)")
            }
            // The loop goes one step at a time; skipping or going back is allowed with a reason, kept.
            let isNextStep = target == current.next
            guard isNextStep || target == current || reason != nil else {
                throw GridModel.ValidationError(
                    .needsReason, field: "stage",
                    value: "\(current.label.chinese) → \(target.label.chinese)",
                    allowed: (current.next.map { "the next stage, \($0.label.chinese) (\($0.key))" } ?? "no next stage")
                        + "; to skip a stage or go back, give --reason")
            }
            var builder = EditBuilder(.project)
            try builder.set("stage", target.key)
            if let reason {
                try builder.append(
                    "notes", ["text": "阶段 \(current.label.chinese) → \(target.label.chinese)：\(reason)"])
            }
            try await RecordActions.update(.project, id, builder, store: store, output: output)
        }
    }

    struct Progress: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a monthly progress entry (the compound's monthly report).",
            discussion: """
                Examples:
                  gridsync project progress 9b1c07d2 --month 2026-11 --text 完成三栋楼道清理 --percent 60
                """)

        @Argument(help: "The project's id, or its first 4 or more characters.") var id: String
        @Option(help: "The month reported, YYYY-MM.") var month: String
        @Option(help: "What was done.") var text: String
        @Option(help: "How far along the project is, 0 to 100.") var percent: String?
        @OptionGroup var data: DataOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            var builder = EditBuilder(.project)
            try builder.append("progress", ["month": month, "text": text, "percent": percent])
            try await RecordActions.update(.project, id, builder, store: data.openStore(), output: output)
        }
    }

    struct Fund: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record money for a project, by source: government, society or residents (yuan).",
            discussion: """
                Amounts are yuan with up to two decimals, kept exactly (in fen).

                Examples:
                  gridsync project fund 9b1c07d2 --source 政府 --yuan 20000
                  gridsync project fund 9b1c07d2 --source residents --yuan 3500.50
                  gridsync project fund 9b1c07d2 --source 政府 --yuan -500    # corrects an entry 500 too high
                """)

        @Argument(help: "The project's id, or its first 4 or more characters.") var id: String
        @Option(help: "One of \(FundingSource.choices.summary).") var source: String
        @Option(
            parsing: .unconditional,
            help: ArgumentHelp(
                "Yuan, with up to two decimals (negative to correct an earlier entry; a source's total never goes "
                    + "below 0).", valueName: "yuan"))
        var yuan: String
        @OptionGroup var data: DataOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let funding: FundingSource = try RecordActions.filter(source, "source")!
            guard let amount = Money(yuan: yuan), amount.fen != 0 else {
                throw GridModel.ValidationError(
                    .badFormat, field: "yuan", value: yuan,
                    allowed: "yuan other than 0, with at most two decimals: 3500, 3500.50, or -500 to correct")
            }
            let store = try data.openStore()
            let record = try await store.record(store.findRecord(id, type: .project))
            let total = record?.funding(from: funding) ?? Money(fen: 0)
            guard (total + amount).fen >= 0 else {
                throw GridModel.ValidationError(
                    .outOfRange, field: "yuan", value: yuan,
                    allowed: total.fen == 0
                        ? "an amount above 0: the project has no money from \(funding.label.chinese) yet"
                        : "a correction of at most -\(total.yuanText): the project has \(total.yuanText) yuan from "
                            + funding.label.chinese)
            }
            var builder = EditBuilder(.project)
            try builder.change(funding.fenFieldName, by: amount.fen)
            try await RecordActions.update(.project, id, builder, store: store, output: output)
        }
    }

    struct Survey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a satisfaction survey of a project's residents.",
            discussion: """
                Examples:
                  gridsync project survey 9b1c07d2 --method questionnaire --respondents 40 --satisfied 36
                  gridsync project survey 9b1c07d2 --method 访谈 --respondents 8 --satisfied 7 --comments 希望增加夜间巡逻
                """)

        @Argument(help: "The project's id, or its first 4 or more characters.") var id: String
        @Option(help: "One of \(SurveyMethod.choices.summary).") var method: String
        @Option(help: "How many residents answered.") var respondents: String
        @Option(help: "How many were satisfied.") var satisfied: String
        @Option(help: "What residents said.") var comments: String?
        @OptionGroup var data: DataOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            var builder = EditBuilder(.project)
            try builder.append(
                "satisfaction",
                ["method": method, "respondents": respondents, "satisfied": satisfied, "text": comments])
            try await RecordActions.update(.project, id, builder, store: data.openStore(), output: output)
        }
    }
}
