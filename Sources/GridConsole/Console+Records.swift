import Foundation
import GridMerge
import GridModel
import GridStore
import GridWeb
import Hummingbird

/// The lists of demands, visits and projects, and a record's page.
extension Console {
    /// Records a list page shows at once.
    static let pageSize = 50

    struct ListContext {
        struct Filter {
            struct Choice {
                let key: String
                let label: String
                let selected: Bool
            }
            let name: String
            let label: String
            let value: String
            let isDate: Bool
            let choices: [Choice]
        }
        struct Row {
            let id: String
            let title: String
            let cells: [String]
        }
        let heading: String
        let type: String
        let filters: [Filter]
        let filterLabel: String
        let summary: String
        let columns: [String]
        let rows: [Row]
        let previous: String?
        let next: String?
        let previousLabel: String
        let nextLabel: String
    }

    /// A list of one type's records in the session's communities, with the filters a
    /// statistician or a leader uses, search in Chinese, and pages of ``pageSize``.
    func list(_ typeKey: String, request: Request, _ session: ConsoleSessions.Session, _ words: Words) async throws
        -> Page
    {
        guard let type = RecordType(rawValue: typeKey), !type.isReference else {
            return message(
                words("没有这类记录", "No such records"), words("请从上方菜单选择。", "Choose from the menu above."),
                error: true, status: .notFound, words: words)
        }
        let query = FormBody(request.uri.query ?? "")
        var selection = RecordQuery(type: type)
        selection.grid = query["grid"].flatMap(GridID.init)
        selection.compound = query["compound"].flatMap(CompoundID.init)
        selection.category = query["category"].flatMap(Category.init(rawValue:))
        selection.status = query["status"].flatMap(DemandStatus.init(rawValue:))
        selection.stage = query["stage"].flatMap(ProjectStage.init(rawValue:))
        if query["from"] != nil || query["to"] != nil {
            selection.days = RecordQuery.DayRange(first: query["from"], last: query["to"], timeZone: settings.timeZone)
        }
        let search = query["q"]
        selection.search = search
        let text = RecordText(timeZone: settings.timeZone, names: try await records.store.streetNames())
        let page = max(1, query["page"].flatMap(Int.init) ?? 1)
        let shown: [RecordState]
        let more: Bool
        if session.scopes.allSatisfy({ $0.grid == nil }) {
            // A page of an office's communities, read as a page: one more tells whether another follows.
            selection.communities = session.scopes.map(\.community)
            selection.limit = Self.pageSize + 1
            selection.offset = (page - 1) * Self.pageSize
            let read = try await records.store.records(selection)
            shown = Array(read.prefix(Self.pageSize))
            more = read.count > Self.pageSize
        } else {
            // An account of some grids: every record selected, kept if in one of them.
            let found = try await records.store.records(selection).filter { session.scopes.covers($0.scope) }
            shown = Array(found.dropFirst((page - 1) * Self.pageSize).prefix(Self.pageSize))
            more = found.count > page * Self.pageSize
        }
        let columns = Self.listColumns(type)
        func link(_ page: Int) -> String {
            var parts = ["page=\(page)"]
            for name in ["grid", "compound", "category", "status", "stage", "from", "to", "q"] {
                if let value = query[name] { parts.append("\(name)=\(FormBody.encode(value))") }
            }
            return "/records/\(type.key)?" + parts.joined(separator: "&")
        }
        var filters = [
            ListContext.Filter(
                name: "q", label: words("搜索", "Search"), value: search ?? "", isDate: false, choices: []),
            ListContext.Filter(
                name: "grid", label: words("网格", "Grid"), value: query["grid"] ?? "", isDate: false, choices: []),
            ListContext.Filter(
                name: "compound", label: words("小区", "Compound"), value: query["compound"] ?? "", isDate: false,
                choices: []),
        ]
        func choices(_ name: String, _ set: ChoiceSet) -> ListContext.Filter {
            ListContext.Filter(
                name: name, label: type.schema[name].map { words($0.label.chinese, $0.label.english) } ?? name,
                value: "", isDate: false,
                choices: set.choices.map {
                    .init(
                        key: $0.key, label: words($0.label.chinese, $0.label.english), selected: query[name] == $0.key)
                })
        }
        switch type {
        case .demand:
            filters += [choices("category", Category.choices), choices("status", DemandStatus.choices)]
        case .project:
            filters += [choices("category", Category.projectCategories), choices("stage", ProjectStage.choices)]
        default:
            break
        }
        filters += [
            ListContext.Filter(
                name: "from", label: words("从", "From"), value: query["from"] ?? "", isDate: true, choices: []),
            ListContext.Filter(
                name: "to", label: words("到", "To"), value: query["to"] ?? "", isDate: true, choices: []),
        ]
        let timelines = try await records.store.timelines(of: shown.map(\.id))
        let context = ListContext(
            heading: words(Self.typeLabel(type).chinese, Self.typeLabel(type).english), type: type.key,
            filters: filters, filterLabel: words("筛选", "Filter"),
            summary: words("第 \(page) 页", "Page \(page)"),
            columns: [words("标题", "Title")] + columns.map { words($0.chinese, $0.english) },
            rows: shown.map { record in
                ListContext.Row(
                    id: record.id.description, title: Self.title(record, words: words),
                    cells: Self.listCells(record, timeline: timelines[record.id], text: text, words: words))
            },
            previous: page > 1 ? link(page - 1) : nil,
            next: more ? link(page + 1) : nil,
            previousLabel: words("上一页", "Previous"), nextLabel: words("下一页", "Next"))
        return Page(title: context.heading, body: render("records", context))
    }

    /// The type's name.
    static func typeLabel(_ type: RecordType) -> Label {
        switch type {
        case .demand: Label("居民诉求", "Demands")
        case .visit: Label("入户走访", "Visits")
        case .project: Label("微项目", "Projects")
        case .community, .grid, .compound, .worker:
            type.schema.fields.first.map { $0.label } ?? Label(type.key, type.key)
        }
    }

    /// A record's title for lists and links: its title, or for a visit its day and household.
    static func title(_ record: RecordState, words: Words) -> String {
        if record.type == .visit {
            let parts = [record.value("visited-on").text, record.value("household").text].compactMap { $0 }
            return parts.isEmpty ? Labels.title(record) : parts.joined(separator: " ")
        }
        return Labels.title(record)
    }

    /// The columns of a type's list after its title.
    static func listColumns(_ type: RecordType) -> [Label] {
        switch type {
        case .demand:
            [
                Label("网格", "Grid"), Label("小区", "Compound"), Label("类别", "Category"), Label("状态", "Status"),
                Label("紧急程度", "Urgency"), Label("提出", "Raised"),
            ]
        case .visit:
            [Label("网格", "Grid"), Label("小区", "Compound"), Label("网格员", "Worker"), Label("走访事由", "Purpose")]
        case .project:
            [Label("网格", "Grid"), Label("类别", "Category"), Label("阶段", "Stage"), Label("提出", "Raised")]
        case .community, .grid, .compound, .worker: []
        }
    }

    /// A record's cells under ``listColumns(_:)``.
    static func listCells(_ record: RecordState, timeline: RecordTimeline?, text: RecordText, words: Words) -> [String]
    {
        func value(_ field: String) -> String {
            guard let spec = record.type.schema[field] else { return "" }
            if words.isEnglish, case .register(.choice(let set)) = spec.shape, let key = record.value(field).text {
                return set.choices.first { $0.key == key }?.label.english ?? key
            }
            return text.value(record.value(field), of: spec)
        }
        let place = text.names.label(of: record.scope)
        let raised = timeline.map { text.date(of: $0.created) } ?? ""
        switch record.type {
        case .demand:
            return [place, value("compound"), value("category"), value("status"), value("urgency"), raised]
        case .visit:
            return [place, value("compound"), value("worker"), value("purpose")]
        case .project:
            return [place, value("category"), value("stage"), raised]
        case .community, .grid, .compound, .worker:
            return []
        }
    }
}
