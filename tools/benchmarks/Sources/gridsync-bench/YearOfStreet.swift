import Foundation
import GridMerge
import GridModel
import GridStore
import GridTesting

/// A year of the example street written into a daemon's store.
struct YearOfStreet {
    /// Writes the year into `folder` and prints what it holds (`gridsync-bench year --out FOLDER`).
    static func write(_ settings: ReportBenchmark.Settings, into folder: String) async throws {
        let year = try await YearOfStreet(settings: settings).write(into: folder)
        print(
            "a year of the example street: \(year.ops) ops, \(year.demands) demands, \(year.visits) visits, "
                + "\(year.projects) projects")
    }

    struct Counts {
        var ops = 0
        var demands = 0
        var visits = 0
        var projects = 0
    }

    /// What happens at a moment of a worker's day.
    private enum Event {
        case visit(worker: Int)
        case demand(worker: Int)
        case status(Due)
    }

    /// A status change due on a later day.
    private struct Due {
        let moment: UInt64
        let worker: Int
        let demand: RecordID
        let status: DemandStatus
    }

    let settings: ReportBenchmark.Settings

    func write(into folder: String) async throws -> Counts {
        let street = StreetFixture.xStreet
        var rng = SeededGenerator(seed: settings.seed)
        let wall = ManualWallClock()
        let communities = street.communities.map { GridScope(community: $0.id) }
        let store = try SQLiteReplicaStore.create(
            in: folder,
            identity: ReplicaIdentity(replica: .random(using: &rng), worker: WorkerID("office-1")!, scopes: communities),
            wallClock: wall)
        // The street's lists, as the office imports them, so that the report names grids and workers.
        wall.set(1_767_196_800_000)  // 2025-12-31 16:00 UTC: 2026-01-01 in Beijing
        for change in try StreetImport(street, held: []).changes { _ = try await store.write(change) }
        let workers = street.workers.filter { $0.role == .worker }
        var laptops = workers.map {
            Replica(id: .random(using: &rng), author: $0.id, clock: HybridClock(wallClock: wall))
        }
        var office = Replica(id: .random(using: &rng), author: WorkerID("office-2")!, clock: HybridClock(wallClock: wall))
        let scopes = workers.map { worker in
            street.grids.first { $0.id == worker.grids[0] }!.scope
        }
        let compounds = Dictionary(grouping: street.compounds, by: \.grid)
        let categories = Category.allCases
        let hour: UInt64 = 3_600_000
        let first = StreetMonth.moment("2026-01-01 00:00")
        var counts = Counts()
        var due: [Due] = []
        var projects: [(id: RecordID, stage: ProjectStage, community: Int)] = []

        for day in 0..<settings.days {
            let midnight = first + UInt64(day) * 24 * hour
            let date = RecordText(timeZone: StreetMonth.timeZone).date(of: HybridTimestamp(milliseconds: midnight, counter: 0))
            var ops: [Op] = []
            // The workers' day, from 08:00: visits, sometimes a demand, and the status changes due today.
            var events: [(moment: UInt64, event: Event)] = []
            for worker in workers.indices {
                for visit in 0..<settings.visitsPerDay {
                    let moment = midnight + (8 + 2 * UInt64(visit)) * hour + UInt64.random(in: 0..<hour, using: &rng)
                    events.append((moment, .visit(worker: worker)))
                }
                if Double.random(in: 0..<1, using: &rng) < 80.0 / 365 {
                    events.append((midnight + 9 * hour + UInt64.random(in: 0..<(8 * hour), using: &rng), .demand(worker: worker)))
                }
            }
            let tomorrow = midnight + 24 * hour
            events += due.filter { $0.moment < tomorrow }.map { ($0.moment, .status($0)) }
            due.removeAll { $0.moment < tomorrow }
            for (moment, event) in events.sorted(by: { $0.moment < $1.moment }) {
                wall.set(moment)
                switch event {
                case .status(let change):
                    ops.append(try laptops[change.worker].edit(change.demand, .assign("status", .text(change.status.key))))
                case .visit(let worker):
                    var edits: [Edit] = [
                        .assign("visited-on", .text(date)), .assign("worker", .text(workers[worker].id.rawValue)),
                        .assign("purpose", .text("routine")),
                    ]
                    if let compound = compounds[workers[worker].grids[0]]?.randomElement(using: &rng) {
                        edits.append(.assign("compound", .text(compound.id.rawValue)))
                    }
                    ops += try laptops[worker].create(.visit, id: RecordID(using: &rng), in: scopes[worker], edits)
                    counts.visits += 1
                case .demand(let worker):
                    let id = RecordID(using: &rng)
                    ops += try laptops[worker].create(
                        .demand, id: id, in: scopes[worker],
                        [
                            .assign("title", .text("诉求\(counts.demands + 1)")),
                            .assign("category", .text(categories.randomElement(using: &rng)!.key)),
                            .assign("status", .text(DemandStatus.raised.key)), .assign("urgency", .text("normal")),
                            .change("backers", by: Int64.random(in: 1...30, using: &rng)),
                        ])
                    counts.demands += 1
                    // Accepted within three days (nine in ten), then resolved within 40 days (four in five); or
                    // declined (one in twenty).
                    if Double.random(in: 0..<1, using: &rng) < 0.9 {
                        let accepted = moment + UInt64.random(in: 1...72, using: &rng) * hour
                        due.append(Due(moment: accepted, worker: worker, demand: id, status: .accepted))
                        if Double.random(in: 0..<1, using: &rng) < 0.8 {
                            let resolved = accepted + UInt64.random(in: 1...(40 * 24), using: &rng) * hour
                            due.append(Due(moment: resolved, worker: worker, demand: id, status: .resolved))
                        }
                    } else if Double.random(in: 0..<1, using: &rng) < 0.5 {
                        let declined = moment + UInt64.random(in: 1...72, using: &rng) * hour
                        due.append(Due(moment: declined, worker: worker, demand: id, status: .declined))
                    }
                }
            }
            // The office, at 17:00: a new project every few days, stages, funding, monthly progress and surveys.
            wall.set(midnight + 17 * hour)
            if Double.random(in: 0..<1, using: &rng) < 0.3 {
                let community = Int.random(in: 0..<communities.count, using: &rng)
                let id = RecordID(using: &rng)
                ops += try office.create(
                    .project, id: id, in: communities[community],
                    [
                        .assign("title", .text("\(street.communities[community].name)微项目\(projects.count + 1)")),
                        .assign("category", .text(Category.fireSafety.key)), .assign("stage", .text(ProjectStage.collect.key)),
                    ])
                projects.append((id, .collect, community))
                counts.projects += 1
            }
            for index in projects.indices where Double.random(in: 0..<1, using: &rng) < 1.0 / 30 {
                let project = projects[index]
                guard let next = ProjectStage.allCases.drop(while: { $0 != project.stage }).dropFirst().first else { continue }
                var edits: [Edit] = [.assign("stage", .text(next.key))]
                if next == .implement {
                    edits.append(.change("funding-government", by: Int64.random(in: 3...8, using: &rng) * 1_000))
                    edits.append(.change("funding-residents", by: Int64.random(in: 1...20, using: &rng) * 100))
                }
                if next == .evaluate {
                    let respondents = Int64.random(in: 20...80, using: &rng)
                    edits.append(
                        .append(
                            "satisfaction",
                            LogEntry([
                                "method": .text("questionnaire"), "respondents": .integer(respondents),
                                "satisfied": .integer(Int64.random(in: (respondents / 2)...respondents, using: &rng)),
                            ])))
                }
                for edit in edits { ops.append(try office.edit(project.id, edit)) }
                projects[index].stage = next
            }
            if date.hasSuffix("-25") {
                for project in projects where [.design, .review, .implement].contains(project.stage)
                    && Double.random(in: 0..<1, using: &rng) < 0.8
                {
                    ops.append(
                        try office.edit(
                            project.id,
                        .append(
                            "progress",
                            LogEntry([
                                "month": .text(String(date.prefix(7))), "text": .text("本月推进楼道清理与宣传"),
                                "percent": .integer(Int64.random(in: 0...100, using: &rng)),
                            ]))))
                }
            }
            // The evening's syncs, once the day is over.
            wall.set(tomorrow)
            _ = try await store.ingest(ops)
            counts.ops += ops.count
            if (day + 1) % 60 == 0 { print("  day \(day + 1): \(counts.ops) ops") }
        }
        return counts
    }
}
