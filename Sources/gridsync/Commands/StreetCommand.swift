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
              gridsync street add compound --key k108 --grid g01 --name 纺织厂宿舍 --property-management 无
              gridsync street change compound k108 --address 东门路12号 --building 3号楼
            """,
        subcommands: [Import.self, List.self, Add.self, Change.self])

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
            try Self.checkOffice(store.identity, communities: Set(street.communities.map(\.id)))
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
        static func checkOffice(_ identity: ReplicaIdentity, communities: Set<CommunityID>) throws {
            let covered = Set(identity.scopes.filter { $0.grid == nil }.map(\.community))
            let missing = communities.subtracting(covered).sorted()
            guard missing.isEmpty, !covered.isEmpty else {
                let scopes = identity.scopes.map(\.description).joined(separator: ", ")
                throw StoreError(
                    .outOfScope,
                    "this replica works in \(scopes), and the street's lists are kept by the office for whole "
                        + "communities\(missing.isEmpty ? "" : " (here \(missing.map(\.rawValue).joined(separator: ", ")))"): keep them on an "
                        + "office laptop, made with `gridsync init --worker <key> --grid c01 --grid c02 …` for every "
                        + "community")
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
                let label = RecordType(rawValue: count.type).map { "\($0.label.chinese) \($0.plural)" } ?? count.type
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

        /// A list of the street, as typed: plural or singular, or its Chinese name (小区).
        enum Kind: String, ExpressibleByArgument, CaseIterable {
            case communities, grids, compounds, workers

            init?(argument: String) {
                guard
                    let kind = Self.allCases.first(where: {
                        [$0.rawValue, $0.type.key, $0.type.label.chinese].contains(argument.lowercased())
                    })
                else { return nil }
                self = kind
            }

            var type: RecordType {
                switch self {
                case .communities: .community
                case .grids: .grid
                case .compounds: .compound
                case .workers: .worker
                }
            }

            /// The values its keys take.
            var keyDomain: ValueDomain {
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

    /// The fields of one entry that `add` and `change` take; each applies to some kinds only.
    struct EntryFields: ParsableArguments {
        @Option(help: "The name people use.") var name: String?
        @Option(help: "A grid's community: its key or name.") var community: String?
        @Option(help: "A compound's grid, or a worker's grid (repeat for several): key or name.") var grid: [String] = []
        @Option(help: "A compound's address.") var address: String?
        @Option(name: .customLong("property-management"), help: "Whether a company manages the compound: 有 or 无.")
        var propertyManagement: String?
        @Option(help: "A building of the compound to add (1号楼); repeat for several.") var building: [String] = []

        /// Puts the given fields of a `kind` entry into `builder`, refusing those the kind has not.
        func edits(_ kind: List.Kind, into builder: inout EditBuilder) throws {
            let given: [(String, Bool)] = [
                ("--community", community != nil), ("--grid", !grid.isEmpty), ("--address", address != nil),
                ("--property-management", propertyManagement != nil), ("--building", !building.isEmpty),
            ]
            let takes: Set<String> =
                switch kind {
                case .communities: []
                case .grids: ["--community"]
                case .compounds: ["--grid", "--address", "--property-management", "--building"]
                case .workers: ["--grid"]
                }
            for (option, isGiven) in given where isGiven && !takes.contains(option) {
                throw ValidationError("\(option) is not a field of a \(kind.type.key): see gridsync street add --help")
            }
            try builder.set("name", name)
            try builder.set("community", community)
            if kind == .compounds {
                guard grid.count <= 1 else { throw ValidationError("a compound lies in one grid: give one --grid") }
                try builder.set("grid", grid.first)
            }
            try builder.set("address", address)
            try builder.set("property-management", propertyManagement.map { ["有": "yes", "无": "no"][$0] ?? $0 })
            if kind == .compounds { try builder.add("buildings", building) }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add one community, grid, compound or worker to the street's lists (the office).",
            discussion: """
                Examples:
                  gridsync street add community --key c13 --name 新城社区
                  gridsync street add grid --key g65 --community c13 --name 新城一网格
                  gridsync street add compound --key k108 --grid g65 --name 纺织厂宿舍 --property-management 无
                  gridsync street add worker --key w149 --name 王芳 --grid g65
                """)

        @Argument(help: "community, grid, compound or worker.") var kind: List.Kind
        @Option(help: "Its key, unique in the street (\(CompoundID.rule)).") var key: String
        @OptionGroup var fields: EntryFields
        @OptionGroup var data: DataOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let store = try data.openStore()
            try Import.checkOffice(store.identity, communities: [])
            let type = kind.type
            let key = try kind.keyDomain.parse(key, field: "key").description
            let id = RecordID(reference: type, key: key)
            if let held = try await store.record(id) {
                let name = held.value("name").description
                throw StoreError(
                    .alreadyExists,
                    held.isDeleted
                        ? "\(type.key) \(key) (\(name)) was deleted: bring it back with `gridsync restore \(id)`"
                        : "the street already has \(type.key) \(key) (\(name)): change it with "
                            + "`gridsync street change \(type.key) \(key) …`")
            }
            var builder = EditBuilder(type)
            try fields.edits(kind, into: &builder)
            let grids = try await store.streetEntries(.grid)
            let gridKeys = try fields.grid.map {
                try grids.key(naming: $0, type: .grid, domain: .grid, field: "grid")
            }
            if kind == .workers { try builder.add("grids", gridKeys) }
            let scope = try await Self.scope(of: kind, key: key, grids: gridKeys, fields, in: grids, store: store)
            try Import.checkOffice(store.identity, communities: [scope.community])
            try await RecordActions.create(
                type, builder, id: id, in: scope, first: [.assign(RecordSchema.keyField, .text(key))], store: store,
                output: output)
        }

        /// Where a new entry lies: a community in itself, a grid in itself (in its community), a
        /// compound in its grid, a worker in the community of their first grid.
        static func scope(
            of kind: List.Kind, key: String, grids gridKeys: [String], _ fields: EntryFields, in grids: [StreetEntry],
            store: any ReplicaStore
        ) async throws -> GridScope {
            func community(ofGrid key: String) throws -> CommunityID {
                guard let parent = grids.first(where: { $0.key == key })?.parent, let community = CommunityID(parent)
                else {
                    throw StoreError(
                        .unknownRecord,
                        "grid \(key) is not in the street's lists on this laptop: add it first "
                            + "(gridsync street add grid --key \(key) --community … --name …)")
                }
                return community
            }
            switch kind {
            case .communities:
                return GridScope(community: CommunityID(key)!)
            case .grids:
                guard let text = fields.community else { throw ValidationError("a grid needs --community") }
                let communities = try await store.streetEntries(.community)
                let community = try communities.key(naming: text, type: .community, domain: .community, field: "community")
                return GridScope(community: CommunityID(community)!, grid: GridID(key)!)
            case .compounds:
                guard let grid = gridKeys.first else { throw ValidationError("a compound needs --grid") }
                return GridScope(community: try community(ofGrid: grid), grid: GridID(grid)!)
            case .workers:
                guard let grid = gridKeys.first else {
                    throw ValidationError("a worker needs --grid, the grid they walk (repeat for several)")
                }
                return GridScope(community: try community(ofGrid: grid))
            }
        }
    }

    struct Change: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change one entry of the street's lists (the office); fields not given stay as they are.",
            discussion: """
                An entry stays where it was made: a compound keeps its grid, a grid its community.

                Examples:
                  gridsync street change compound k108 --name 纺织厂宿舍（东院） --address 东门路12号
                  gridsync street change compound 纺织厂宿舍 --property-management 有 --building 3号楼
                  gridsync street change worker w149 --grid g66
                """)

        @Argument(help: "community, grid, compound or worker.") var kind: List.Kind
        @Argument(help: "The entry: its key or its name.") var entry: String
        @OptionGroup var fields: EntryFields
        @Option(name: .customLong("remove-building"), help: "A building to take off the compound's list.")
        var removeBuilding: [String] = []
        @Option(name: .customLong("remove-grid"), help: "A grid to take off the worker's list.")
        var removeGrid: [String] = []
        @OptionGroup var data: DataOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let store = try data.openStore()
            let type = kind.type
            guard kind != .compounds || fields.grid.isEmpty, fields.community == nil else {
                throw StoreError(
                    .refused,
                    "a \(type.key) stays where it was made: to move it, add it under a new key in its new place, "
                        + "and delete the old one")
            }
            let key = try await store.streetEntries(type).key(
                naming: entry, type: type, domain: kind.keyDomain, field: type.key)
            let id = RecordID(reference: type, key: key)
            guard let record = try await store.record(id) else {
                throw StoreError(.unknownRecord, "no \(type.key) \(key) on this laptop: add it with gridsync street add")
            }
            try Import.checkOffice(store.identity, communities: [record.scope.community])
            var builder = EditBuilder(type)
            try fields.edits(kind, into: &builder)
            if kind == .compounds { try builder.remove("buildings", removeBuilding) }
            if kind == .workers {
                let grids = try await store.streetEntries(.grid)
                try builder.add("grids", fields.grid.map { try grids.key(naming: $0, type: .grid, domain: .grid, field: "grid") })
                try builder.remove("grids", removeGrid.map { try grids.key(naming: $0, type: .grid, domain: .grid, field: "grid") })
            }
            try await RecordActions.update(type, id.description, builder, store: store, output: output)
        }
    }
}
