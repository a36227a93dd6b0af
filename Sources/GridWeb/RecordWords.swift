import GridMerge
import GridModel
import GridStore

/// How both web screens name and show records: a type's name, a record's title, a list's
/// columns and a field's value, in the page's language.
public enum RecordWords {
    /// The type's name.
    public static func typeLabel(_ type: RecordType) -> Label {
        switch type {
        case .demand: Label("居民诉求", "Demands")
        case .visit: Label("入户走访", "Visits")
        case .project: Label("微项目", "Projects")
        case .community, .grid, .compound, .worker:
            type.schema.fields.first.map { $0.label } ?? Label(type.key, type.key)
        }
    }

    /// A record's title for lists and links: its title, or for a visit its day and household.
    public static func title(_ record: RecordState) -> String {
        if record.type == .visit {
            let parts = [record.value("visited-on").text, record.value("household").text].compactMap { $0 }
            return parts.isEmpty ? Labels.title(record) : parts.joined(separator: " ")
        }
        return Labels.title(record)
    }

    /// The columns of a type's list after its title.
    public static func listColumns(_ type: RecordType) -> [Label] {
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
    public static func listCells(_ record: RecordState, timeline: RecordTimeline?, text: RecordText, words: Words)
        -> [String]
    {
        func value(_ field: String) -> String {
            record.type.schema[field].map { shown(record, $0, text: text, words: words) } ?? ""
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

    /// A field's value as people read it: choices by their label in the page's language, the
    /// street's entries by name, funding in yuan, log entries as sentences.
    public static func shown(_ record: RecordState, _ spec: FieldSpec, text: RecordText, words: Words) -> String {
        switch spec.kind {
        case .register:
            if words.isEnglish, case .register(.choice(let set)) = spec.shape, let key = record.value(spec.name).text {
                return set.choices.first { $0.key == key }?.label.english ?? key
            }
            return text.value(record.value(spec.name), of: spec)
        case .set:
            return text.elements(record.sets[spec.name]?.elements ?? [], of: spec)
        case .counter:
            if let source = FundingSource.allCases.first(where: { $0.fieldName == spec.name }) {
                return record.funding(from: source).yuanText
            }
            return String(record.counters[spec.name]?.value ?? 0)
        case .log:
            return record.logs[spec.name].map { text.entries($0, of: spec).joined(separator: "；") } ?? ""
        }
    }
}
