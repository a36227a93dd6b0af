import ArgumentParser
import Foundation
import GridMerge
import GridModel

/// Which conflicts a command looks at: by community, grid, record type, field, author, time.
struct ConflictFilter: ParsableArguments {
    @Option(help: ArgumentHelp("Only this community, for example c01.", valueName: "community"))
    var community: String?

    @Option(help: ArgumentHelp("Only this grid, as community/grid.", valueName: "scope"))
    var grid: String?

    @Option(help: ArgumentHelp("Only this record type: visit, demand, project, or community, grid, compound, worker.", valueName: "type"))
    var type: String?

    @Option(help: ArgumentHelp("Only this field, for example status.", valueName: "field"))
    var field: String?

    @Option(help: ArgumentHelp("Only conflicts with a value written by this worker.", valueName: "worker"))
    var author: String?

    @Option(
        help: ArgumentHelp("Only conflicts with a value written on or after this day (YYYY-MM-DD).", valueName: "day"))
    var since: String?

    @Option(
        help: ArgumentHelp("Only conflicts with a value written on or before this day (YYYY-MM-DD).", valueName: "day"))
    var until: String?

    func validate() throws {
        if let community, CommunityID(community) == nil {
            throw ValidationError("--community '\(community)' is not a community key, for example c01")
        }
        if let grid, GridScope(grid)?.grid == nil {
            throw ValidationError("--grid '\(grid)' is not a grid: give community/grid, for example c01/g01")
        }
        if let type, RecordType(rawValue: type) == nil {
            throw ValidationError("--type '\(type)' is not a record type: give one of \(RecordType.allCases.map(\.key).joined(separator: ", "))")
        }
        if let author, WorkerID(author) == nil {
            throw ValidationError("--author '\(author)' is not a worker key: \(WorkerID.rule)")
        }
        for (name, day) in [("since", since), ("until", until)] {
            if let day, Self.milliseconds(day) == nil {
                throw ValidationError("--\(name) '\(day)' is not a day: give YYYY-MM-DD")
            }
        }
        if let since, let until, Self.milliseconds(since)! > Self.milliseconds(until)! {
            throw ValidationError("--since \(since) is after --until \(until)")
        }
        if let field {
            let types = type.flatMap(RecordType.init(rawValue:)).map { [$0] } ?? RecordType.allCases
            guard types.contains(where: { $0.schema[field] != nil }) else {
                throw ValidationError(
                    "no \(types.map(\.key).joined(separator: " or ")) has a field '\(field)': see `gridsync-inspect show` for the fields"
                )
            }
        }
    }

    /// Whether the conflict of `field` in `record` is selected.
    func selects(_ record: RecordState, field: String) -> Bool {
        let heads = record.registers[field]?.heads ?? []
        if let community, record.scope.community.rawValue != community { return false }
        if let grid, record.scope.description != grid { return false }
        if let type, record.type.key != type { return false }
        if let wanted = self.field, wanted != field { return false }
        if let author, !heads.contains(where: { $0.author.rawValue == author }) { return false }
        let from = since.flatMap(Self.milliseconds) ?? 0
        let to = until.flatMap(Self.milliseconds).map { $0 + 86_400_000 } ?? .max  // the whole day
        return heads.contains { (from..<to).contains($0.clock.milliseconds) }
    }

    /// Midnight of a `YYYY-MM-DD` day in this machine's time zone, in milliseconds since 1970.
    static func milliseconds(_ day: String) -> UInt64? {
        let parts = day.split(separator: "-")
        guard parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let date = Int(parts[2]),
            let midnight = Calendar.current.date(from: DateComponents(year: year, month: month, day: date)),
            Calendar.current.component(.day, from: midnight) == date
        else { return nil }
        return UInt64(max(0, midnight.timeIntervalSince1970 * 1000))
    }
}
