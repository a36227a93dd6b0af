import Foundation
import GridMerge
import GridModel
import GridNet
import GridStore
import GridTesting

/// A street (or a district of streets) played through GridSync: every grid worker's laptop
/// records visits and demands and edits them, offline for hours or days, the office closes
/// demands and follows micro-projects with monthly progress, and everyone syncs with the
/// real `gridsyncd` over loopback. At the end every replica must hold exactly the daemon's
/// records of its grids.
///
/// The laptops work at the same time, and sync at the same time whenever what they exchange
/// cannot depend on one another (their grids do not overlap), so the run uses every core and
/// stays deterministic: each laptop draws its day from its own seeded generator and keeps its
/// own clock.
struct Simulation: Sendable {
    /// The knobs, from the command line.
    struct Settings: Sendable {
        var streets = 1
        var days = 365
        var visitsPerDay = 4
        var seed: UInt64 = 20_261_129
        /// The chance that a laptop is online (and syncs) on a given evening.
        var online = 0.6
    }

    /// One laptop: its replica, its token, its grids, its clock.
    struct Laptop: Sendable {
        let worker: WorkerID
        let scopes: [GridScope]
        let store: SQLiteReplicaStore
        let token: String
        let isOffice: Bool
        let wall: ManualWallClock

        /// Whether what this laptop and `other` pull could depend on each other's pushes.
        func overlaps(_ other: Laptop) -> Bool {
            scopes.contains { other.scopes.covers($0) } || other.scopes.contains { scopes.covers($0) }
        }
    }

    /// The records a laptop created in a day, for the others to find once they have them.
    struct DayWork: Sendable {
        var ops = 0
        var demands: [(GridScope, RecordID)] = []
        var projects: [(GridScope, RecordID)] = []
    }

    /// What the run did.
    struct Report {
        var ops = 0
        var syncs = 0
        var bytesOut = 0
        var bytesIn = 0
        var seconds = 0.0
        var openConflicts = 0
        var records = 0
        var mismatches: [String] = []
    }

    let settings: Settings
    let daemonExecutable: URL

    func run() async throws -> Report {
        let started = ContinuousClock.now
        let daemon = try DaemonProcess(executable: daemonExecutable)
        defer { daemon.stop() }
        let tls = try daemon.clientTLS()
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("gridsync-sim-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        var rng = SeededGenerator(seed: settings.seed)
        let day: UInt64 = 86_400_000
        let start = UInt64(Date().timeIntervalSince1970 * 1000) - UInt64(settings.days + 1) * day
        let generator = EditGenerator()
        let street = generator.street

        // The laptops: every grid worker of every street, and one office laptop per street. Their
        // accounts and replicas are made eight at a time: each waits on `fsync` more than on a core.
        let members = DistrictRoster(streets: settings.streets, street: street).members
        let replicas = members.map { _ in ReplicaID.random(using: &rng) }
        let data = daemon.data
        let laptops = try await BlockingWork.run(members.count, threads: 8) { [self] index in
            try laptop(members[index], replica: replicas[index], daemon: data, root: root, at: start)
        }
        let setUp = started.duration(to: .now).seconds
        print(
            "simulating \(settings.streets) street(s), \(laptops.count) laptops, \(settings.days) days "
                + "(their accounts and replicas made in \(Int(setUp)) s)")

        var report = Report()
        var demands: [GridScope: [RecordID]] = [:]
        var projects: [GridScope: [RecordID]] = [:]
        for dayIndex in 0..<settings.days {
            let dayStarted = ContinuousClock.now
            /// CPU seconds so far: the laptops' (this process) and the daemon's.
            func cpu() -> (own: Double, daemon: Double) {
                (cpuSeconds(ofProcess: getpid()), cpuSeconds(ofProcess: daemon.process.processIdentifier))
            }
            let cpuAtMorning = cpu()
            // Daytime: every laptop works at once, each from its own generator and clock.
            let morning = start + UInt64(dayIndex) * day + 8 * 3_600_000
            let (knownDemands, knownProjects) = (demands, projects)
            let worked = try await withThrowingTaskGroup(of: (Int, DayWork).self) { group in
                for (index, laptop) in laptops.enumerated() {
                    var laptopRNG = SeededGenerator(seed: rng.next())
                    group.addTask {
                        laptop.wall.set(morning + UInt64.random(in: 0...3_600_000, using: &laptopRNG))
                        let work = try await self.work(
                            laptop, demands: knownDemands, projects: knownProjects, firstOfMonth: dayIndex % 30 == 0,
                            generator: generator, rng: &laptopRNG)
                        return (index, work)
                    }
                }
                return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            for index in laptops.indices {
                let work = worked[index]!
                report.ops += work.ops
                for (scope, id) in work.demands { demands[scope, default: []].append(id) }
                for (scope, id) in work.projects { projects[scope, default: []].append(id) }
            }
            // Evening (20:00 on every laptop): the laptops that are online sync, in a random order.
            for laptop in laptops { laptop.wall.set(morning + 12 * 3_600_000) }
            let online = laptops.shuffled(using: &rng).filter {
                $0.isOffice || Double.random(in: 0..<1, using: &rng) < settings.online
            }
            let evening = ContinuousClock.now
            let cpuAtEvening = cpu()
            try await sync(online, port: daemon.port, tls: tls, into: &report)
            if settings.days <= 31 || dayIndex < 3 {
                let cpuAtNight = cpu()
                print(
                    String(
                        format: "  day %d: work %.1f s (CPU: laptops %.1f s, daemon %.1f s), %d laptops synced in %.1f s "
                            + "(CPU: laptops %.1f s, daemon %.1f s)", dayIndex + 1,
                        dayStarted.duration(to: evening).seconds, cpuAtEvening.own - cpuAtMorning.own,
                        cpuAtEvening.daemon - cpuAtMorning.daemon, online.count, evening.duration(to: .now).seconds,
                        cpuAtNight.own - cpuAtEvening.own, cpuAtNight.daemon - cpuAtEvening.daemon))
            }
            if (dayIndex + 1) % 30 == 0 {
                print(
                    "  day \(dayIndex + 1): \(report.ops) ops written, \(report.syncs) syncs, \(report.bytesOut + report.bytesIn) bytes on the wire"
                )
            }
        }
        // The last evening: everyone syncs twice, so that every op reaches every laptop.
        for _ in 0..<2 { try await sync(laptops, port: daemon.port, tls: tls, into: &report) }
        let elapsed = ContinuousClock.now - started
        report.seconds = elapsed.seconds

        // Every replica holds exactly the daemon's records of its grids.
        let server = try SQLiteReplicaStore.open(in: daemon.data.path)
        let serverRecords = try await server.allRecords()
        report.records = serverRecords.count
        report.openConflicts = try await server.status().conflictCount
        let byScope = Dictionary(grouping: serverRecords, by: \.scope)
        for laptop in laptops {
            let expected = byScope.filter { laptop.scopes.covers($0.key) }.flatMap(\.value)
            if try RecordExport.jsonLines(await laptop.store.allRecords()) != RecordExport.jsonLines(expected) {
                report.mismatches.append(laptop.worker.rawValue)
            }
        }
        return report
    }

    private func laptop(
        _ member: DistrictRoster.Member, replica: ReplicaID, daemon data: URL, root: URL, at start: UInt64
    ) throws -> Laptop {
        let token = try DaemonProcess.addWorker(
            member.worker.rawValue, scopes: member.scopes.map(\.description), executable: daemonExecutable, data: data)
        let wall = ManualWallClock(milliseconds: start)
        let store = try SQLiteReplicaStore.create(
            in: root.appendingPathComponent(member.worker.rawValue).path,
            identity: ReplicaIdentity(replica: replica, worker: member.worker, scopes: member.scopes), wallClock: wall)
        return Laptop(
            worker: member.worker, scopes: member.scopes, store: store, token: token, isOffice: member.isOffice,
            wall: wall)
    }

    /// One laptop's day of work: a few minutes between changes, from its morning on.
    private func work(
        _ laptop: Laptop, demands: [GridScope: [RecordID]], projects: [GridScope: [RecordID]],
        firstOfMonth: Bool, generator: EditGenerator, rng: inout SeededGenerator
    ) async throws -> DayWork {
        var day = DayWork()
        func write(_ change: RecordChange) async throws {
            laptop.wall.advance(by: Int64.random(in: 10_000...600_000, using: &rng))
            day.ops += try await laptop.store.write(change).count
        }
        /// An edit as people make them; a record shown deleted can only be restored.
        func edit(of record: RecordState) -> Edit? {
            record.isDeleted ? .restore : generator.workerEdit(of: record, using: &rng)
        }
        /// A record of `type` in one of `scopes` that this laptop holds, if any.
        func known(_ type: [GridScope: [RecordID]]) async throws -> RecordState? {
            for _ in 0..<3 {
                guard let scope = laptop.scopes.randomElement(using: &rng),
                    let id = Self.ids(in: type, within: [scope]).randomElement(using: &rng),
                    let record = try await laptop.store.record(id)
                else { continue }
                return record
            }
            return nil
        }
        if laptop.isOffice {
            // The office follows up demands (often while a worker updates the same one) and projects.
            for _ in 0..<Int.random(in: 2...8, using: &rng) {
                if let record = try await known(demands), let edit = edit(of: record) {
                    try await write(RecordChange(record: record.id, target: .edit, edits: [edit]))
                }
            }
            if Double.random(in: 0..<1, using: &rng) < 0.15, let scope = laptop.scopes.randomElement(using: &rng) {
                let id = RecordID(using: &rng)
                try await write(
                    RecordChange(
                        record: id, target: .create(.project, in: scope),
                        edits: generator.newRecord(.project, in: scope, using: &rng)))
                day.projects.append((scope, id))
            }
            if firstOfMonth {
                for id in Self.ids(in: projects, within: laptop.scopes)
                where try await laptop.store.record(id)?.isDeleted == false {
                    let entry = LogEntry([
                        "month": .text("2026-01"), "text": .text("本月完成楼道清理与宣传"),
                        "percent": .integer(Int64.random(in: 0...100, using: &rng)),
                    ])
                    try await write(RecordChange(record: id, target: .edit, edits: [.append("progress", entry)]))
                }
            }
            return day
        }
        let grid = laptop.scopes.randomElement(using: &rng)!
        for _ in 0..<settings.visitsPerDay {
            try await write(
                RecordChange(
                    record: RecordID(using: &rng), target: .create(.visit, in: grid),
                    edits: generator.newRecord(.visit, in: grid, using: &rng)))
        }
        if Double.random(in: 0..<1, using: &rng) < 80.0 / 365 {
            let id = RecordID(using: &rng)
            try await write(
                RecordChange(
                    record: id, target: .create(.demand, in: grid),
                    edits: generator.newRecord(.demand, in: grid, using: &rng)))
            day.demands.append((grid, id))
        }
        if Double.random(in: 0..<1, using: &rng) < 0.5, let record = try await known(demands),
            let edit = edit(of: record)
        {
            try await write(RecordChange(record: record.id, target: .edit, edits: [edit]))
        }
        return day
    }

    /// The ids of `records` in `scopes`, in an order that does not depend on hashing.
    private static func ids(in records: [GridScope: [RecordID]], within scopes: [GridScope]) -> [RecordID] {
        records.filter { scopes.covers($0.key) }
            .sorted { $0.key.description < $1.key.description }.flatMap(\.value)
    }

    /// Syncs `laptops` in their order, in waves: each wave's laptops sync at once (128 at a time), and no two
    /// of them share a grid, so what each pulls is the same as if they took turns.
    private func sync(_ laptops: [Laptop], port: Int, tls: ClientTLS?, into report: inout Report) async throws {
        var waves: [[Laptop]] = []
        for laptop in laptops {
            if let wave = waves.firstIndex(where: { !$0.contains(where: laptop.overlaps) }) {
                waves[wave].append(laptop)
            } else {
                waves.append([laptop])
            }
        }
        // A wave goes in parts, within the daemon's connection limit (512 by default).
        let parts = waves.flatMap { wave in
            stride(from: 0, to: wave.count, by: 128).map { Array(wave[$0..<min($0 + 128, wave.count)]) }
        }
        for part in parts {
            let outcomes = try await withThrowingTaskGroup(of: ClientSync.Outcome.self) { group in
                for laptop in part {
                    group.addTask { try await syncOnce(laptop.store, token: laptop.token, port: port, tls: tls) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            report.syncs += outcomes.count
            report.bytesOut += outcomes.reduce(0) { $0 + $1.wireBytesOut }
            report.bytesIn += outcomes.reduce(0) { $0 + $1.wireBytesIn }
        }
    }
}
