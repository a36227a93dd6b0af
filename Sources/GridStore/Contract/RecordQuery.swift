import Foundation
import GridModel

/// Which records a list shows: a type, and optional filters a grid worker would use.
public struct RecordQuery: Hashable, Sendable {
    /// The record type listed.
    public var type: RecordType
    /// Only records in this grid.
    public var grid: GridID?
    /// Only records about this compound.
    public var compound: CompoundID?
    /// Only demands or projects of this category.
    public var category: Category?
    /// Only demands with this status.
    public var status: DemandStatus?
    /// Only open demands (raised, accepted, in progress).
    public var openOnly = false
    /// Only projects at this stage.
    public var stage: ProjectStage?
    /// Include deleted records.
    public var includeDeleted = false
    /// Only records of these days: demands and projects by the day they were raised, visits
    /// by the day of the visit.
    public var days: DayRange?
    /// Only records of these communities (an office account's).
    public var communities: [CommunityID]?
    /// Only records whose free text (any field's value, any entry of a log) contains this,
    /// whatever its case.
    public var search: String?
    /// At most this many records, after skipping ``offset`` (a page of a list).
    public var limit: Int?
    /// Records skipped before the first returned.
    public var offset = 0

    /// Days from one to another, both included, as the office counts them: in its time zone.
    public struct DayRange: Hashable, Sendable {
        /// The first day, `YYYY-MM-DD`, or `nil` for no start.
        public var first: String?
        /// The last day, `YYYY-MM-DD`, or `nil` for no end.
        public var last: String?
        /// The office's time zone.
        public var timeZone: TimeZone

        /// Creates a range; each bound must be a date written `YYYY-MM-DD`.
        public init(first: String?, last: String?, timeZone: TimeZone = .current) {
            self.first = first
            self.last = last
            self.timeZone = timeZone
        }

        /// The milliseconds since 1970 at which `day` starts (`days` later), in the time zone.
        public func start(of day: String, plus days: Int = 0) -> UInt64? {
            let parts = day.split(separator: "-").compactMap { Int($0) }
            guard parts.count == 3 else { return nil }
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = timeZone
            guard
                let date = calendar.date(
                    from: DateComponents(year: parts[0], month: parts[1], day: parts[2] + days))
            else { return nil }
            return UInt64(max(0, date.timeIntervalSince1970 * 1000))
        }
    }

    /// Creates a query for every live record of a type.
    public init(type: RecordType) {
        self.type = type
    }
}
