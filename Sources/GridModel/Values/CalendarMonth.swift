import Foundation

/// A month of the Gregorian calendar, written `YYYY-MM` as the office names its months (`2026-11`): the month of a
/// progress entry, of a report, or of `--since 2026-11`. The one place months and their days are read and counted.
public struct CalendarMonth: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The year, 1900 to 9999.
    public let year: Int
    /// The month, 1 to 12.
    public let month: Int

    /// The month `text` names, written `YYYY-MM` in ASCII digits; `nil` for anything else.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2,
            parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            let year = Int(parts[0]), let month = Int(parts[1])
        else { return nil }
        self.init(year: year, month: month)
    }

    /// The month `month` of `year`, if both are in range.
    public init?(year: Int, month: Int) {
        guard (1900...9999).contains(year), (1...12).contains(month) else { return nil }
        self.year = year
        self.month = month
    }

    /// The month in which `date` falls, in `timeZone`.
    /// The day of `date` in `timeZone`, `YYYY-MM-DD`.
    public static func day(of date: Date, in timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    public init(containing date: Date, in timeZone: TimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month], from: date)
        self.year = min(max(parts.year ?? 1970, 1900), 9999)
        self.month = parts.month ?? 1
    }

    /// How many days the month has (February has 29 in leap years).
    public var dayCount: Int {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    }

    /// The month after this one.
    public var next: CalendarMonth {
        month == 12
            ? CalendarMonth(uncheckedYear: year + 1, month: 1) : CalendarMonth(uncheckedYear: year, month: month + 1)
    }

    /// Its first day, `YYYY-MM-01`.
    public var firstDay: String { day(1) }

    /// Its last day, `YYYY-MM-30` for November.
    public var lastDay: String { day(dayCount) }

    /// The first day of its year, `YYYY-01-01`.
    public var firstDayOfYear: String { String(format: "%04d-01-01", year) }

    /// Day `number` of the month, written `YYYY-MM-DD`.
    public func day(_ number: Int) -> String {
        String(format: "%04d-%02d-%02d", year, month, number)
    }

    /// Whether `text` is a day of the calendar, written `YYYY-MM-DD` in ASCII digits (29 February only in leap
    /// years).
    public static func isDay(_ text: some StringProtocol) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[2].count == 2, parts[2].allSatisfy({ $0.isASCII && $0.isNumber }),
            let month = CalendarMonth("\(parts[0])-\(parts[1])"), let day = Int(parts[2])
        else { return false }
        return (1...month.dayCount).contains(day)
    }

    /// `YYYY-MM`.
    public var description: String { String(format: "%04d-%02d", year, month) }

    public static func < (lhs: CalendarMonth, rhs: CalendarMonth) -> Bool {
        (lhs.year, lhs.month) < (rhs.year, rhs.month)
    }

    private init(uncheckedYear year: Int, month: Int) {
        self.year = year
        self.month = month
    }
}
