import ArgumentParser
import GridCommandLine
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
              gridsync export --format csv --type project --files 微项目照片 > 微项目.csv
              gridsync export --format csv --type project --files 微项目照片.zip > 微项目.csv

            --files FOLDER also writes the exported records' photos into FOLDER, each named by its \
            record's id (the 编号 column) and its number: 3f2a9c1e-….-1.jpg; a name ending in .zip writes \
            them into one ZIP file instead, for mail or a USB stick. Photos not on this laptop yet are \
            counted on standard error.
            """)

    @Option(help: "jsonl or csv.")
    var format: Format = .jsonl

    @Option(
        help: ArgumentHelp(
            "Only this record type: visit, demand, project, or community, grid, compound, worker (csv: default demand).",
            valueName: "type"))
    var type: String?

    @Flag(help: "csv: the stored keys and values (English), for scripts, instead of labels for people.")
    var keys = false

    @Option(
        help: ArgumentHelp(
            "Also write the records' photos into this folder, or into this ZIP file if it ends in .zip.",
            valueName: "folder"))
    var files: String?

    @OptionGroup var data: DataOptions

    func run() async throws {
        let recordType = try type.map { text in
            guard let recordType = RecordType(parsing: text) else {
                throw ValidationError(
                    "--type '\(text)' is not a record type: use one of \(RecordType.allCases.map(\.key).joined(separator: ", "))"
                )
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
        if let files {
            let exported = format == .csv ? records.filter { $0.type == (recordType ?? .demand) } : records
            let written = try PhotoExport(files: data.files).write(exported, into: files)
            StandardStream.error.write(
                "wrote \(written.copied) photos into \(files)"
                    + (written.missing > 0 ? "; \(written.missing) not on this laptop yet (they come with a sync)" : "")
                    + "\n")
        }
    }
}
