import ArgumentParser
import GridCommandLine
import GridMerge
import GridModel
import GridStore

/// One open conflict: a register field of a record with several competing values.
struct ConflictView: Encodable {
    let record: RecordID
    let type: RecordType
    let title: String
    let scope: String
    let field: String
    let fieldLabel: String
    /// The competing values, the one shown now first.
    let competing: [Competitor]

    /// Every open conflict the filter selects, by record then field.
    static func all(in store: any ReplicaStore, filter: ConflictFilter) async throws -> [ConflictView] {
        var views: [ConflictView] = []
        for record in try await store.conflictedRecords() {
            let fields = record.conflictedFields.filter { filter.selects(record, field: $0) }
            guard !fields.isEmpty else { continue }
            let history = try await store.history(of: record.id)
            for field in fields {
                views.append(ConflictView(record, field: field, history: history))
            }
        }
        return views
    }

    init(_ record: RecordState, field: String, history: [Op]) {
        self.record = record.id
        type = record.type
        title = Labels.title(record)
        scope = record.scope.description
        self.field = field
        fieldLabel = Labels.field(field, of: record.type)
        competing = Competitor.all(of: field, in: record, history: history)
    }

    /// Rows for a table: one per competing value, the record named on the first.
    /// The conflict's lines in the table, one per competing value, with the street's names beside keys.
    func rows(names: StreetNames) -> [[String]] {
        competing.map { competitor in
            let first = competitor.pick == 1
            return [
                first ? String(record.description.prefix(8)) : "", first ? TextTable.truncated(title, to: 20) : "",
                first ? GridScope(scope).map(names.label(of:)) ?? scope : "", first ? fieldLabel : "",
                "\(competitor.pick)\(first ? "*" : "")", TextTable.truncated(competitor.label, to: 24),
                names.label(.worker, competitor.author),
                String(competitor.replica.prefix(8)), Labels.shortTime(competitor.clock),
                competitor.replaced.isEmpty
                    ? "-"
                    : competitor.replaced.map { Labels.label($0, of: field, in: type) }
                        .joined(separator: " + "),
            ]
        }
    }
}

/// `gridsync-inspect conflicts`.
struct ConflictsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conflicts",
        abstract: "List every open conflict: each competing value with its author, replica, time and what it replaced.",
        discussion: """
            A conflict is one field of one record that workers changed without seeing each other's change. \
            The value shown now is marked `*` (number 1); `resolve --pick` takes these numbers. Sets, counters \
            and logs merge without conflicts.

            Examples:
              gridsync-inspect conflicts
              gridsync-inspect conflicts --summary
              gridsync-inspect conflicts --community c01 --type demand --field status
              gridsync-inspect conflicts --author w002 --since 2026-11-01 --json
            """)

    @OptionGroup var inspect: InspectOptions
    @OptionGroup var filter: ConflictFilter
    @Flag(help: "Only counts: by grid and by field.") var summary = false
    @OptionGroup var output: OutputOptions

    struct Summary: Encodable {
        let total: Int
        let byGrid: [String: Int]
        let byField: [String: Int]
    }

    func run() async throws {
        let store = try await inspect.open().store
        let conflicts = try await ConflictView.all(in: store, filter: filter)
        if summary {
            let counts = Summary(
                total: conflicts.count, byGrid: conflicts.reduce(into: [:]) { $0[$1.scope, default: 0] += 1 },
                byField: conflicts.reduce(into: [:]) { $0[$1.fieldLabel, default: 0] += 1 })
            if output.json { return print(try OutputOptions.json(counts)) }
            print("\(counts.total) open conflict\(counts.total == 1 ? "" : "s")")
            for (title, counted) in [("网格 grid", counts.byGrid), ("字段 field", counts.byField)] where !counted.isEmpty {
                print("")
                var table = TextTable(headers: [title, "冲突 conflicts"])
                table.rows = counted.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { [$0.key, "\($0.value)"] }
                print(table.render())
            }
            return
        }
        if output.json { return print(try OutputOptions.json(conflicts)) }
        guard !conflicts.isEmpty else { return print("no open conflicts") }
        var table = TextTable(headers: [
            "记录 record", "标题 title", "网格 grid", "字段 field", "#", "值 value", "作者 author", "副本 replica",
            "时间 time", "取代 replaced",
        ])
        let names = try await store.streetNames()
        table.rows = conflicts.flatMap { $0.rows(names: names) }
        print(table.render())
        print("\n\(conflicts.count) open conflict\(conflicts.count == 1 ? "" : "s"); * = the value shown now.")
        print("Settle one: gridsync-inspect resolve <record> <field> --pick <#> --reason <why> --as <office account>")
    }
}
