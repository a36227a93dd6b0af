/// The street's reference data as the office keeps it: two spreadsheets saved as CSV (UTF-8, as Excel and WPS save
/// "CSV UTF-8"), one row per compound and one per worker.
///
/// The compounds sheet has the columns 社区编号, 社区, 网格编号, 网格, 小区编号, 小区, 地址, 物业 and 楼栋: each row names a
/// compound and the grid and community it lies in, so communities and grids are listed as often as they have
/// compounds, and must be named alike each time. 物业 is 有 or 无 (whether a property-management company looks after
/// it); 楼栋 lists the buildings, separated by `、`. The workers sheet has 网格员编号, 姓名 and 网格编号 (the grids'
/// keys, separated by `、`; none for office staff). Columns may come in any order, and may be headed by their English
/// keys instead (`community-key`, `community`, …); keys are required, since records name compounds and workers by
/// them.
public enum StreetSheets {
    /// A column: its Chinese header, its English key, and whether a value is required.
    struct Column {
        let chinese: String
        let english: String
        let required: Bool
    }

    static let compoundColumns = [
        Column(chinese: "社区编号", english: "community-key", required: true),
        Column(chinese: "社区", english: "community", required: true),
        Column(chinese: "网格编号", english: "grid-key", required: true),
        Column(chinese: "网格", english: "grid", required: true),
        Column(chinese: "小区编号", english: "compound-key", required: true),
        Column(chinese: "小区", english: "compound", required: true),
        Column(chinese: "地址", english: "address", required: false),
        Column(chinese: "物业", english: "property-management", required: true),
        Column(chinese: "楼栋", english: "buildings", required: false),
    ]

    static let workerColumns = [
        Column(chinese: "网格员编号", english: "worker-key", required: true),
        Column(chinese: "姓名", english: "name", required: true),
        Column(chinese: "网格编号", english: "grids", required: false),
    ]

    /// Reads the two sheets into a street named `name`, checked as ``Street`` checks itself.
    ///
    /// - Throws: ``ValidationError`` naming the file, the line and the column of the first thing wrong: a missing
    ///   column or value, a key not written as keys are, a name too long, a community or grid named two ways, a key
    ///   given twice, a worker in a grid the compounds sheet does not list.
    public static func read(name: String, compounds: String, workers: String) throws(ValidationError) -> Street {
        let compoundTable = try CSVTable(compounds, file: "compounds.csv")
        let compoundIndex = try columns(compoundColumns, of: compoundTable, file: "compounds.csv")
        var communities: [Community] = []
        var grids: [Grid] = []
        var compoundList: [Compound] = []
        for (line, fields) in compoundTable.rows {
            let row = Row(file: "compounds.csv", line: line, fields: fields, index: compoundIndex)
            let community = Community(
                id: try row.key("社区编号", { CommunityID($0) }, rule: CommunityID.rule), name: try row.name("社区"))
            let grid = Grid(
                id: try row.key("网格编号", { GridID($0) }, rule: GridID.rule), community: community.id,
                name: try row.name("网格"))
            if let earlier = communities.first(where: { $0.id == community.id }) {
                guard earlier == community else {
                    throw row.refusal(
                        "社区", value: community.name,
                        allowed: "\(earlier.name), the name an earlier line gives \(community.id)")
                }
            } else {
                communities.append(community)
            }
            if let earlier = grids.first(where: { $0.id == grid.id }) {
                guard earlier == grid else {
                    throw row.refusal(
                        "网格", value: "\(grid.name) in \(grid.community)",
                        allowed: "\(earlier.name) in \(earlier.community), as an earlier line gives \(grid.id)")
                }
            } else {
                grids.append(grid)
            }
            let id = try row.key("小区编号", { CompoundID($0) }, rule: CompoundID.rule)
            guard !compoundList.contains(where: { $0.id == id }) else {
                throw row.refusal("小区编号", value: id.rawValue, allowed: "a key no earlier line gives")
            }
            compoundList.append(
                Compound(
                    id: id, grid: grid.id,
                    name: try row.name("小区"), hasPropertyManagement: try row.yesOrNo("物业"),
                    address: try row.optionalName("地址"), buildings: try row.list("楼栋")))
        }
        let workerTable = try CSVTable(workers, file: "workers.csv")
        let workerIndex = try columns(workerColumns, of: workerTable, file: "workers.csv")
        var workerList: [Worker] = []
        for (line, fields) in workerTable.rows {
            let row = Row(file: "workers.csv", line: line, fields: fields, index: workerIndex)
            let id = try row.key("网格员编号", { WorkerID($0) }, rule: WorkerID.rule)
            guard !workerList.contains(where: { $0.id == id }) else {
                throw row.refusal("网格员编号", value: id.rawValue, allowed: "a key no earlier line gives")
            }
            var workerGrids: [GridID] = []
            for key in try row.list("网格编号") {
                guard let grid = GridID(key), grids.contains(where: { $0.id == grid }) else {
                    throw row.refusal(
                        "网格编号", value: key, allowed: "keys of grids the compounds sheet lists, separated by 、")
                }
                workerGrids.append(grid)
            }
            workerList.append(
                Worker(id: id, name: try row.name("姓名"), role: workerGrids.isEmpty ? .office : .worker, grids: workerGrids))
        }
        return try Street(
            name: name, communities: communities, grids: grids, compounds: compoundList, workers: workerList)
    }

    /// The compounds sheet of `street`, with a byte-order mark and Chinese headers, as ``read(name:compounds:workers:)``
    /// reads it back.
    public static func compoundsCSV(_ street: Street) -> String {
        var text = "\u{FEFF}" + SpreadsheetCell.row(compoundColumns.map(\.chinese))
        for compound in street.compounds {
            guard let grid = street.grid(compound.grid), let community = street.community(grid.community) else { continue }
            text += SpreadsheetCell.row([
                community.id.rawValue, community.name, grid.id.rawValue, grid.name, compound.id.rawValue, compound.name,
                compound.address ?? "", compound.hasPropertyManagement ? "有" : "无",
                compound.buildings.joined(separator: "、"),
            ])
        }
        return text
    }

    /// The workers sheet of `street`, as ``read(name:compounds:workers:)`` reads it back.
    public static func workersCSV(_ street: Street) -> String {
        var text = "\u{FEFF}" + SpreadsheetCell.row(workerColumns.map(\.chinese))
        for worker in street.workers {
            text += SpreadsheetCell.row([
                worker.id.rawValue, worker.name, worker.grids.map(\.rawValue).joined(separator: "、"),
            ])
        }
        return text
    }

    /// Where each column is in `table`, by its Chinese header or English key.
    private static func columns(_ wanted: [Column], of table: CSVTable, file: String) throws(ValidationError)
        -> [String: Int]
    {
        var index: [String: Int] = [:]
        for column in wanted {
            if let position = table.header.firstIndex(where: { $0 == column.chinese || $0 == column.english }) {
                index[column.chinese] = position
            } else if column.required {
                throw ValidationError(
                    .missingRequired, field: "\(file) header", value: table.header.joined(separator: ","),
                    allowed: "a column \(column.chinese) (or \(column.english)); the columns are "
                        + wanted.map(\.chinese).joined(separator: ", "))
            }
        }
        return index
    }

    /// One row being read, whose refusals name its file, line and column.
    private struct Row {
        let file: String
        let line: Int
        let fields: [String]
        let index: [String: Int]

        func value(_ column: String) -> String {
            guard let position = index[column], position < fields.count else { return "" }
            return SpreadsheetCell.unguarded(fields[position].trimmingWhitespace)
        }

        func refusal(_ column: String, value: String?, allowed: String) -> ValidationError {
            ValidationError(
                value == nil ? .missingRequired : .badFormat, field: "\(file) line \(line), \(column)", value: value,
                allowed: allowed)
        }

        func key<Key>(_ column: String, _ make: (String) -> Key?, rule: String) throws(ValidationError) -> Key {
            let text = value(column)
            guard let key = make(text) else {
                throw refusal(column, value: text.isEmpty ? nil : text, allowed: "a key (\(rule))")
            }
            return key
        }

        func name(_ column: String) throws(ValidationError) -> String {
            guard let name = try optionalName(column) else {
                throw refusal(column, value: nil, allowed: "a name of 1 to 80 characters")
            }
            return name
        }

        func optionalName(_ column: String) throws(ValidationError) -> String? {
            let text = value(column)
            guard !text.isEmpty else { return nil }
            guard text.count <= 80, !text.contains(where: \.isNewline) else {
                throw refusal(column, value: text, allowed: "a name of 1 to 80 characters on one line")
            }
            return text
        }

        func yesOrNo(_ column: String) throws(ValidationError) -> Bool {
            switch value(column).lowercased() {
            case "有", "是", "yes", "true": return true
            case "无", "否", "no", "false": return false
            case let text: throw refusal(column, value: text.isEmpty ? nil : text, allowed: "有 or 无")
            }
        }

        func list(_ column: String) throws(ValidationError) -> [String] {
            value(column).split(whereSeparator: { "、;；,，".contains($0) }).map { String($0).trimmingWhitespace }
                .filter { !$0.isEmpty }
        }
    }
}
