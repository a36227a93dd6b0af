import ArgumentParser
import GridCommandLine
import GridMerge
import GridModel
import GridStore

/// One version of one field: an op, what it did, and what it was written over.
struct Version: Encodable {
    let op: String
    let time: String
    let author: String
    let replica: String
    /// What the op did: `set <value>`, `add <element>`, `+3`, `append …`, `deleted`, `restored`.
    let action: String
    /// The values (for a register) it replaced; several for a merge.
    let replaces: [String]
    /// The ops written over the same value without seeing this one.
    let concurrentWith: [String]
    /// Whether it is one of the field's current values.
    let current: Bool
    /// For a resolution, the reason the office gave.
    let reason: String?
    let clock: HybridTimestamp
}

/// The versions of one field, oldest first.
struct FieldHistory: Encodable {
    let field: String
    let label: String
    let versions: [Version]

    /// The history of every field `ops` touch (or of `only`), in schema order.
    static func all(of record: RecordState, ops: [Op], only: String?) -> [FieldHistory] {
        let ordered = ops.sorted { $0.stamp < $1.stamp }
        let byID = Dictionary(ops.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let reasons = ResolutionNote.reasons(in: ops)
        return record.type.schema.fields.compactMap { spec -> FieldHistory? in
            guard only == nil || only == spec.name else { return nil }
            let fieldOps = ordered.filter { Labels.writes(spec.name, $0) }
            guard !fieldOps.isEmpty else { return nil }
            let heads = Set(record.registers[spec.name]?.headIDs ?? [])
            var children: [OpID: [OpID]] = [:]
            for op in fieldOps {
                for parent in op.parents where byID[parent].map({ Labels.writes(spec.name, $0) }) ?? false {
                    children[parent, default: []].append(op.id)
                }
            }
            let versions = fieldOps.map { op -> Version in
                let parents = op.parents.compactMap { byID[$0] }.filter { Labels.writes(spec.name, $0) }
                let siblings = Set(parents.flatMap { children[$0.id] ?? [] }).subtracting([op.id])
                return Version(
                    op: op.id.description, time: Labels.time(op.clock), author: op.author.rawValue,
                    replica: op.id.replica.description,
                    action: op.field == spec.name
                        ? action(op, in: record.type) : "kept, editing \(op.field): " + action(op, in: record.type),
                    replaces: parents.compactMap { parent in
                        Labels.value(of: spec.name, parent).map { Labels.label($0, of: spec.name, in: record.type) }
                    },
                    concurrentWith: siblings.map(\.description).sorted(), current: heads.contains(op.id),
                    reason: reasons[op.id], clock: op.clock)
            }
            return FieldHistory(field: spec.name, label: Labels.field(spec.name, of: record.type), versions: versions)
        }
    }

    /// What an op did, in words.
    static func action(_ op: Op, in type: RecordType) -> String {
        switch op.payload {
        case .assign(let value):
            if op.field == RecordSchema.deletedField, case .boolean(let deleted) = value {
                return deleted ? "deleted" : "kept / restored"
            }
            return "set " + Labels.label(value, of: op.field, in: type)
        case .add(let element): return "add \(element)"
        case .remove(let element): return "remove \(element)"
        case .change(let change): return change > 0 ? "+\(change)" : "\(change)"
        case .append(let entry):
            return "append " + entry.sortedParts.map { "\($0.name): \($0.value)" }.joined(separator: ", ")
        }
    }
}

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
