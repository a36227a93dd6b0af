import Foundation
import GridMerge
import GridModel
import GridStore
import GridTesting
import Testing

/// The monthly report's figures against a month whose counts are known by construction: each
/// record written at a chosen moment (Beijing time), so that every figure can be worked out
/// by hand from the list below.
@Suite struct MonthlyReportTests {
    typealias F = StoreFixtures
    static let beijing = TimeZone(identifier: "Asia/Shanghai")!

    /// Milliseconds since 1970 of a Beijing moment `YYYY-MM-DD HH:mm`.
    static func at(_ moment: String) -> UInt64 { StreetMonth.moment(moment) }

    /// The office's laptop for c01, writing each change at its moment.
    struct Office {
        let store: SQLiteReplicaStore
        let wall: ManualWallClock

        func write(
            _ moment: String, _ record: RecordID, _ edits: [Edit], create type: RecordType? = nil,
            in scope: GridScope = F.grid1.scope
        ) async throws {
            wall.set(MonthlyReportTests.at(moment))
            let target: RecordChange.Target = type.map { .create($0, in: scope) } ?? .edit
            _ = try await store.write(RecordChange(record: record, target: target, edits: edits))
        }

        func demand(_ moment: String, _ title: String, _ category: Category, in scope: GridScope) async throws
            -> RecordID
        {
            let id = RecordID()
            try await write(
                moment, id, F.demand(title, category: category, status: .raised), create: .demand, in: scope)
            return id
        }

        func status(_ moment: String, _ id: RecordID, _ status: DemandStatus) async throws {
            try await write(moment, id, [.assign("status", status.key)])
        }

        func visit(_ day: String, by worker: String) async throws {
            try await write(
                "\(day) 10:00", RecordID(),
                [.assign("visited-on", day), .assign("worker", worker), .assign("purpose", "routine")], create: .visit)
        }

        func project(_ moment: String, _ title: String, stage: ProjectStage) async throws -> RecordID {
            let id = RecordID()
            try await write(
                moment, id,
                [.assign("title", title), .assign("category", "fire-safety"), .assign("stage", stage.key)],
                create: .project)
            return id
        }
    }

    @Test func figuresMatchAMonthBuiltByHand() async throws {
        try await withTemporaryFolder { folder in
            let wall = ManualWallClock()
            let office = Office(
                store: try SQLiteReplicaStore.create(in: folder, identity: F.identity, wallClock: wall), wall: wall)
            let g1 = F.grid1.scope, g2 = F.grid2.scope
            // Written in the order of the days: the hybrid clock never goes back.
            let patrol = try await office.project("2026-09-01 09:00", "文明巡查", stage: .evaluate)
            let station = try await office.project("2026-10-01 09:00", "楼道微消防站", stage: .implement)
            let parking = try await office.project("2026-10-02 09:00", "停车自治公约", stage: .design)
            try await office.write("2026-10-03 09:00", parking, [.change("funding-society", by: 1_000)])
            // October: one demand raised and accepted, still open at the end of November.
            let october = try await office.demand("2026-10-20 09:00", "停车位不足", .fireSafety, in: g1)
            try await office.status("2026-10-25 09:00", october, .accepted)
            try await office.visit("2026-10-31", by: "w002")
            // November: three raised; one accepted and resolved after 10 days, one closed after
            // 20, one left open. Late on 30 November, Beijing time, is still November.
            let stairs = try await office.demand("2026-11-02 09:00", "楼道堆物清理", .convenience, in: g1)
            try await office.visit("2026-11-03", by: "w001")
            try await office.visit("2026-11-03", by: "w001")
            try await office.status("2026-11-04 09:00", stairs, .accepted)
            let lamp = try await office.demand("2026-11-05 09:00", "路灯不亮", .fireSafety, in: g2)
            try await office.write("2026-11-10 09:00", station, [.change("funding-government", by: 20_000)])
            try await office.write("2026-11-11 09:00", station, [.change("funding-residents", by: 3_500)])
            try await office.status("2026-11-12 09:00", stairs, .resolved)
            for (asked, satisfied) in [(40, 36), (10, 9)] {
                try await office.write(
                    "2026-11-15 09:00", patrol,
                    [
                        .append(
                            "satisfaction",
                            LogEntry([
                                "method": .text("questionnaire"), "respondents": .integer(Int64(asked)),
                                "satisfied": .integer(Int64(satisfied)),
                            ]))
                    ])
            }
            try await office.visit("2026-11-17", by: "w001")
            try await office.visit("2026-11-20", by: "w002")
            try await office.write("2026-11-20 09:00", station, [.change("funding-government", by: -500)])
            try await office.status("2026-11-25 09:00", lamp, .closed)
            try await office.write(
                "2026-11-28 09:00", station,
                [
                    .append(
                        "progress",
                        LogEntry(["month": .text("2026-11"), "text": .text("完成选址"), "percent": .integer(60)]))
                ])
            _ = try await office.demand("2026-11-30 23:30", "燃气管老化", .fireSafety, in: g2)
            // December: not this month's.
            _ = try await office.demand("2026-12-01 00:30", "垃圾清运", .environment, in: g1)

            let report = try await office.store.monthlyReport(
                MonthlyReport.Request(month: "2026-11", visitTarget: 2, timeZone: Self.beijing))
            #expect(report.demands.raised == 3)
            #expect(report.demands.accepted == 1)
            #expect(report.demands.resolved == 2)
            #expect(report.demands.open == 2, "the October demand, accepted, and the one raised on the 30th")
            #expect(report.demands.medianDaysToResolve == 15)
            #expect(report.demands.oldestOpen.map(\.title) == ["停车位不足", "燃气管老化"])
            #expect(report.demands.oldestOpen.first?.raisedOn == "2026-10-20")
            #expect(report.demands.oldestOpen.first?.daysOpen == 41)
            let fire = try #require(report.demands.byCategory.first { $0.key == "fire-safety" })
            #expect((fire.label, fire.raised, fire.accepted, fire.resolved, fire.open) == ("消防安全", 2, 0, 1, 2))
            let g02 = try #require(report.demands.byGrid.first { $0.key == F.grid2.id.rawValue })
            #expect((g02.raised, g02.resolved, g02.open) == (2, 1, 1))

            #expect(report.visits.total == 4)
            #expect(report.visits.byWorker.map(\.worker) == ["w001", "w002"])
            #expect(report.visits.byWorker.map(\.visits) == [3, 1])
            #expect(report.visits.byWorker.map(\.metTarget) == [true, false])

            #expect(report.projects.byStage.first { $0.stage == "implement" }?.projects == 1)
            #expect(report.projects.progress.map(\.text) == ["完成选址"])
            #expect(report.projects.progress.first?.percent == 60)
            #expect(report.projects.withoutProgress.map(\.title) == ["停车自治公约"])

            #expect(report.funding.month.government == Money(yuan: 19_500))
            #expect(report.funding.month.residents == Money(yuan: 3_500))
            #expect(
                report.funding.month.society == Money(fen: 0) && report.funding.yearToDate.society == Money(yuan: 1_000)
            )
            #expect(report.funding.yearToDate.total == Money(yuan: 24_000))
            #expect(report.funding.commitmentShare == 0.039)

            #expect(report.satisfaction.map(\.title) == ["文明巡查"])
            let survey = try #require(report.satisfaction.first)
            #expect((survey.respondents, survey.satisfied, survey.rate) == (50, 45, 0.9))

            // One community's report holds only its records; a bad month is refused.
            let other = try await office.store.monthlyReport(
                MonthlyReport.Request(month: "2026-11", communities: [CommunityID("c09")!], timeZone: Self.beijing))
            #expect(other.demands.raised == 0 && other.visits.total == 0)
            await #expect(throws: StoreError.self) {
                _ = try await office.store.monthlyReport(MonthlyReport.Request(month: "2026-13"))
            }
        }
    }

    /// A month of the whole example street, its figures counted by ``StreetMonth`` as it was written: every grid's
    /// demands, every worker's visits, every community's project, funding and survey.
    /// A project's photos in the month's report: placed before, during or after its work by
    /// when each was attached against when the project reached `implement` and `evaluate`;
    /// only projects that gained a photo in the month; a photo detached is not shown; the HTML
    /// page shows the latest before and after, from wherever its `photo` resolver says.
    @Test func projectPhotosAreShownBeforeAndAfterTheirWork() async throws {
        try await withTemporaryFolder { folder in
            let wall = ManualWallClock()
            let office = Office(
                store: try SQLiteReplicaStore.create(in: folder, identity: F.identity, wallClock: wall), wall: wall)
            let photo = { (name: String) in FileID(of: Data(name.utf8)).rawValue }
            // Written in the order of the days: the hybrid clock never goes back.
            let station = try await office.project("2026-10-01 09:00", "楼道微消防站", stage: .design)
            try await office.write("2026-10-02 09:00", station, [.add("photos", photo("堆物"))])
            // A project whose photos are all older: not this month's.
            let parking = try await office.project("2026-10-05 09:00", "停车自治公约", stage: .design)
            try await office.write("2026-10-06 09:00", parking, [.add("photos", photo("车位"))])
            try await office.write("2026-11-03 09:00", station, [.add("photos", photo("通道"))])
            try await office.write("2026-11-05 09:00", station, [.assign("stage", "implement")])
            try await office.write("2026-11-10 09:00", station, [.add("photos", photo("施工"))])
            try await office.write("2026-11-12 09:00", station, [.add("photos", photo("误传"))])
            try await office.write("2026-11-13 09:00", station, [.remove("photos", photo("误传"))])
            try await office.write("2026-11-20 09:00", station, [.assign("stage", "evaluate")])
            try await office.write("2026-11-21 09:00", station, [.add("photos", photo("完工"))])

            let report = try await office.store.monthlyReport(
                MonthlyReport.Request(month: "2026-11", timeZone: Self.beijing))
            var expected = MonthlyReport.ProjectPhotos(project: station.description, title: "楼道微消防站")
            (expected.before, expected.during, expected.after) = (
                [photo("堆物"), photo("通道")], [photo("施工")], [photo("完工")]
            )
            #expect(report.projects.photos == [expected])
            let page = report.html { "pictures/\($0.dropFirst(7).prefix(8)).jpg" }
            #expect(page.contains("<img src=\"pictures/\(photo("通道").dropFirst(7).prefix(8)).jpg\" alt=\"实施前\">"))
            #expect(page.contains("<img src=\"pictures/\(photo("完工").dropFirst(7).prefix(8)).jpg\" alt=\"完成后\">"))
            #expect(page.contains("楼道微消防站：实施前 2 张，实施中 1 张，完成后 1 张"))
            #expect(!page.contains(String(photo("堆物").dropFirst(7).prefix(8))), "only the latest before is shown")
            #expect(!report.html().contains("<img"), "no picture without a source")
            #expect(report.csv().contains("楼道微消防站,2,1,1"))
        }
    }

    @Test func figuresMatchAMonthOfTheExampleStreet() async throws {
        try await withTemporaryFolder { folder in
            let wall = ManualWallClock()
            let month = StreetMonth()
            let store = try SQLiteReplicaStore.create(
                in: folder, identity: month.officeIdentity(replica: ReplicaID(rawValue: 0x0ff1)), wallClock: wall)
            let expected = try await month.write(into: store, wall: wall)
            let report = try await store.monthlyReport(
                MonthlyReport.Request(month: StreetMonth.month, timeZone: StreetMonth.timeZone))
            #expect(report.demands.raised == expected.raised)
            #expect(report.demands.accepted == expected.accepted)
            #expect(report.demands.resolved == expected.resolved)
            #expect(report.demands.open == expected.open)
            #expect(report.demands.medianDaysToResolve == expected.medianDaysToResolve)
            #expect(report.demands.byGrid.count == month.street.grids.count)
            #expect(report.demands.oldestOpen.count == 10)
            #expect(
                Dictionary(uniqueKeysWithValues: report.visits.byWorker.map { ($0.worker, $0.visits) })
                    == expected.visits)
            #expect(
                report.visits.byWorker.filter(\.metTarget).count == expected.visits.values.filter { $0 >= 40 }.count)
            #expect(report.funding.month.government == Money(fen: expected.governmentInMonthFen))
            #expect(report.funding.month.residents == Money(fen: expected.residentsInMonthFen))
            #expect(
                report.funding.month.society == Money(fen: 0)
                    && report.funding.yearToDate.society == Money(fen: expected.societyInYearFen))
            #expect(report.projects.progress.count == expected.progressEntries)
            #expect(report.projects.withoutProgress.count == expected.withoutProgress)
            #expect(
                Dictionary(
                    uniqueKeysWithValues: report.projects.byStage.filter { $0.projects > 0 }.map {
                        ($0.stage, $0.projects)
                    }) == expected.stages)
            #expect(report.satisfaction.count == expected.surveys.count)
            for survey in report.satisfaction {
                let counted = try #require(expected.surveys[survey.title])
                #expect((survey.satisfied, survey.respondents) == counted, "\(survey.title)")
            }

            // An office of several communities (the console's overview) sees theirs added up, and all of them
            // make the street.
            func reportOf(_ communities: [CommunityID]) async throws -> MonthlyReport {
                try await store.monthlyReport(
                    MonthlyReport.Request(
                        month: StreetMonth.month, communities: communities, timeZone: StreetMonth.timeZone))
            }
            let communities = month.street.communities.map(\.id)
            #expect(communities.count >= 3)
            var singles: [MonthlyReport] = []
            for community in communities { singles.append(try await reportOf([community])) }
            let pair = try await reportOf(Array(communities.prefix(2)))
            #expect(pair.scope == communities.prefix(2).map(\.rawValue).joined(separator: "+"))
            #expect(pair.demands.raised == singles[0].demands.raised + singles[1].demands.raised)
            #expect(pair.demands.open == singles[0].demands.open + singles[1].demands.open)
            #expect(pair.visits.total == singles[0].visits.total + singles[1].visits.total)
            #expect(pair.demands.raised < report.demands.raised)
            let all = try await reportOf(communities)
            #expect(all.demands.byCategory == report.demands.byCategory)
            #expect(all.demands.oldestOpen == report.demands.oldestOpen)
            #expect(all.visits.total == report.visits.total)
            #expect(all.funding.yearToDate.government == report.funding.yearToDate.government)
        }
    }

    /// With the street's lists on the replica, the report names grids, workers and the community beside their keys;
    /// without them, it shows the keys alone.
    @Test func theReportNamesTheStreetsEntries() async throws {
        try await withTemporaryFolder { folder in
            let wall = ManualWallClock()
            let month = StreetMonth()
            let store = try SQLiteReplicaStore.create(
                in: folder, identity: month.officeIdentity(replica: ReplicaID(rawValue: 0x0ff1)), wallClock: wall)
            _ = try await month.write(into: store, wall: wall)
            let community = month.street.communities[0]
            var request = MonthlyReport.Request(month: StreetMonth.month, timeZone: StreetMonth.timeZone)
            request.communities = [community.id]
            let bare = try await store.monthlyReport(request)
            #expect(bare.scopeLabel == community.id.rawValue)
            #expect(bare.demands.byGrid.allSatisfy { $0.label == $0.key })

            for change in try StreetImport(month.street, held: []).changes { _ = try await store.write(change) }
            let named = try await store.monthlyReport(request)
            #expect(named.scopeLabel == "\(community.name)（\(community.id)）")
            let grids = Dictionary(uniqueKeysWithValues: month.street.grids.map { ($0.id.rawValue, $0.name) })
            #expect(!named.demands.byGrid.isEmpty)
            for row in named.demands.byGrid { #expect(row.label == "\(grids[row.key]!)（\(row.key)）") }
            for demand in named.demands.oldestOpen {
                #expect(demand.gridLabel == "\(grids[demand.grid]!)（\(demand.grid)）")
            }
            let workers = Dictionary(uniqueKeysWithValues: month.street.workers.map { ($0.id.rawValue, $0.name) })
            #expect(!named.visits.byWorker.isEmpty)
            for row in named.visits.byWorker { #expect(row.label == "\(workers[row.worker]!)（\(row.worker)）") }
            #expect(named.text(.chinese).contains("社区 \(community.name)（\(community.id)）"))
        }
    }
}
