import Foundation
import GridMerge
import GridModel

/// How values and times read for office staff.
public enum Labels {
    /// Whether `op` writes `field`: its own field, or the record's liveness, which every op writes.
    public static func writes(_ field: String, _ op: Op) -> Bool {
        op.field == field || (field == RecordSchema.deletedField && RecordState.writesLiveness(op.field))
    }

    /// The value `op` gave `field`: what it assigned, or for liveness, whether it deleted.
    public static func value(of field: String, _ op: Op) -> FieldValue? {
        if op.field == field, case .assign(let value) = op.payload { return value }
        return field == RecordSchema.deletedField ? .boolean(false) : nil
    }

    /// A stored choice key with its Chinese label (`已受理 accepted`), or in `language` its
    /// label alone; any other value as it is.
    public static func label(
        _ value: FieldValue, of field: String, in type: RecordType, language: ReportLanguage? = nil
    ) -> String {
        if field == RecordSchema.deletedField, case .boolean(let deleted) = value {
            let label = deleted ? Label("已删除", "deleted") : Label("未删除", "kept")
            return language.map { $0(label) } ?? "\(label.chinese) \(label.english)"
        }
        guard let label = type.schema.label(of: value, field: field) else { return value.description }
        return language.map { $0(label) } ?? "\(label.chinese) \(value.description)"
    }

    /// A clock reading as ISO 8601 time.
    public static func time(_ clock: HybridTimestamp) -> String {
        Date(timeIntervalSince1970: Double(clock.milliseconds) / 1000).formatted(.iso8601)
    }

    /// A clock reading as local time to the minute, for tables.
    public static func shortTime(_ clock: HybridTimestamp) -> String {
        shortTime(Date(timeIntervalSince1970: Double(clock.milliseconds) / 1000))
    }

    /// An ISO 8601 time (as the accounts keep them) as local time to the minute.
    public static func shortTime(iso text: String) -> String {
        (try? Date.ISO8601FormatStyle().parse(text)).map(shortTime) ?? text
    }

    /// A moment as local time to the minute, `2026-11-29 14:05`.
    public static func shortTime(_ date: Date) -> String {
        let parts = Calendar.current.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(
            format: "%04d-%02d-%02d %02d:%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0, parts.hour ?? 0,
            parts.minute ?? 0)
    }

    /// A record's title, for lists: its `title`, else its type and first characters of its id.
    public static func title(_ record: RecordState) -> String {
        record.value("title").text ?? "\(record.type.key) \(record.id.description.prefix(8))"
    }

    /// The field's label, `状态 status`.
    public static func field(_ field: String, of type: RecordType, language: ReportLanguage? = nil) -> String {
        guard let spec = type.schema[field] else { return field }
        return language.map { $0(spec.label) } ?? "\(spec.label.chinese) \(field)"
    }
}
