import Foundation
import GridMerge
import GridModel
import GridStore

/// November 2026 of the example street (``StreetFixture``), written into an office's replica at the moments it
/// happened, with the monthly report's figures counted by construction as it is written: an oracle for the report
/// that shares no code with its SQL.
///
/// Every grid raises one to three demands in November, on days spread over the month: the first is accepted the
/// next day and resolved one to nine days after it was raised (if that is still November), the second is accepted
/// two days after (it stays open), the third stays raised. One grid in eight also has a demand from October 20,
/// resolved on November 3. Every grid worker visits 0 to 44 times (the target is 40); every community runs one
/// project, started in October at the design stage and implemented in November, funded by the government in
/// November, by society in October and by residents in November; even communities file their November progress,
/// every third community surveys satisfaction. Times are Beijing's (UTC+8).
public struct StreetMonth: Sendable {
    /// The figures the report must show for the whole street, counted as the month was written.
    public struct Expected: Sendable {
        public var raised = 0
        public var accepted = 0
        public var resolved = 0
        public var open = 0
        /// Days from raised to resolved, one per demand resolved in November.
        public var daysToResolve: [Double] = []
        /// Visits in November by worker key.
        public var visits: [String: Int] = [:]
        /// Funding in fen: the government's and the residents' of the month, society's of the year.
        public var governmentInMonthFen: Int64 = 0
        public var societyInYearFen: Int64 = 0
        public var residentsInMonthFen: Int64 = 0
        /// Projects that filed progress for November.
        public var progressEntries = 0
        /// Projects under way that filed none.
        public var withoutProgress = 0
        /// Satisfied and respondents by project title.
        public var surveys: [String: (satisfied: Int64, respondents: Int64)] = [:]
        /// Projects by stage key at the end of the month.
        public var stages: [String: Int] = [:]

        /// The median of the days to resolve, to one decimal, as the report rounds it.
        public var medianDaysToResolve: Double? {
            guard !daysToResolve.isEmpty else { return nil }
            let sorted = daysToResolve.sorted()
            let middle = sorted.count / 2
            let median = sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
            return (median * 10).rounded() / 10
        }
    }

    /// The month, `YYYY-MM`.
    public static let month = "2026-11"
    /// Beijing.
    public static let timeZone = TimeZone(identifier: "Asia/Shanghai")!

    /// The street, and the office's identity over all of it.
    public let street = StreetFixture.xStreet

    public init() {}

    /// The office's identity: the street's office account, over every community.
    public func officeIdentity(replica: ReplicaID) -> ReplicaIdentity {
        ReplicaIdentity(
            replica: replica, worker: WorkerID("office-1")!,
            scopes: street.communities.map { GridScope(community: $0.id) })
    }

    /// Writes the month into `store`, setting `wall` to each change's moment, in the order of the moments; returns
    /// the figures the report must show.
    public func write(into store: some ReplicaStore, wall: ManualWallClock) async throws -> Expected {
        var expected = Expected()
        var changes: [(moment: UInt64, change: RecordChange)] = []
        func at(_ day: String, _ time: String = "09:00") -> UInt64 { Self.moment("\(day) \(time)") }
        func november(_ day: Int) -> String { String(format: "2026-11-%02d", day) }
        let categories = Category.allCases
        var ids = SeededGenerator(seed: 20_261_101)

        for (index, grid) in street.grids.enumerated() {
            let scope = grid.scope
            for number in 0..<(1 + index % 3) {
                let day = 1 + (index + 5 * number) % 28
                let id = RecordID(using: &ids)
                let category = categories[(index + number) % categories.count]
                changes.append(
                    (
                        at(november(day)),
                        RecordChange(
                            record: id, target: .create(.demand, in: scope),
                            edits: [
                                .assign("title", "\(grid.name)诉求\(number + 1)"), .assign("category", category.key),
                                .assign("status", DemandStatus.raised.key), .assign("urgency", "normal"),
                            ])
                    ))
                expected.raised += 1
                switch number {
                case 0:
                    changes.append((at(november(day + 1), "10:00"), Self.status(id, .accepted)))
                    expected.accepted += 1
                    let resolvedDay = day + 1 + index % 9
                    if resolvedDay <= 30 {
                        changes.append((at(november(resolvedDay), "10:00"), Self.status(id, .resolved)))
                        expected.resolved += 1
                        expected.daysToResolve.append(Double(resolvedDay - day) + 1.0 / 24)
                    } else {
                        expected.open += 1
                    }
                case 1:
                    if day + 2 <= 30 {
                        changes.append((at(november(day + 2), "10:00"), Self.status(id, .accepted)))
                        expected.accepted += 1
                    }
                    expected.open += 1
                default:
                    expected.open += 1
                }
            }
            if index % 8 == 0 {
                let id = RecordID(using: &ids)
                changes.append(
                    (
                        at("2026-10-20"),
                        RecordChange(
                            record: id, target: .create(.demand, in: scope),
                            edits: [
                                .assign("title", "\(grid.name)十月诉求"), .assign("category", Category.environment.key),
                                .assign("status", DemandStatus.raised.key), .assign("urgency", "normal"),
                            ])
                    ))
                changes.append((at("2026-11-03", "10:00"), Self.status(id, .resolved)))
                expected.resolved += 1
                // October 20 09:00 to November 3 10:00: 14 days and an hour.
                expected.daysToResolve.append(14 + 1.0 / 24)
            }
        }

        for (index, worker) in street.workers.enumerated() where worker.role == .worker {
            let grid = street.grids.first { $0.id == worker.grids[0] }!
            let count = index % 45
            for visit in 0..<count {
                let day = november(1 + visit % 30)
                changes.append(
                    (
                        at(day, String(format: "%02d:%02d", 8 + visit / 30, index % 60)),
                        RecordChange(
                            record: RecordID(using: &ids),
                            target: .create(.visit, in: grid.scope),
                            edits: [
                                .assign("visited-on", day), .assign("worker", worker.id.rawValue),
                                .assign("purpose", "routine"),
                            ])
                    ))
            }
            if count > 0 { expected.visits[worker.id.rawValue] = count }
        }

        for (index, community) in street.communities.enumerated() {
            let id = RecordID(using: &ids)
            let title = "\(community.name)楼道微改造"
            let scope = GridScope(community: community.id)
            changes.append(
                (
                    at("2026-10-05"),
                    RecordChange(
                        record: id, target: .create(.project, in: scope),
                        edits: [
                            .assign("title", title), .assign("category", Category.fireSafety.key),
                            .assign("stage", ProjectStage.design.key),
                        ])
                ))
            changes.append(
                (at("2026-10-06"), RecordChange(record: id, target: .edit, edits: [.change("funding-society", by: Int64(1_000 * (index + 1)))])))
            expected.societyInYearFen += Int64(1_000 * (index + 1)) * 100
            changes.append(
                (
                    at("2026-11-02"),
                    RecordChange(
                        record: id, target: .edit,
                        edits: [
                            .assign("stage", ProjectStage.implement.key),
                            .append("notes", LogEntry(["text": .text("阶段 设计 → 实施：方案已论证")])),
                        ])
                ))
            changes.append(
                (
                    at("2026-11-04"),
                    RecordChange(
                        record: id, target: .edit,
                        edits: [
                            // Whole yuan as gridsync/2 recorded them, and fen as gridsync/3 does.
                            .change("funding-government", by: Int64(10_000 * (index + 1))),
                            .change("funding-residents-fen", by: 50_050),
                        ])
                ))
            expected.governmentInMonthFen += Int64(10_000 * (index + 1)) * 100
            expected.residentsInMonthFen += 50_050
            expected.stages[ProjectStage.implement.key, default: 0] += 1
            if index % 2 == 0 {
                changes.append(
                    (
                        at("2026-11-25"),
                        RecordChange(
                            record: id, target: .edit,
                            edits: [
                                .append(
                                    "progress",
                                    LogEntry([
                                        "month": .text(Self.month), "text": .text("完成\(index + 1)栋楼道清理"),
                                        "percent": .integer(Int64(10 * (index % 10))),
                                    ]))
                            ])
                    ))
                expected.progressEntries += 1
            } else {
                expected.withoutProgress += 1
            }
            if index % 3 == 0 {
                let satisfied = Int64(30 + index)
                changes.append(
                    (
                        at("2026-11-28"),
                        RecordChange(
                            record: id, target: .edit,
                            edits: [
                                .append(
                                    "satisfaction",
                                    LogEntry([
                                        "method": .text("questionnaire"), "respondents": .integer(45),
                                        "satisfied": .integer(satisfied),
                                    ]))
                            ])
                    ))
                expected.surveys[title] = (satisfied, 45)
            }
        }

        for (moment, change) in changes.sorted(by: { $0.moment < $1.moment }) {
            wall.set(moment)
            _ = try await store.write(change)
        }
        return expected
    }

    private static func status(_ id: RecordID, _ status: DemandStatus) -> RecordChange {
        RecordChange(record: id, target: .edit, edits: [.assign("status", status.key)])
    }

    /// Milliseconds since 1970 of a Beijing moment `YYYY-MM-DD HH:mm`.
    public static func moment(_ text: String) -> UInt64 {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        guard let date = formatter.date(from: text) else { fatalError("not a moment: \(text)") }
        return UInt64(date.timeIntervalSince1970 * 1000)
    }
}
