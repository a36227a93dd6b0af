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
        if CalendarMonth.isDay(text) { return text }
        guard let month = CalendarMonth(text) else {
            throw GridModel.ValidationError(
                .badFormat, field: option, value: text, allowed: "a date written YYYY-MM-DD, or a month YYYY-MM")
        }
        return monthEnd ? month.lastDay : month.firstDay
    }
}
