import Foundation
import GridMerge
import GridModel

/// Record values as office staff and grid workers read them: labels instead of keys, names
/// beside the street's keys, 是/否 instead of true/false, log entries as sentences (with the
/// satisfaction rate of a survey), and dates in local time.
public struct RecordText: Sendable {
    /// The time zone dates are shown in: the office's.
    public var timeZone: TimeZone
    /// The names of the street's communities, grids, compounds and workers, shown with their keys.
    public var names: StreetNames

    /// Shows dates in `timeZone` (the system's by default), and the street's entries by `names`.
    public init(timeZone: TimeZone = .current, names: StreetNames = StreetNames()) {
        self.timeZone = timeZone
        self.names = names
    }

    /// A register value of `field`: the Chinese label of a choice, 是 or 否, the text as written,
    /// or nothing for a value not set.
    public func value(_ value: FieldValue, of field: FieldSpec) -> String {
        let domain: ValueDomain
        switch field.shape {
        case .register(let registered): domain = registered
        case .set(let element): domain = element
        default: return value == .null ? "" : value.description
        }
        switch (value, domain) {
        case (.null, _): return ""
        case (.text(let key), .choice(let choices)):
            return choices.choices.first { $0.key == key }?.label.chinese ?? key
        case (.boolean(let yes), _): return yes ? "是" : "否"
        case (.text(let text), .place):
            guard let place = Place(parsing: text) else { return text }
            let degrees = String(format: "%.6f, %.6f", place.latitude, place.longitude)
            return place.accuracy.map { "\(degrees)（±\($0) 米，WGS-84）" } ?? "\(degrees)（WGS-84）"
        case (.text(let key), _): return domain.streetType.map { names.label($0, key) } ?? key
        default: return value.description
        }
    }

    /// The elements of a set field, as labels, joined by the Chinese enumeration comma; photos
    /// by their number.
    public func elements(_ elements: [String], of field: FieldSpec) -> String {
        // Photos by count: their ids mean nothing to a person (`export --files` writes the files).
        if field.shape == .set(element: .file) { return elements.isEmpty ? "" : "\(elements.count) 张" }
        return elements.map { value(.text($0), of: field) }.joined(separator: "、")
    }

    /// One log entry as a sentence: each part with its label in the schema's order, and for a
    /// survey, the share of residents satisfied.
    public func entry(_ entry: LogEntry, of field: FieldSpec) -> String {
        guard case .log(let parts) = field.shape else { return "" }
        var words = parts.compactMap { part -> String? in
            guard let given = entry[part.name], given != .null else { return nil }
            let shown = value(given, of: part)
            return part.name == "percent" ? "\(part.label.chinese) \(shown)%" : "\(part.label.chinese) \(shown)"
        }
        if case .integer(let asked)? = entry["respondents"], case .integer(let satisfied)? = entry["satisfied"],
            asked > 0
        {
            words.append("满意率 \(Self.percent(satisfied, of: asked))")
        }
        return words.joined(separator: "，")
    }

    /// A log's entries, oldest first, each on its own line with its date and author.
    public func entries(_ log: AppendLog, of field: FieldSpec) -> [String] {
        log.items.map { "\(date(of: $0.clock)) \(entry($0.entry, of: field))（\($0.author)）" }
    }

    /// The local date of a clock reading, `YYYY-MM-DD`.
    public func date(of clock: HybridTimestamp) -> String {
        let parts = components(of: clock)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    /// The local date and time of a clock reading, `YYYY-MM-DD HH:mm`.
    public func dateTime(of clock: HybridTimestamp) -> String {
        let parts = components(of: clock)
        return String(
            format: "%04d-%02d-%02d %02d:%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0, parts.hour ?? 0,
            parts.minute ?? 0)
    }

    /// A clock reading in ISO 8601 with the office's offset from UTC, for scripts:
    /// `2026-11-30T22:02:05+08:00`.
    public func iso(of clock: HybridTimestamp) -> String {
        let parts = components(of: clock)
        let offset = timeZone.secondsFromGMT(for: Self.date(of: clock)) / 60
        let sign = offset < 0 ? "-" : "+"
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d%@%02d:%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0,
            parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0, sign, abs(offset) / 60, abs(offset) % 60)
    }

    private func components(of clock: HybridTimestamp) -> DateComponents {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Self.date(of: clock))
    }

    private static func date(of clock: HybridTimestamp) -> Date {
        Date(timeIntervalSince1970: Double(clock.milliseconds) / 1000)
    }

    /// `part` of `whole` as a percentage with one decimal, `90%` or `87.5%`.
    public static func percent(_ part: Int64, of whole: Int64) -> String {
        let tenths = (part * 1000 + whole / 2) / whole
        return tenths % 10 == 0 ? "\(tenths / 10)%" : "\(tenths / 10).\(tenths % 10)%"
    }
}
