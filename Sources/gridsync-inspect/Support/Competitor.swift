import Foundation
import GridMerge
import GridModel

/// One competing value of a register field in conflict: what it says, who wrote it where
/// and when, and the value it replaced.
struct Competitor: Encodable {
    /// Its number, for `resolve --pick` (1 is the value shown now).
    let pick: Int
    let value: FieldValue
    /// The Chinese label of a choice, or the value.
    let label: String
    let author: String
    let replica: String
    let op: String
    /// When it was written, ISO 8601.
    let time: String
    /// Its clock, for ordering and display.
    let clock: HybridTimestamp
    /// The values it was written over (none for a field's first value).
    let replaced: [FieldValue]

    /// The competing values of `field` in `record`, the one shown now first; `history` gives
    /// the values they replaced.
    static func all(of field: String, in record: RecordState, history: [Op]) -> [Competitor] {
        guard let register = record.registers[field], register.isConflicted else { return [] }
        let byID = Dictionary(history.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        return register.heads.reversed().enumerated().map { index, head in
            let op = byID[head.op]
            let parents = op?.parents.compactMap { byID[$0] }.filter { Labels.writes(field, $0) } ?? []
            var label = Labels.label(head.value, of: field, in: record.type)
            if let op, op.field != field { label += " (edit of \(op.field))" }
            return Competitor(
                pick: index + 1, value: head.value, label: label,
                author: head.author.rawValue, replica: head.op.replica.description, op: head.op.description,
                time: Labels.time(head.clock), clock: head.clock,
                replaced: parents.compactMap { Labels.value(of: field, $0) })
        }
    }
}

/// How values and times read for office staff.
enum Labels {
    /// Whether `op` writes `field`: its own field, or the record's liveness, which every op writes.
    static func writes(_ field: String, _ op: Op) -> Bool {
        op.field == field || (field == RecordSchema.deletedField && RecordState.writesLiveness(op.field))
    }

    /// The value `op` gave `field`: what it assigned, or for liveness, whether it deleted.
    static func value(of field: String, _ op: Op) -> FieldValue? {
        if op.field == field, case .assign(let value) = op.payload { return value }
        return field == RecordSchema.deletedField ? .boolean(false) : nil
    }

    /// The Chinese label of a stored choice key, or the value itself.
    static func label(_ value: FieldValue, of field: String, in type: RecordType) -> String {
        if field == RecordSchema.deletedField, case .boolean(let deleted) = value {
            return deleted ? "已删除 deleted" : "未删除 kept"
        }
        guard let label = type.schema.label(of: value, field: field) else { return value.description }
        return "\(label.chinese) \(value.description)"
    }

    /// A clock reading as ISO 8601 time.
    static func time(_ clock: HybridTimestamp) -> String {
        Date(timeIntervalSince1970: Double(clock.milliseconds) / 1000).formatted(.iso8601)
    }

    /// A clock reading as local time to the minute, for tables.
    static func shortTime(_ clock: HybridTimestamp) -> String {
        shortTime(Date(timeIntervalSince1970: Double(clock.milliseconds) / 1000))
    }

    /// An ISO 8601 time (as the accounts keep them) as local time to the minute.
    static func shortTime(iso text: String) -> String {
        (try? Date.ISO8601FormatStyle().parse(text)).map(shortTime) ?? text
    }

    /// A moment as local time to the minute, `2026-11-29 14:05`.
    static func shortTime(_ date: Date) -> String {
        let parts = Calendar.current.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(
            format: "%04d-%02d-%02d %02d:%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0, parts.hour ?? 0,
            parts.minute ?? 0)
    }

    /// A record's title, for lists: its `title`, else its type and first characters of its id.
    static func title(_ record: RecordState) -> String {
        record.value("title").text ?? "\(record.type.key) \(record.id.description.prefix(8))"
    }

    /// The field's label, `状态 status`.
    static func field(_ field: String, of type: RecordType) -> String {
        guard let spec = type.schema[field] else { return field }
        return "\(spec.label.chinese) \(field)"
    }
}
