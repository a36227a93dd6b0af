import Foundation
import GridCommandLine
import GridMerge
import GridModel
import GridStore

/// How records look in a terminal and in `--json` output.
enum RecordPresenter {
    /// Pretty, sorted JSON of any encodable value.
    static func json(_ value: some Encodable) throws -> String {
        try OutputOptions.json(value)
    }

    /// The first 8 characters of an id: enough to name a record in later commands.
    static func shortID(_ id: RecordID) -> String { String(id.description.prefix(8)) }

    /// The Chinese label of a field's shown value, or the value if it is not a choice.
    static func label(_ record: RecordState, _ field: String) -> String {
        label(record.value(field), of: field, in: record.type)
    }

    /// The Chinese label of a stored choice key, or the value if it is not a choice.
    static func label(_ value: FieldValue, of field: String, in type: RecordType) -> String {
        type.schema.label(of: value, field: field)?.chinese ?? value.description
    }

    /// A table of records of one type, with the columns a grid worker scans.
    static func table(
        _ records: [RecordState], type: RecordType, timelines: [RecordID: RecordTimeline] = [:],
        text: RecordText = RecordText()
    ) -> String {
        var table: TextTable
        func raised(_ record: RecordState) -> String { timelines[record.id].map { text.date(of: $0.created) } ?? "" }
        switch type {
        case .demand:
            table = TextTable(headers: ["id", "提出 raised", "诉求 title", "类别", "状态", "紧急", "支持", "网格", ""])
            for record in records {
                table.rows.append([
                    shortID(record.id), raised(record), TextTable.truncated(record.value("title").description, to: 30),
                    label(record, "category"), label(record, "status"), label(record, "urgency"),
                    String(record.counters["backers"]?.value ?? 0), text.names.label(of: record.scope), marks(record),
                ])
            }
        case .visit:
            table = TextTable(headers: ["id", "日期 date", "事由", "网格员", "小区", "住户", ""])
            for record in records {
                table.rows.append([
                    shortID(record.id), record.value("visited-on").description, label(record, "purpose"),
                    text.names.label(.worker, record.value("worker").description),
                    record.value("compound") == .null
                        ? "" : text.names.label(.compound, record.value("compound").description),
                    TextTable.truncated(record.value("household").description, to: 20), marks(record),
                ])
            }
        case .project:
            table = TextTable(headers: ["id", "立项 created", "项目 title", "类别", "阶段", "资金(元)", "网格", ""])
            for record in records {
                let funding = record.totalFunding.yuanText
                table.rows.append([
                    shortID(record.id), raised(record), TextTable.truncated(record.value("title").description, to: 30),
                    label(record, "category"), label(record, "stage"), funding,
                    text.names.label(of: record.scope), marks(record),
                ])
            }
        case .community, .grid, .compound, .worker:
            // The street's lists: key, name, and where the entry belongs.
            let placeHeader: String =
                switch type {
                case .grid: "社区 community"
                case .compound: "网格 grid"
                case .worker: "网格 grids"
                default: "范围 scope"
                }
            table = TextTable(headers: ["编号 key", "名称 name", placeHeader, ""])
            for record in records {
                let place: String =
                    switch type {
                    case .grid: record.value("community").description
                    case .compound: record.value("grid").description
                    case .worker: (record.sets["grids"]?.elements ?? []).sorted().joined(separator: " ")
                    default: record.scope.description
                    }
                table.rows.append([
                    record.value(RecordSchema.keyField).description, record.value("name").description, place,
                    marks(record),
                ])
            }
        }
        return table.render() + "\n\(records.count) \(records.count == 1 ? type.key : type.plural)"
    }

    /// `冲突` when a field is in conflict, `已删除` when deleted.
    private static func marks(_ record: RecordState) -> String {
        [record.conflictedFields.isEmpty ? nil : "冲突 conflict", record.isDeleted ? "已删除 deleted" : nil]
            .compactMap { $0 }.joined(separator: " ")
    }

    /// Every field of a record with its Chinese and English label, conflicts spelled out, and
    /// its dates in local time.
    static func details(
        _ record: RecordState, timeline: RecordTimeline? = nil, text: RecordText = RecordText(),
        linked: [RecordState] = [], files: FileStore? = nil
    ) -> String {
        var lines = ["\(record.type.label.chinese) \(record.type.key) \(record.id)", "网格 scope: \(record.scope)"]
        if let timeline {
            lines.append("创建 created: \(text.dateTime(of: timeline.created))")
            lines.append("最后修改 changed: \(text.dateTime(of: timeline.changed))")
            let field = record.type == .project ? "stage" : "status"
            let steps = timeline.steps.filter { $0.field == field }.map { step in
                "\(text.date(of: step.clock)) \(label(.text(step.value), of: field, in: record.type))（\(step.author)）"
            }
            if !steps.isEmpty {
                let name = record.type == .project ? "阶段记录 stages" : "状态记录 statuses"
                lines.append("\(name): " + steps.joined(separator: " → "))
            }
            if let closed = timeline.closed(status: DemandStatus(rawValue: record.value("status").description)) {
                lines.append("办结 closed: \(text.dateTime(of: closed.clock))")
            }
        }
        if record.isDeleted { lines.append("已删除 deleted: this record is deleted") }
        for field in record.type.schema.fields where field.name != RecordSchema.deletedField {
            let name = "\(field.label.chinese) \(field.name)"
            switch field.kind {
            case .register:
                guard let register = record.registers[field.name] else { continue }
                lines.append("\(name): \(text.value(record.value(field.name), of: field))")
                if register.isConflicted {
                    lines.append("  冲突 conflict: \(register.heads.count) competing values, the latest is shown:")
                    for head in register.heads.reversed() {
                        lines.append(
                            "    - \(label(head.value, of: field.name, in: record.type)) (by \(head.author), op \(head.op))"
                        )
                    }
                }
            case .set where field.shape == .set(element: .file):
                // Photos, numbered as `open` and `detach` take them, with their size or where they are.
                let photos = (record.sets[field.name]?.elements ?? []).compactMap(FileID.init)
                guard !photos.isEmpty else { continue }
                lines.append("\(name): \(photos.count)")
                for (index, photo) in photos.enumerated() {
                    let size = files?.size(of: photo)
                    lines.append(
                        "  \(index + 1). \(photo.hex.prefix(12)) "
                            + (size.map { "\(FileStore.megabytes($0))" } ?? "not on this laptop yet (comes with a sync)")
                    )
                }
            case .set:
                guard let set = record.sets[field.name], !set.elements.isEmpty else { continue }
                lines.append("\(name): \(set.elements.joined(separator: ", "))")
            case .counter:
                // A source's money is its yuan and its fen together, shown once, in yuan.
                if let source = FundingSource.allCases.first(where: { $0.fieldName == field.name }) {
                    let money = record.funding(from: source)
                    if money.fen != 0 { lines.append("\(name): \(money.yuanText)") }
                    continue
                }
                guard !FundingSource.allCases.contains(where: { $0.fenFieldName == field.name }),
                    let counter = record.counters[field.name]
                else { continue }
                lines.append("\(name): \(counter.value)")
            case .log:
                guard let log = record.logs[field.name], !log.items.isEmpty else { continue }
                lines.append("\(name):")
                for entry in text.entries(log, of: field) { lines.append("  - \(entry)") }
            }
        }
        if !linked.isEmpty {
            lines.append("关联 linked from:")
            for link in linked.map({ DatedRecordDocument.Link(from: $0, to: record.id) }) {
                let type = RecordType(rawValue: link.type)
                let field = type?.schema[link.field]?.label.chinese ?? link.field
                lines.append(
                    "  - \(type?.label.chinese ?? link.type) \(link.id.prefix(8)) \(link.title)（\(field)）")
            }
        }
        if let conflict = record.registers[RecordSchema.deletedField], conflict.isConflicted {
            lines.append("冲突 conflict: deleted by one worker while another edited it; the office must decide")
        }
        return lines.joined(separator: "\n")
    }
}
