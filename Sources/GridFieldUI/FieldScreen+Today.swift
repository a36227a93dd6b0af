import Foundation
import GridMerge
import GridModel
import GridStore
import GridWeb

/// The today page: what the worker recorded today, what is not synced yet, open conflicts.
extension FieldScreen {
    func today(_ words: Words) async throws -> Page {
        struct Context {
            struct Card {
                let value, label: String
            }
            struct Row {
                let id, type, title, place: String
            }
            let heading, recordedHeading, none: String
            let cards: [Card]
            let recorded: [Row]
            /// The sync button's words and the form token, when the screen can sync.
            let syncLabel: String?
            let formToken: String
        }
        let status = try await store.status()
        let day = CalendarMonth.day(of: Date(), in: timeZone)
        var query = RecordQuery(type: .demand)
        query.days = RecordQuery.DayRange(first: day, last: day, timeZone: timeZone)
        let demands = try await store.records(query)
        query.type = .visit
        let visits = try await store.records(query)
        let names = try await store.streetNames()
        /// A record's row: where it is, by its compound when it names one, else its grid.
        func row(_ record: RecordState, _ type: String) -> Context.Row {
            let place =
                record.value("compound").text.map { names.label(.compound, $0) } ?? names.label(of: record.scope)
            return Context.Row(id: record.id.description, type: type, title: RecordWords.title(record), place: place)
        }
        let context = Context(
            heading: words("今天 \(day)", "Today, \(day)"),
            recordedHeading: words("今天记录的诉求和走访", "Demands and visits recorded today"),
            none: words("还没有。", "None yet."),
            cards: [
                .init(value: String(demands.count), label: words("今天记录的诉求", "demands today")),
                .init(value: String(visits.count), label: words("今天的走访", "visits today")),
                .init(value: String(status.unsyncedOpCount), label: words("未同步的修改", "changes not synced")),
                .init(value: String(status.conflictCount), label: words("冲突", "conflicts")),
            ],
            recorded: demands.map { row($0, words("诉求", "demand")) } + visits.map { row($0, words("走访", "visit")) },
            syncLabel: syncRun == nil ? nil : words("同步", "Sync"), formToken: formToken)
        return Page(title: context.heading, body: templates.render(context, withTemplate: "today") ?? "")
    }
}
