import Foundation
import GridMerge
import GridModel
import GridStore

/// A page of one type's records, as both web screens list them (`/records/TYPE`): the filters
/// a grid worker, a statistician or a leader uses, search in Chinese, pages of ``pageSize``.
/// Rendered by ``RecordTemplates/list``.
public struct RecordList: Sendable {
    /// Records a page shows at once.
    public static let pageSize = 50

    /// One filter of the form: a text box, a date or a list of choices.
    public struct Filter: Sendable {
        public struct Choice: Sendable {
            public let key: String
            public let label: String
            public let selected: Bool
        }
        public let name: String
        public let label: String
        public let value: String
        public let isDate: Bool
        public let choices: [Choice]
    }
    /// One record's row.
    public struct Row: Sendable {
        public let id: String
        public let title: String
        public let cells: [String]
    }
    public let heading: String
    public let type: String
    public let filters: [Filter]
    public let filterLabel: String
    public let summary: String
    public let columns: [String]
    public let rows: [Row]
    public let previous: String?
    public let next: String?
    public let previousLabel: String
    public let nextLabel: String

    /// The names of the filters a list's address may carry.
    static let filterNames = ["grid", "compound", "category", "status", "stage", "from", "to", "q"]

    /// The page `query` asks for of `type`'s records that `reader` may read in `store`, or
    /// `nil` for a type with no list (the street's reference data). `compounds`, when given, are
    /// the compounds offered by name; else a compound is typed by its key.
    public static func read(
        _ type: RecordType, query: FormBody, from store: any ReplicaStore, for reader: RecordReader,
        compounds: [StreetEntry]? = nil, timeZone: TimeZone, words: Words
    ) async throws -> RecordList? {
        guard !type.isReference else { return nil }
        var selection = RecordQuery(type: type)
        selection.grid = query["grid"].flatMap(GridID.init)
        selection.compound = query["compound"].flatMap(CompoundID.init)
        selection.category = query["category"].flatMap(Category.init(rawValue:))
        selection.status = query["status"].flatMap(DemandStatus.init(rawValue:))
        selection.stage = query["stage"].flatMap(ProjectStage.init(rawValue:))
        if query["from"] != nil || query["to"] != nil {
            selection.days = RecordQuery.DayRange(first: query["from"], last: query["to"], timeZone: timeZone)
        }
        selection.search = query["q"]
        let text = RecordText(timeZone: timeZone, names: try await store.streetNames())
        let page = max(1, query["page"].flatMap(Int.init) ?? 1)
        let shown: [RecordState]
        let more: Bool
        if reader.holdsOnlyTheirs || reader.scopes.allSatisfy({ $0.grid == nil }) {
            // A page of a laptop's replica or of an office's communities, read as a page: one
            // more tells whether another follows.
            if !reader.holdsOnlyTheirs { selection.communities = reader.scopes.map(\.community) }
            selection.limit = pageSize + 1
            selection.offset = (page - 1) * pageSize
            let read = try await store.records(selection)
            shown = Array(read.prefix(pageSize))
            more = read.count > pageSize
        } else {
            // An account of some grids: every record selected, kept if in one of them.
            let found = try await store.records(selection).filter { reader.reads($0.scope) }
            shown = Array(found.dropFirst((page - 1) * pageSize).prefix(pageSize))
            more = found.count > page * pageSize
        }
        func link(_ page: Int) -> String {
            var parts = ["page=\(page)"]
            for name in filterNames {
                if let value = query[name] { parts.append("\(name)=\(FormBody.encode(value))") }
            }
            return "/records/\(type.key)?" + parts.joined(separator: "&")
        }
        func choices(_ name: String, _ choices: [(key: String, label: String)]) -> Filter {
            Filter(
                name: name, label: type.schema[name].map { words($0.label.chinese, $0.label.english) } ?? name,
                value: "", isDate: false,
                choices: choices.map { .init(key: $0.key, label: $0.label, selected: query[name] == $0.key) })
        }
        func choices(_ name: String, _ set: ChoiceSet) -> Filter {
            choices(name, set.choices.map { ($0.key, words($0.label.chinese, $0.label.english)) })
        }
        func textBox(_ name: String, _ label: String, isDate: Bool = false) -> Filter {
            Filter(name: name, label: label, value: query[name] ?? "", isDate: isDate, choices: [])
        }
        var filters = [textBox("q", words("搜索", "Search"))]
        if !reader.isOneGrid { filters.append(textBox("grid", words("网格", "Grid"))) }
        if let compounds {
            filters.append(choices("compound", compounds.map { ($0.key, $0.name ?? $0.key) }))
        } else {
            filters.append(textBox("compound", words("小区", "Compound")))
        }
        switch type {
        case .demand:
            filters += [choices("category", Category.choices), choices("status", DemandStatus.choices)]
        case .project:
            filters += [choices("category", Category.projectCategories), choices("stage", ProjectStage.choices)]
        default:
            break
        }
        filters += [textBox("from", words("从", "From"), isDate: true), textBox("to", words("到", "To"), isDate: true)]
        let timelines = try await store.timelines(of: shown.map(\.id))
        let typeLabel = RecordWords.typeLabel(type)
        return RecordList(
            heading: words(typeLabel.chinese, typeLabel.english), type: type.key,
            filters: filters, filterLabel: words("筛选", "Filter"),
            summary: words("第 \(page) 页", "Page \(page)"),
            columns: [words("标题", "Title")] + RecordWords.listColumns(type).map { words($0.chinese, $0.english) },
            rows: shown.map { record in
                Row(
                    id: record.id.description, title: RecordWords.title(record),
                    cells: RecordWords.listCells(record, timeline: timelines[record.id], text: text, words: words))
            },
            previous: page > 1 ? link(page - 1) : nil,
            next: more ? link(page + 1) : nil,
            previousLabel: words("上一页", "Previous"), nextLabel: words("下一页", "Next"))
    }
}
