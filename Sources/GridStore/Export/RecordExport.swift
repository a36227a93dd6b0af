import Foundation
import GridMerge
import GridModel

/// Writes records as JSON Lines or CSV, in an order and form that depend only on the records.
public enum RecordExport {
    /// One canonical JSON line per record (sorted keys), records sorted by type then id.
    public static func jsonLines(_ records: [RecordState]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var output = ""
        for record in records.sorted(by: { ($0.type, $0.id) < ($1.type, $1.id) }) {
            output += String(decoding: try encoder.encode(RecordDocument(record)), as: UTF8.self)
            output += "\n"
        }
        return output
    }

    /// How a CSV export is written.
    public enum CSVStyle: Sendable {
        /// For the office's spreadsheets (Excel, WPS): a UTF-8 byte-order mark, Chinese
        /// headers and labels, logs as dated sentences, CRLF line ends.
        case office(RecordText)
        /// For scripts: the stored keys and values, as in JSON.
        case keys
    }

    /// A CSV table of the records of one type: the id, the grid, whether deleted, the fields
    /// in conflict, the dates from `timelines` (made, last changed, and a demand's closing or a
    /// project's stages), then one column per field of the type's schema (sets joined,
    /// counters as numbers, logs as their entries, one per line). Every cell is guarded
    /// against being run as a formula.
    public static func csv(
        _ records: [RecordState], type: RecordType, style: CSVStyle = .keys,
        timelines: [RecordID: RecordTimeline] = [:]
    ) -> String {
        let fenFields = Set(FundingSource.allCases.map(\.fenFieldName))
        let fields = type.schema.fields.filter { field in
            guard field.name != RecordSchema.deletedField else { return false }
            if case .office = style { return !fenFields.contains(field.name) }
            return true
        }
        let steps = type == .demand ? ["办结时间", "closed"] : type == .project ? ["各阶段", "stages"] : []
        var rows: [[String]] = []
        switch style {
        case .office:
            rows.append(
                ["编号", "网格", "已删除", "有冲突的字段", "创建时间", "最后修改"] + steps.prefix(1) + fields.map(\.label.chinese))
        case .keys:
            rows.append(
                ["id", "scope", "deleted", "conflicts", "created", "changed"] + steps.suffix(1) + fields.map(\.name))
        }
        for record in records.filter({ $0.type == type }).sorted(by: { $0.id < $1.id }) {
            var cells = [record.id.description]
            switch style {
            case .office(let text):
                cells.append(text.names.label(of: record.scope))
                cells.append(record.isDeleted ? "是" : "否")
                cells.append(
                    record.conflictedFields.map { type.schema[$0]?.label.chinese ?? $0 }.joined(separator: "、"))
            case .keys:
                cells.append(record.scope.description)
                cells.append(record.isDeleted ? "true" : "false")
                cells.append(record.conflictedFields.joined(separator: ";"))
            }
            cells += dateCells(record, timelines[record.id], style: style)
            for field in fields {
                cells.append(cell(record, field, style: style))
            }
            rows.append(cells)
        }
        let lines = rows.map { $0.map(SpreadsheetCell.csv).joined(separator: ",") }
        switch style {
        case .office: return "\u{FEFF}" + lines.joined(separator: "\r\n") + "\r\n"
        case .keys: return lines.joined(separator: "\n") + "\n"
        }
    }

    /// The dates of a record: made, changed, and a demand's closing or a project's stages.
    private static func dateCells(_ record: RecordState, _ timeline: RecordTimeline?, style: CSVStyle) -> [String] {
        let text: RecordText
        let stamp: (HybridTimestamp) -> String
        switch style {
        case .office(let office):
            text = office
            stamp = office.dateTime(of:)
        case .keys:
            text = RecordText()
            stamp = text.iso(of:)
        }
        var cells = [timeline.map { stamp($0.created) } ?? "", timeline.map { stamp($0.changed) } ?? ""]
        switch record.type {
        case .demand:
            let status = DemandStatus(rawValue: record.value("status").description)
            cells.append(timeline?.closed(status: status).map { stamp($0.clock) } ?? "")
        case .project:
            let entered = timeline?.entered("stage") ?? []
            switch style {
            case .office:
                cells.append(
                    entered.map { step in
                        let stage = ProjectStage(rawValue: step.value)?.label.chinese ?? step.value
                        return "\(stage) \(text.date(of: step.clock))"
                    }.joined(separator: "；"))
            case .keys:
                cells.append(entered.map { "\($0.value)=\(text.iso(of: $0.clock))" }.joined(separator: ";"))
            }
        case .visit, .community, .grid, .compound, .worker:
            break
        }
        return cells
    }

    /// One field of a record as a cell.
    private static func cell(_ record: RecordState, _ field: FieldSpec, style: CSVStyle) -> String {
        switch (field.kind, style) {
        case (.register, .office(let text)):
            return text.value(record.value(field.name), of: field)
        case (.register, .keys):
            let value = record.value(field.name)
            return value == .null ? "" : value.description
        case (.set, .office(let text)):
            return text.elements(record.sets[field.name]?.elements ?? [], of: field)
        case (.set, .keys):
            return record.sets[field.name]?.elements.joined(separator: ";") ?? ""
        case (.counter, .office):
            // A source's money, yuan and fen together, under the yuan column (the fen one is left out).
            if let source = FundingSource.allCases.first(where: { $0.fieldName == field.name }) {
                return record.funding(from: source).yuanText
            }
            return String(record.counters[field.name]?.value ?? 0)
        case (.counter, .keys):
            return String(record.counters[field.name]?.value ?? 0)
        case (.log, .office(let text)):
            return record.logs[field.name].map { text.entries($0, of: field).joined(separator: "\n") } ?? ""
        case (.log, .keys):
            return record.logs[field.name]?.items.map { item in
                item.entry.sortedParts.map { "\($0.name)=\($0.value)" }.joined(separator: "; ")
            }.joined(separator: "\n") ?? ""
        }
    }
}
