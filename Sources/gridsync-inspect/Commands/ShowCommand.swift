import ArgumentParser
import GridCommandLine
import GridMerge
import GridModel
import GridStore

/// `gridsync-inspect show`.
struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a record's current values, with every conflicting field's competing values.",
        discussion: """
            Examples:
              gridsync-inspect show 3f2a9c1e
              gridsync-inspect show 3f2a9c1e --json
            """)

    @OptionGroup var inspect: InspectOptions
    @Argument(help: ArgumentHelp("The record: its id or its first 4 or more characters.", valueName: "record"))
    var record: String
    @OptionGroup var output: OutputOptions

    struct Document: Encodable {
        let record: RecordDocument
        let conflicts: [ConflictView]
    }

    func run() async throws {
        let store = try await inspect.open().store
        let id = try await store.findRecord(record, type: nil)
        guard let state = try await store.record(id) else {
            throw StoreError(.unknownRecord, "no record \(id) in \(inspect.place)")
        }
        let history = try await store.history(of: id)
        let conflicts = state.conflictedFields.map { ConflictView(state, field: $0, history: history) }
        if output.json {
            return print(try OutputOptions.json(Document(record: RecordDocument(state), conflicts: conflicts)))
        }
        print("\(state.type.key) \(state.id) in \(state.scope)\(state.isDeleted ? " (deleted)" : "")")
        var table = TextTable(headers: ["字段 field", "值 value", ""])
        for spec in state.type.schema.fields {
            switch spec.kind {
            case .register:
                let value = state.value(spec.name)
                let competing = conflicts.first { $0.field == spec.name }?.competing ?? []
                guard value != .null || !competing.isEmpty else { continue }
                table.rows.append([
                    Labels.field(spec.name, of: state.type), Labels.label(value, of: spec.name, in: state.type),
                    competing.isEmpty ? "" : "⚠ \(competing.count) competing values",
                ])
                for competitor in competing {
                    table.rows.append([
                        "", "  \(competitor.pick)\(competitor.pick == 1 ? "*" : " ") \(competitor.label)",
                        "\(competitor.author) @\(competitor.replica.prefix(8)) \(Labels.shortTime(competitor.clock))",
                    ])
                }
            case .set:
                let elements = state.sets[spec.name]?.elements ?? []
                if !elements.isEmpty {
                    table.rows.append([Labels.field(spec.name, of: state.type), elements.joined(separator: ", "), ""])
                }
            case .counter:
                if let counter = state.counters[spec.name] {
                    table.rows.append([Labels.field(spec.name, of: state.type), "\(counter.value)", ""])
                }
            case .log:
                for item in state.logs[spec.name]?.items ?? [] {
                    table.rows.append([
                        Labels.field(spec.name, of: state.type),
                        item.entry.sortedParts.map { "\($0.value)" }.joined(separator: " · "),
                        "\(item.author) \(Labels.shortTime(item.clock))",
                    ])
                }
            }
        }
        print(table.render())
        if !conflicts.isEmpty {
            print(
                "\nSettle a field: gridsync-inspect resolve \(id.description.prefix(8)) <field> --pick <#> --reason <why>"
            )
        }
    }
}
