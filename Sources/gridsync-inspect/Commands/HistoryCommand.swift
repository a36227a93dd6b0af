import ArgumentParser
import GridCommandLine
import GridMerge
import GridModel
import GridStore

/// `gridsync-inspect history`.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show every version of a record's fields: who changed what, over which earlier value.",
        discussion: """
            Each version names the value it replaced (`← …`); a merge replaces several (`← a + b`); versions \
            written over the same value without seeing each other are concurrent (`‖`); `*` marks the current \
            values. Deletes and restores are the field `deleted`; a resolution shows its reason.

            Examples:
              gridsync-inspect history 3f2a9c1e
              gridsync-inspect history 3f2a9c1e status
              gridsync-inspect history 3f2a9c1e --json
            """)

    @OptionGroup var inspect: InspectOptions
    @Argument(help: ArgumentHelp("The record: its id or its first 4 or more characters.", valueName: "record"))
    var record: String
    @Argument(help: ArgumentHelp("Only this field.", valueName: "field")) var field: String?
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let store = try await inspect.open().store
        let id = try await store.findRecord(record, type: nil)
        guard let state = try await store.record(id) else {
            throw StoreError(.unknownRecord, "no record \(id) in \(inspect.place)")
        }
        if let field { _ = try state.type.schema.field(field) }
        let histories = FieldHistory.all(of: state, ops: try await store.history(of: id), only: field)
        if output.json { return print(try OutputOptions.json(histories)) }
        let names = try await store.streetNames()
        print("\(state.type.key) \(state.id) in \(names.label(of: state.scope)): \(Labels.title(state))")
        for history in histories {
            print("\n\(history.label)")
            var table = TextTable(headers: ["", "时间 time", "作者 author", "副本 replica", "变更 change", "取代 replaced", ""])
            table.rows = history.versions.map { version in
                [
                    version.current ? "*" : "", Labels.shortTime(version.clock), names.label(.worker, version.author),
                    String(version.replica.prefix(8)), TextTable.truncated(version.action, to: 40),
                    version.replaces.isEmpty ? "" : "← " + version.replaces.joined(separator: " + "),
                    (version.concurrentWith.isEmpty ? "" : "‖ concurrent ")
                        + (version.reason.map { "resolution: \($0)" } ?? ""),
                ]
            }
            print(table.render())
        }
    }
}
