import ArgumentParser
import Foundation
import GridCommandLine
import GridMerge
import GridModel
import GridStore

/// `gridsync street`: the street's reference data (communities, grids, compounds, workers).
struct StreetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "street",
        abstract: "The street's communities, grids, compounds and workers, as the office keeps them.",
        discussion: """
            The office imports its two sheets on an office laptop (a replica made for whole communities);
            the lists then sync to every laptop of the grids concerned, like other records.

            Examples:
              gridsync street import --compounds compounds.csv --workers workers.csv --dry-run
              gridsync street import --compounds compounds.csv --workers workers.csv
              gridsync street list compounds
              gridsync street list workers --json
            """,
        subcommands: [Import.self, List.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import the office's sheets of compounds and workers.",
            discussion: """
                compounds.csv has the columns 社区编号, 社区, 网格编号, 网格, 小区编号, 小区, 地址, 物业 (有 or 无)
                and 楼栋 (buildings separated by 、); workers.csv has 网格员编号, 姓名 and 网格编号 (grids
                separated by 、). Save them from Excel or WPS as CSV (UTF-8 or GBK). Each row makes a record, or
                changes it to what the row says; records no row lists are kept and named, for
                `gridsync delete` if they are gone. Importing the same sheets again changes nothing.

                Examples:
                  gridsync street import --compounds compounds.csv --workers workers.csv --dry-run
                  gridsync street import --compounds 小区.csv --workers 网格员.csv --json
                """)

        @Option(help: ArgumentHelp("The compounds sheet, saved as CSV.", valueName: "file")) var compounds: String
        @Option(help: ArgumentHelp("The workers sheet, saved as CSV.", valueName: "file")) var workers: String
        @Flag(help: "Show what would change, and change nothing.") var dryRun = false
        @OptionGroup var data: DataOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let compoundsFile = try SpreadsheetFile(path: compounds)
            let workersFile = try SpreadsheetFile(path: workers)
            let street = try StreetSheets.read(name: "", compounds: compoundsFile.text, workers: workersFile.text)
            let store = try data.openStore()
            try Self.checkOffice(store.identity, street: street)
            var held: [RecordState] = []
            for type in RecordType.allCases where type.isReference {
                var query = RecordQuery(type: type)
                query.includeDeleted = true
                held += try await store.records(query)
            }
            let plan = try StreetImport(street, held: held)
            if !dryRun {
                for change in plan.changes { _ = try await store.write(change) }
            }
            let summary = Summary(plan, written: !dryRun, encodings: [compoundsFile.encoding, workersFile.encoding])
            if output.json {
                print(try RecordPresenter.json(summary))
            } else {
                for line in summary.lines { print(line) }
            }
        }

        /// Refuses a replica that may not write every community the sheets name: the street's
        /// lists are the office's, and the daemon would refuse them from anyone else.
        static func checkOffice(_ identity: ReplicaIdentity, street: Street) throws {
            let communities = Set(street.communities.map(\.id))
            let covered = Set(identity.scopes.filter { $0.grid == nil }.map(\.community))
            let missing = communities.subtracting(covered).sorted()
            guard missing.isEmpty else {
                let scopes = identity.scopes.map(\.description).joined(separator: ", ")
                throw StoreError(
                    .outOfScope,
                    "this replica works in \(scopes), and the street's lists are kept by the office for whole "
                        + "communities: the sheets name \(missing.map(\.rawValue).joined(separator: ", ")). Import "
                        + "them on an office laptop, made with `gridsync init --worker <key> --grid c01 --grid c02 …` "
                        + "for every community")
            }
        }
    }

    /// What an import did (or would do, with `--dry-run`), for people and for `--json`.
    struct Summary: Encodable {
        struct Count: Encodable {
            var type: String
            var created: Int
            var changed: Int
            var unchanged: Int
        }
        struct Unlisted: Encodable {
            var type: String
            var key: String
        }
        var written: Bool
        var encodings: [String]
        var counts: [Count]
        var unlisted: [Unlisted]

        init(_ plan: StreetImport, written: Bool, encodings: [String]) {
            self.written = written
            self.encodings = encodings
            counts = RecordType.allCases.filter(\.isReference).map { type in
                Count(
                    type: type.key, created: plan.created[type] ?? 0, changed: plan.changed[type] ?? 0,
                    unchanged: plan.unchanged[type] ?? 0)
            }
            unlisted = plan.unlisted.map { Unlisted(type: $0.type.key, key: $0.key) }
        }

        /// The summary in words: a line per type, then what no row lists.
        var lines: [String] {
            var lines = [written ? "Imported the street's lists:" : "Importing would change (nothing was written):"]
            for count in counts {
                let kind = List.Kind.allCases.first { $0.type.key == count.type }
                let label = kind.map { "\($0.type.label.chinese) \($0.rawValue)" } ?? count.type
                lines.append(
                    "  \(label): \(count.created) new, \(count.changed) changed, \(count.unchanged) unchanged")
            }
            if !unlisted.isEmpty {
                lines.append(
                    "Kept, though no row lists them: "
                        + unlisted.map { "\($0.type) \($0.key)" }.joined(separator: ", ")
                        + " (delete those that are gone with `gridsync delete <id>`)")
            }
            if written { lines.append("They reach the grids' laptops at the next sync.") }
            return lines
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the street's communities, grids, compounds or workers held on this laptop.",
            discussion: """
                Examples:
                  gridsync street list compounds
                  gridsync street list workers --json
                """)

        /// A list of the street, as typed.
        enum Kind: String, ExpressibleByArgument, CaseIterable {
            case communities, grids, compounds, workers

            var type: RecordType {
                switch self {
                case .communities: .community
                case .grids: .grid
                case .compounds: .compound
                case .workers: .worker
                }
            }
        }

        @Argument(help: "communities, grids, compounds or workers.") var kind: Kind
        @Flag(help: "Include deleted entries.") var all = false
        @OptionGroup var data: DataOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            var query = RecordQuery(type: kind.type)
            query.includeDeleted = all
            try await RecordActions.list(query, store: data.openStore(), output: output)
        }
    }
}
