import ArgumentParser
import GridModel
import GridStore

/// `gridsync export`: every record with its current values.
struct ExportCommand: AsyncParsableCommand {
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case jsonl, csv
    }

    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write every record with its current values, to standard output.",
        discussion: """
            jsonl writes one record per line, sorted by type then id, with every competing value of a field
            in conflict: two replicas that hold the same ops write byte-identical files.
            csv writes one record type as a table (--type, default demand) for Excel and WPS: a UTF-8 \
            byte-order mark (Chinese shows right on a double-click), Chinese headers and labels, progress, \
            surveys and notes as dated lines, and no cell that a spreadsheet would run as a formula (a title \
            starting with = is written '=…). --keys writes the stored keys instead, for scripts. --type also \
            narrows jsonl.

            Examples:
              gridsync export --format jsonl > records.jsonl
              gridsync export --format csv --type project > 微项目.csv
              gridsync export --format csv --type demand --keys > demands.csv
            """)

    @Option(help: "jsonl or csv.")
    var format: Format = .jsonl

    @Option(
        help: ArgumentHelp("Only this record type: visit, demand, project, or community, grid, compound, worker (csv: default demand).", valueName: "type"))
    var type: String?

    @Flag(help: "csv: the stored keys and values (English), for scripts, instead of labels for people.")
    var keys = false

    @OptionGroup var data: DataOptions

    func run() async throws {
        let recordType = try type.map { text in
            guard let recordType = RecordType(parsing: text) else {
                throw ValidationError("--type '\(text)' is not a record type: use one of \(RecordType.allCases.map(\.key).joined(separator: ", "))")
            }
            return recordType
        }
        let store = try data.openStore()
        let records = try await store.allRecords().filter { recordType == nil || $0.type == recordType }
        switch format {
        case .jsonl:
            print(try RecordExport.jsonLines(records), terminator: "")
        case .csv:
            let style: RecordExport.CSVStyle = keys ? .keys : .office(RecordText(names: try await store.streetNames()))
            let type = recordType ?? .demand
            let timelines = try await store.timelines(of: records.filter { $0.type == type }.map(\.id))
            print(RecordExport.csv(records, type: type, style: style, timelines: timelines), terminator: "")
        }
    }
}
