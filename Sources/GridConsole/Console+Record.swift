import Foundation
import GridMerge
import GridModel
import GridStore
import GridWeb
import Hummingbird

/// One record's page: its fields, the records it names and that name it, and its history.
extension Console {
    struct RecordContext {
        struct Field {
            let label: String
            let value: String
            let conflicted: String?
        }
        struct Link {
            let label: String
            let id: String
            let title: String
        }
        struct Change {
            let time, author, field, action, replaced, replica: String
        }
        let title, typeLabel, id, place: String
        let deleted: String?
        let fields: [Field]
        let links: [Link]
        let linksHeading: String
        let historyHeading: String
        let historyColumns: [String]
        let history: [Change]
    }

    /// The page of record `text` (its id), if it is in the session's communities: a record of
    /// another community is not found, whether or not it exists.
    func recordPage(_ text: String, _ session: ConsoleSessions.Session, _ words: Words) async throws -> Page {
        let store = records.store
        guard let id = RecordID(text), let record = try await store.record(id), !record.type.isReference,
            session.scopes.covers(record.scope)
        else {
            return message(
                words("找不到这条记录", "No such record"),
                words("没有这条记录，或它不在您的社区。", "There is no such record, or it is not in your communities."),
                error: true, status: .notFound, words: words)
        }
        let text = RecordText(timeZone: settings.timeZone, names: try await store.streetNames())
        let ops = try await store.history(of: id)
        let fields = record.type.schema.fields.filter { $0.name != RecordSchema.deletedField }.map { spec in
            RecordContext.Field(
                label: words(spec.label.chinese, spec.label.english),
                value: Self.shown(record, spec, text: text, words: words),
                conflicted: record.registers[spec.name]?.isConflicted == true
                    ? words("有冲突，待办公室决定", "in conflict, for the office to settle") : nil)
        }
        var links: [RecordContext.Link] = []
        for spec in record.type.schema.fields {
            let named: [String]
            switch spec.shape {
            case .register(.record): named = record.value(spec.name).text.map { [$0] } ?? []
            case .set(.record): named = record.sets[spec.name]?.elements ?? []
            default: named = []
            }
            for other in named.compactMap(RecordID.init) {
                guard let linked = try await store.record(other), session.scopes.covers(linked.scope) else { continue }
                links.append(
                    .init(
                        label: words(spec.label.chinese, spec.label.english), id: other.description,
                        title: Self.title(linked, words: words)))
            }
        }
        for other in try await store.records(naming: id) where session.scopes.covers(other.scope) {
            let type = Self.typeLabel(other.type)
            links.append(
                .init(
                    label: words(type.chinese, type.english), id: other.id.description,
                    title: Self.title(other, words: words)))
        }
        let history = FieldHistory.all(of: record, ops: ops, only: nil, language: words.language).flatMap { field in
            field.versions.map { version in
                RecordContext.Change(
                    time: Labels.shortTime(version.clock), author: version.author, field: field.label,
                    action: version.action + (version.reason.map { " (\($0))" } ?? ""),
                    replaced: version.replaces.joined(separator: " + "), replica: String(version.replica.prefix(8)))
            }
        }.sorted { $0.time < $1.time }
        let type = Self.typeLabel(record.type)
        let context = RecordContext(
            title: Self.title(record, words: words), typeLabel: words(type.chinese, type.english), id: id.description,
            place: text.names.label(of: record.scope),
            deleted: record.isDeleted ? words("已删除", "Deleted") : nil, fields: fields, links: links,
            linksHeading: words("相关记录", "Linked records"), historyHeading: words("修改记录", "History"),
            historyColumns: [
                words("时间", "Time"), words("作者", "Author"), words("字段", "Field"), words("修改", "Change"),
                words("取代", "Over"), words("设备", "Laptop"),
            ],
            history: history)
        return Page(title: context.title, body: render("record", context))
    }

    /// A field's value as office staff read it.
    static func shown(_ record: RecordState, _ spec: FieldSpec, text: RecordText, words: Words) -> String {
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
