import Foundation
import GRDB
import GridMerge
import GridModel

extension SQLiteReplicaStore {
    /// The monthly report's figures, computed by SQL over the typed tables and the op log:
    /// dates come from the ops' clocks, in the request's time zone.
    ///
    /// - Throws: ``StoreError`` for a month that is not `YYYY-MM`, or the database's failure.
    public func monthlyReport(_ request: MonthlyReport.Request) async throws -> MonthlyReport {
        let days = RecordQuery.DayRange(first: nil, last: nil, timeZone: request.timeZone)
        guard let month = CalendarMonth(request.month), let start = days.start(of: month.firstDay),
            let end = days.start(of: month.next.firstDay), let yearStart = days.start(of: month.firstDayOfYear)
        else {
            throw StoreError(.refused, "'\(request.month)' is not a month: write it YYYY-MM, for example 2026-11")
        }
        let clocks = Bounds(
            start: Self.clock(start), end: Self.clock(end), yearStart: Self.clock(yearStart), endMilliseconds: end)
        let communities = Communities(request.communities.map(\.rawValue))
        return try await readRecords { db in
            let names = try Self.streetNames(db)
            let keys = request.communities.map(\.rawValue)
            var report = MonthlyReport(
                month: request.month, scope: keys.isEmpty ? "street" : keys.joined(separator: "+"),
                scopeLabel: keys.isEmpty ? "street" : keys.map { names.label(.community, $0) }.joined(separator: "、"),
                timeZone: request.timeZone.identifier)
            try Self.demands(
                db, clocks, communities: communities, oldest: request.oldestCount,
                text: RecordText(timeZone: request.timeZone, names: names), into: &report.demands)
            try Self.visits(
                db, from: month.firstDay, before: month.next.firstDay, communities: communities,
                target: request.visitTarget,
                names: names, into: &report.visits)
            try Self.projects(db, month: request.month, communities: communities, into: &report.projects)
            report.projects.photos = try Self.projectPhotos(db, clocks, communities: communities)
            report.funding = try Self.funding(
                db, clocks, communities: communities, commitment: request.yearlyCommitment)
            report.satisfaction = try Self.satisfaction(db, before: clocks.end, communities: communities)
            return report
        }
    }

    /// The clock readings that bound the month and its year.
    private struct Bounds: Sendable {
        let start: Int64
        let end: Int64
        let yearStart: Int64
        /// The month's end, in milliseconds, for the days demands stayed open.
        let endMilliseconds: UInt64
    }

    private static func clock(_ milliseconds: UInt64) -> Int64 {
        Int64(bitPattern: HybridTimestamp(milliseconds: milliseconds, counter: 0).rawValue)
    }

    /// The communities a report covers, as a condition on `r.community` (none for the whole street).
    private struct Communities: Sendable {
        /// The communities' keys.
        let keys: [String]

        init(_ keys: [String]) { self.keys = keys }

        /// `AND r.community IN (?, …)`, or nothing for the whole street.
        var sql: String {
            keys.isEmpty ? "" : "AND r.community IN (\(keys.map { _ in "?" }.joined(separator: ", ")))"
        }

        /// The keys its `?` stand for.
        var arguments: [(any DatabaseValueConvertible)?] { keys }
    }

    /// The latest value written to `field` of the record `r.id`, as SQL.
    private static func latest(_ field: String) -> String {
        """
        (SELECT json_extract(l.payload, '$.assign') FROM ops l
         WHERE l.record_id = r.id AND l.field = '\(field)' ORDER BY l.clock DESC LIMIT 1)
        """
    }

    private static func demands(
        _ db: Database, _ clocks: Bounds, communities: Communities, oldest: Int, text: RecordText,
        into demands: inout MonthlyReport.Demands
    ) throws {
        var byCategory: [String: MonthlyReport.DemandCounts] = [:]
        var byGrid: [String: MonthlyReport.DemandCounts] = [:]
        func count(
            _ category: String, _ grid: String, _ figure: WritableKeyPath<MonthlyReport.DemandCounts, Int>,
            _ amount: Int
        ) {
            let label = Category(rawValue: category)?.label.chinese ?? category
            byCategory[category, default: .init(key: category, label: label)][keyPath: figure] += amount
            byGrid[grid, default: .init(key: grid, label: text.names.label(.grid, grid))][keyPath: figure] += amount
        }
        let (scope, extra) = (communities.sql, communities.arguments)

        for row in try Row.fetchAll(
            db,
            sql: """
                SELECT d.category, coalesce(d.grid, ''), count(*) FROM records r JOIN demands d ON d.record_id = r.id
                WHERE r.type = 'demand' AND r.deleted = 0 AND r.created_clock >= ? AND r.created_clock < ? \(scope)
                GROUP BY 1, 2
                """, arguments: StatementArguments([clocks.start, clocks.end] + extra))
        {
            count(row[0] ?? "", row[1], \.raised, row[2])
        }
        for row in try Row.fetchAll(
            db,
            sql: """
                SELECT d.category, coalesce(d.grid, ''), count(DISTINCT o.record_id)
                FROM ops o JOIN records r ON r.id = o.record_id JOIN demands d ON d.record_id = r.id
                WHERE o.field = 'status' AND json_extract(o.payload, '$.assign') = 'accepted'
                    AND o.clock >= ? AND o.clock < ? AND r.deleted = 0 \(scope)
                GROUP BY 1, 2
                """, arguments: StatementArguments([clocks.start, clocks.end] + extra))
        {
            count(row[0] ?? "", row[1], \.accepted, row[2])
        }
        // Resolved: the first resolving status of the month, with how long after being raised.
        var durations: [Double] = []
        for row in try Row.fetchAll(
            db,
            sql: """
                SELECT d.category, coalesce(d.grid, ''), min(o.clock), r.created_clock
                FROM ops o JOIN records r ON r.id = o.record_id JOIN demands d ON d.record_id = r.id
                WHERE o.field = 'status' AND json_extract(o.payload, '$.assign') IN ('resolved', 'closed')
                    AND o.clock >= ? AND o.clock < ? AND r.deleted = 0 \(scope)
                GROUP BY o.record_id
                """, arguments: StatementArguments([clocks.start, clocks.end] + extra))
        {
            count(row[0] ?? "", row[1], \.resolved, 1)
            let resolved = HybridTimestamp(rawValue: UInt64(bitPattern: row[2] as Int64)).milliseconds
            let raised = HybridTimestamp(rawValue: UInt64(bitPattern: row[3] as Int64)).milliseconds
            durations.append(Double(Int64(resolved) - Int64(raised)) / 86_400_000)
        }
        // Open at the end of the month: the last status written before it is an open one. One pass gives the
        // counts and, oldest first, the demands open longest.
        var open: [(id: String, grid: String, raised: HybridTimestamp)] = []
        for row in try Row.fetchAll(
            db,
            sql: """
                WITH last AS (
                    SELECT o.record_id, json_extract(o.payload, '$.assign') AS status,
                        row_number() OVER (
                            PARTITION BY o.record_id ORDER BY o.clock DESC, o.replica DESC, o.sequence DESC) AS n
                    FROM ops o WHERE o.field = 'status' AND o.clock < ? AND o.record_type = 'demand')
                SELECT r.id, d.category, coalesce(d.grid, ''), r.created_clock
                FROM last JOIN records r ON r.id = last.record_id JOIN demands d ON d.record_id = r.id
                WHERE last.n = 1 AND last.status IN (\(Self.openStatuses)) AND r.deleted = 0 \(scope)
                ORDER BY r.created_clock, r.id
                """, arguments: StatementArguments([clocks.end] + extra))
        {
            count(row[1] ?? "", row[2], \.open, 1)
            if open.count < oldest {
                open.append((row[0], row[2], HybridTimestamp(rawValue: UInt64(bitPattern: row[3] as Int64))))
            }
        }
        demands.oldestOpen = try open.map { demand in
            let title = try String.fetchOne(
                db, sql: "SELECT \(latest("title")) FROM records r WHERE r.id = ?", arguments: [demand.id])
            return MonthlyReport.OpenDemand(
                id: demand.id, title: title ?? "", grid: demand.grid, gridLabel: text.names.label(.grid, demand.grid),
                raisedOn: text.date(of: demand.raised),
                daysOpen: Int((Int64(clocks.endMilliseconds) - Int64(demand.raised.milliseconds)) / 86_400_000))
        }
        demands.byCategory = byCategory.values.sorted { $0.key < $1.key }
        demands.byGrid = byGrid.values.sorted { $0.key < $1.key }
        demands.raised = demands.byCategory.reduce(0) { $0 + $1.raised }
        demands.accepted = demands.byCategory.reduce(0) { $0 + $1.accepted }
        demands.resolved = demands.byCategory.reduce(0) { $0 + $1.resolved }
        demands.open = demands.byCategory.reduce(0) { $0 + $1.open }
        demands.medianDaysToResolve = Self.median(durations)
    }

    private static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        let median = sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        return (median * 10).rounded() / 10
    }

    private static func visits(
        _ db: Database, from first: String, before next: String, communities: Communities, target: Int,
        names: StreetNames, into visits: inout MonthlyReport.Visits
    ) throws {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT \(latest("worker")) AS worker, count(*) FROM visits v JOIN records r ON r.id = v.record_id
                WHERE r.deleted = 0 AND v.visited_on >= ? AND v.visited_on < ? \(communities.sql)
                GROUP BY worker ORDER BY worker
                """, arguments: StatementArguments([first, next] + communities.arguments))
        visits.target = target
        visits.byWorker = rows.map { row in
            let count: Int = row[1]
            let worker: String = row[0] ?? ""
            return MonthlyReport.WorkerVisits(
                worker: worker, label: names.label(.worker, worker), visits: count, metTarget: count >= target)
        }
        visits.total = visits.byWorker.reduce(0) { $0 + $1.visits }
    }

    private static func projects(
        _ db: Database, month: String, communities: Communities, into projects: inout MonthlyReport.Projects
    ) throws {
        let (scope, extra) = (communities.sql, communities.arguments)
        let counts = Dictionary(
            uniqueKeysWithValues: try Row.fetchAll(
                db,
                sql: """
                    SELECT p.stage, count(*) FROM projects p JOIN records r ON r.id = p.record_id
                    WHERE r.deleted = 0 \(scope) GROUP BY p.stage
                    """, arguments: StatementArguments(extra)
            ).map { (($0[0] as String?) ?? "", $0[1] as Int) })
        projects.byStage = ProjectStage.allCases.map {
            MonthlyReport.StageCount(stage: $0.key, label: $0.label.chinese, projects: counts[$0.key] ?? 0)
        }
        projects.progress = try Row.fetchAll(
            db,
            sql: """
                SELECT r.id, \(latest("title")), json_extract(o.payload, '$.append.text'),
                    json_extract(o.payload, '$.append.percent')
                FROM ops o JOIN records r ON r.id = o.record_id
                WHERE o.field = 'progress' AND json_extract(o.payload, '$.append.month') = ? AND r.deleted = 0 \(scope)
                ORDER BY o.clock
                """, arguments: StatementArguments([month] + extra)
        ).map { MonthlyReport.ProgressEntry(project: $0[0], title: $0[1] ?? "", text: $0[2] ?? "", percent: $0[3]) }
        projects.withoutProgress = try Row.fetchAll(
            db,
            sql: """
                SELECT r.id, \(latest("title")), p.stage FROM projects p JOIN records r ON r.id = p.record_id
                WHERE r.deleted = 0 AND p.stage IN ('design', 'review', 'implement') \(scope)
                    AND NOT EXISTS (
                        SELECT 1 FROM ops o WHERE o.record_id = r.id AND o.field = 'progress'
                            AND json_extract(o.payload, '$.append.month') = ?)
                ORDER BY r.created_clock, r.id
                """, arguments: StatementArguments(extra + [month])
        ).map { MonthlyReport.ProjectRef(project: $0[0], title: $0[1] ?? "", stage: $0[2] ?? "") }
    }

    /// The photos of the projects that gained one during the month: each project's photos now,
    /// placed by when each was first attached against when the project first reached `implement`
    /// and `evaluate`. Read from the files records name (a few rows), not from the whole op log.
    private static func projectPhotos(_ db: Database, _ clocks: Bounds, communities: Communities) throws
        -> [MonthlyReport.ProjectPhotos]
    {
        func firstStage(_ stage: String) -> String {
            """
            (SELECT min(s.clock) FROM ops s WHERE s.record_id = r.id AND s.field = 'stage'
             AND json_extract(s.payload, '$.assign') = '\(stage)')
            """
        }
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT r.id, \(latest("title")), f.file_id,
                    (SELECT min(a.clock) FROM ops a WHERE a.record_id = r.id AND a.field = 'photos'
                     AND json_extract(a.payload, '$.add') = f.file_id) AS attached,
                    \(firstStage("implement")) AS implementing, \(firstStage("evaluate")) AS evaluating
                FROM record_files f JOIN records r ON r.id = f.record_id
                WHERE r.type = 'project' AND r.deleted = 0 \(communities.sql)
                    AND EXISTS (
                        SELECT 1 FROM ops m WHERE m.record_id = r.id AND m.field = 'photos'
                            AND m.clock >= ? AND m.clock < ?)
                ORDER BY r.created_clock, r.id, attached
                """, arguments: StatementArguments(communities.arguments + [clocks.start, clocks.end]))
        var projects: [MonthlyReport.ProjectPhotos] = []
        for row in rows {
            let id: String = row[0]
            if projects.last?.project != id {
                projects.append(MonthlyReport.ProjectPhotos(project: id, title: row[1] ?? ""))
            }
            let (file, attached): (String, Int64) = (row[2], row[3] ?? .max)
            let (implementing, evaluating): (Int64?, Int64?) = (row[4], row[5])
            if attached < (implementing ?? evaluating ?? .max) {
                projects[projects.count - 1].before.append(file)
            } else if let evaluating, attached >= evaluating {
                projects[projects.count - 1].after.append(file)
            } else {
                projects[projects.count - 1].during.append(file)
            }
        }
        return projects
    }

    private static func funding(_ db: Database, _ clocks: Bounds, communities: Communities, commitment: Int64) throws
        -> MonthlyReport.FundingFigures
    {
        // Named with `=` joined by `OR`, so that SQLite uses the partial index `ops_for_report` (Migrations.v4).
        let fields = FundingSource.allCases.flatMap { [$0.fieldName, $0.fenFieldName] }
        func sums(from start: Int64) throws -> MonthlyReport.Funding {
            var funding = MonthlyReport.Funding()
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT o.field, sum(json_extract(o.payload, '$.change')) FROM ops o JOIN records r ON r.id = o.record_id
                    WHERE (\(fields.map { "o.field = '\($0)'" }.joined(separator: " OR ")))
                        AND o.clock >= ? AND o.clock < ? AND r.deleted = 0 \(communities.sql)
                    GROUP BY o.field
                    """, arguments: StatementArguments([start, clocks.end] + communities.arguments))
            {
                let sum: Int64 = row[1] ?? 0
                let field: String = row[0]
                // Whole yuan as gridsync/2 recorded them, fen since.
                guard
                    let source = FundingSource.allCases.first(where: {
                        $0.fieldName == field || $0.fenFieldName == field
                    })
                else { continue }
                let money = field == source.fenFieldName ? Money(fen: sum) : Money(yuan: sum)
                switch source {
                case .government: funding.government = funding.government + money
                case .society: funding.society = funding.society + money
                case .residents: funding.residents = funding.residents + money
                }
            }
            return funding
        }
        var figures = MonthlyReport.FundingFigures()
        figures.month = try sums(from: clocks.start)
        figures.yearToDate = try sums(from: clocks.yearStart)
        figures.commitment = commitment
        figures.commitmentShare =
            commitment > 0 ? Double(figures.yearToDate.government.fen) / Double(commitment * 100) : 0
        return figures
    }

    private static func satisfaction(_ db: Database, before end: Int64, communities: Communities) throws
        -> [MonthlyReport.Satisfaction]
    {
        try Row.fetchAll(
            db,
            sql: """
                SELECT r.id, \(latest("title")), p.stage, sum(json_extract(o.payload, '$.append.respondents')),
                    sum(json_extract(o.payload, '$.append.satisfied'))
                FROM ops o JOIN records r ON r.id = o.record_id JOIN projects p ON p.record_id = r.id
                WHERE o.field = 'satisfaction' AND o.clock < ? AND r.deleted = 0 \(communities.sql)
                GROUP BY r.id ORDER BY r.created_clock, r.id
                """, arguments: StatementArguments([end] + communities.arguments)
        ).map { row in
            let respondents: Int64 = row[3] ?? 0
            let satisfied: Int64 = row[4] ?? 0
            return MonthlyReport.Satisfaction(
                project: row[0], title: row[1] ?? "", stage: row[2] ?? "", respondents: respondents,
                satisfied: satisfied,
                rate: respondents > 0 ? (Double(satisfied) / Double(respondents) * 1000).rounded() / 1000 : 0)
        }
    }
}
