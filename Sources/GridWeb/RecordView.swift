import Foundation
import GridMerge
import GridModel
import GridStore

/// One record's page, as both web screens show it (`/record/ID`): its fields, the records it
/// names and that name it, and its history (who changed what, when, over which value).
/// Rendered by ``RecordTemplates/record``.
public struct RecordView: Sendable {
    public struct Field: Sendable {
        public let label: String
        public let value: String
        public let conflicted: String?
    }
    public struct Link: Sendable {
        public let label: String
        public let id: String
        public let title: String
    }
    public struct Change: Sendable {
        public let time, author, field, action, replaced, replica: String
    }
    public let title, typeLabel, id, place: String
    public let deleted: String?
    public let fields: [Field]
    public let links: [Link]
    public let linksHeading: String
    public let historyHeading: String
    public let historyColumns: [String]
    public let history: [Change]

    /// The page of the record `text` names, if `reader` may read it: a record they may not
    /// read is not found, whether or not it exists, and so is the street's reference data.
    public static func read(
        _ text: String, from store: any ReplicaStore, for reader: RecordReader, timeZone: TimeZone, words: Words
    ) async throws -> RecordView? {
        guard let id = RecordID(text), let record = try await store.record(id), !record.type.isReference,
            reader.reads(record.scope)
        else { return nil }
        let text = RecordText(timeZone: timeZone, names: try await store.streetNames())
        let ops = try await store.history(of: id)
        let fields = record.type.schema.fields.filter { $0.name != RecordSchema.deletedField }.map { spec in
            Field(
                label: words(spec.label.chinese, spec.label.english),
                value: RecordWords.shown(record, spec, text: text, words: words),
                conflicted: record.registers[spec.name]?.isConflicted == true
                    ? words("有冲突，待办公室决定", "in conflict, for the office to settle") : nil)
        }
        var links: [Link] = []
        for spec in record.type.schema.fields {
            let named: [String]
            switch spec.shape {
            case .register(.record): named = record.value(spec.name).text.map { [$0] } ?? []
            case .set(.record): named = record.sets[spec.name]?.elements ?? []
            default: named = []
            }
            for other in named.compactMap(RecordID.init) {
                guard let linked = try await store.record(other), reader.reads(linked.scope) else { continue }
                links.append(
                    Link(
                        label: words(spec.label.chinese, spec.label.english), id: other.description,
                        title: RecordWords.title(linked)))
            }
        }
        for other in try await store.records(naming: id) where reader.reads(other.scope) {
            let type = RecordWords.typeLabel(other.type)
            links.append(
                Link(
                    label: words(type.chinese, type.english), id: other.id.description, title: RecordWords.title(other))
            )
        }
        let history = FieldHistory.all(of: record, ops: ops, only: nil, language: words.language).flatMap { field in
            field.versions.map { version in
                Change(
                    time: Labels.shortTime(version.clock), author: version.author, field: field.label,
                    action: version.action + (version.reason.map { " (\($0))" } ?? ""),
                    replaced: version.replaces.joined(separator: " + "), replica: String(version.replica.prefix(8)))
            }
        }.sorted { $0.time < $1.time }
        let type = RecordWords.typeLabel(record.type)
        return RecordView(
            title: RecordWords.title(record), typeLabel: words(type.chinese, type.english), id: id.description,
            place: text.names.label(of: record.scope),
            deleted: record.isDeleted ? words("已删除", "Deleted") : nil, fields: fields, links: links,
            linksHeading: words("相关记录", "Linked records"), historyHeading: words("修改记录", "History"),
            historyColumns: [
                words("时间", "Time"), words("作者", "Author"), words("字段", "Field"), words("修改", "Change"),
                words("取代", "Over"), words("设备", "Laptop"),
            ],
            history: history)
    }
}
