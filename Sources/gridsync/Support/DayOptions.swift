import ArgumentParser
import Foundation
import GridModel
import GridStore

/// `--since` and `--until`: the days a list covers, in local time.
struct DayOptions: ParsableArguments {
    @Option(help: ArgumentHelp("From this day on: YYYY-MM-DD, or a month YYYY-MM.", valueName: "day"))
    var since: String?

    @Option(help: ArgumentHelp("Up to this day, included: YYYY-MM-DD, or a month YYYY-MM.", valueName: "day"))
    var until: String?

    /// The range given, or `nil` for every day.
    ///
    /// - Throws: a ``GridModel/ValidationError`` for a day that is not a date or a month.
    func range() throws -> RecordQuery.DayRange? {
        guard since != nil || until != nil else { return nil }
        let first = try since.map { try Self.day($0, option: "since", monthEnd: false) }
        let last = try until.map { try Self.day($0, option: "until", monthEnd: true) }
        return RecordQuery.DayRange(first: first, last: last)
    }

    /// `text` as `YYYY-MM-DD`: a month stands for its first day, or with `monthEnd` its last.
    static func day(_ text: String, option: String, monthEnd: Bool) throws -> String {
        let refusal = GridModel.ValidationError(
            .badFormat, field: option, value: text, allowed: "a date written YYYY-MM-DD, or a month YYYY-MM")
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count), parts[0].count == 4, parts.dropFirst().allSatisfy({ $0.count == 2 }),
            let year = Int(parts[0]), let month = Int(parts[1]), (1...12).contains(month)
        else { throw refusal }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let days = calendar.range(of: .day, in: .month, for: calendar.date(from: DateComponents(year: year, month: month))!)
        else { throw refusal }
        if parts.count == 3 {
            guard let day = Int(parts[2]), days.contains(day) else { throw refusal }
            return text
        }
        return String(format: "%04d-%02d-%02d", year, month, monthEnd ? days.upperBound - 1 : 1)
    }
}
