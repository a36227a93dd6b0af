import Foundation
import GridMerge
import GridModel
import GridStore
import GridTesting

/// The monthly report on a year of the example street, as the office runs it: `gridsync-inspect report` on the
/// daemon's folder, its wall time and peak memory, against `gridsync-inspect conflicts --summary` on the same folder
/// (the same program starting, opening the same store and counting its open conflicts) in the same run.
///
/// The year is written as the simulator's laptops write it (4 visits a worker a day, a demand every 4.6 days, the
/// office's projects), but straight into the daemon's store, a day's ops at a time, so that it takes seconds instead
/// of the simulator's quarter of an hour of syncs: the report reads the same tables either way.
enum ReportBenchmark {
    struct Settings {
        var days = 365
        var visitsPerDay = 4
        var seed: UInt64 = 20_261_130
        /// The month reported on.
        var month = "2026-11"
    }

    /// Measures the report on `folder`, or on a year written first by another `gridsync-bench` process (`year`), so
    /// that the memory of writing it is never counted in the report's: a spawned program's peak memory includes its
    /// parent's, which it starts in.
    static func run(_ settings: Settings, inspect: URL, folder given: URL?) async throws -> [Figure] {
        let folder =
            given ?? FileManager.default.temporaryDirectory.appendingPathComponent("gridsync-year-\(UUID().uuidString)")
        defer { if given == nil { try? FileManager.default.removeItem(at: folder) } }
        if given == nil {
            let bench = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            let written = try MeasuredProcess.run(
                bench, ["year", "--out", folder.path, "--days", String(settings.days)], output: .inherit)
            print(String(format: "  written in %.1f s", written.seconds))
        }
        let database = folder.appendingPathComponent("replica.sqlite")
        let size = (try? FileManager.default.attributesOfItem(atPath: database.path)[.size] as? Int) ?? 0
        print(String(format: "  the store: %.0f MB", Double(size) / 1e6))
        let own = ProcessInfo.processInfo.peakResidentBytes
        print(String(format: "  (this process's own peak, which every program it starts counts too: %.0f MB)", Double(own) / 1_048_576))

        let environment = ["TZ": "Asia/Shanghai"]
        func best(_ arguments: [String]) throws -> MeasuredProcess {
            // The first run reads the file into the page cache; the best of three after it.
            _ = try MeasuredProcess.run(inspect, arguments + ["--data", folder.path], environment: environment)
            return try (0..<3).map { _ in
                try MeasuredProcess.run(inspect, arguments + ["--data", folder.path], environment: environment)
            }.min { $0.seconds < $1.seconds }!
        }
        let status = try best(["conflicts", "--summary"])
        var figures: [Figure] = []
        print("gridsync-inspect on that folder (best of 3, after a first run):")
        print(String(format: "  conflicts --summary: %.2f s, peak %.0f MB", status.seconds, Double(status.peakBytes) / 1_048_576))
        for format in ["text", "html", "csv", "json"] {
            let report = try best(["report", "--month", settings.month, "--format", format])
            print(
                String(
                    format: "  report --format %-5@ %.2f s, peak %.0f MB, %d bytes", format + ":" as NSString, report.seconds,
                    Double(report.peakBytes) / 1_048_576, report.outputBytes))
            guard format == "html" else { continue }
            let megabytes = Double(report.peakBytes) / 1_048_576
            figures.append(
                Figure(
                    name: "monthly report (HTML) on a year of the street: time",
                    measured: String(format: "%.2f s", report.seconds),
                    baseline: String(format: "%.2f s `conflicts --summary`", status.seconds), ratio: report.seconds / status.seconds,
                    target: "< 2 s", met: report.seconds < 2))
            figures.append(
                Figure(
                    name: "monthly report (HTML) on a year of the street: peak memory",
                    measured: String(format: "%.0f MB", megabytes),
                    baseline: String(format: "%.0f MB `conflicts --summary`", Double(status.peakBytes) / 1_048_576),
                    ratio: Double(report.peakBytes) / Double(status.peakBytes), target: "< 100 MB",
                    met: megabytes < 100))
        }
        return figures
    }
}

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
