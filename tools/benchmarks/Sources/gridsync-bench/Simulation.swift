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
struct Simulation {
    /// The knobs, from the command line.
    struct Settings {
        var streets = 1
        var days = 365
        var visitsPerDay = 4
        var seed: UInt64 = 20_261_129
        /// The chance that a laptop is online (and syncs) on a given evening.
        var online = 0.6
    }

    /// One laptop: its replica, its token, its grids.
    struct Laptop {
        let worker: WorkerID
        let scopes: [GridScope]
        let store: SQLiteReplicaStore
        let token: String
        let isOffice: Bool
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
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("gridsync-sim-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        var rng = SeededGenerator(seed: settings.seed)
        let day: UInt64 = 86_400_000
        let start = UInt64(Date().timeIntervalSince1970 * 1000) - UInt64(settings.days + 1) * day
        let wall = ManualWallClock(milliseconds: start)
        let generator = EditGenerator()
        let street = generator.street

        // The laptops: every grid worker of every street, and one office laptop per street.
        var laptops: [Laptop] = []
        for index in 0..<settings.streets {
            let prefix = settings.streets == 1 ? "" : String(format: "s%02d-", index + 1)
            func scope(_ grid: GridID) -> GridScope {
                let community = street.grids.first { $0.id == grid }!.community
                return GridScope(community: CommunityID(prefix + community.rawValue)!, grid: grid)
            }
            for worker in street.workers where worker.role == .worker {
                let id = WorkerID(prefix + worker.id.rawValue)!
                let scopes = worker.grids.map(scope)
                laptops.append(
                    try laptop(id, scopes: scopes, office: false, daemon: daemon, root: root, wall: wall, rng: &rng))
            }
            let communities = street.communities.map { GridScope(community: CommunityID(prefix + $0.id.rawValue)!) }
            laptops.append(
                try laptop(
                    WorkerID(prefix + "office-1")!, scopes: communities, office: true, daemon: daemon, root: root,
                    wall: wall, rng: &rng))
        }
        print("simulating \(settings.streets) street(s), \(laptops.count) laptops, \(settings.days) days")

        var report = Report()
        var demands: [GridScope: [RecordID]] = [:]
        var projects: [GridScope: [RecordID]] = [:]
        for dayIndex in 0..<settings.days {
            wall.set(start + UInt64(dayIndex) * day + 8 * 3_600_000)
            for laptop in laptops {
                wall.advance(by: Int64.random(in: 1_000...60_000, using: &rng))
                report.ops += try await work(
                    laptop, demands: &demands, projects: &projects, firstOfMonth: dayIndex % 30 == 0,
                    generator: generator, rng: &rng)
            }
            // Evening: the laptops that are online sync, in a random order.
            for laptop in laptops.shuffled(using: &rng)
            where laptop.isOffice || Double.random(in: 0..<1, using: &rng) < settings.online {
                try await sync(laptop, port: daemon.port, into: &report)
            }
            if (dayIndex + 1) % 30 == 0 {
                print(
                    "  day \(dayIndex + 1): \(report.ops) ops written, \(report.syncs) syncs, \(report.bytesOut + report.bytesIn) bytes on the wire"
                )
            }
        }
        // The last evening: everyone syncs twice, so that every op reaches every laptop.
        for _ in 0..<2 {
            for laptop in laptops { try await sync(laptop, port: daemon.port, into: &report) }
        }
        let elapsed = ContinuousClock.now - started
        report.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18

        // Every replica holds exactly the daemon's records of its grids.
        let server = try SQLiteReplicaStore.open(in: daemon.data.path)
        let serverRecords = try await server.allRecords()
        report.records = serverRecords.count
        report.openConflicts = try await server.status().conflictCount
        for laptop in laptops {
            let expected = serverRecords.filter { record in laptop.scopes.contains { $0.contains(record.scope) } }
            if try RecordExport.jsonLines(await laptop.store.allRecords()) != RecordExport.jsonLines(expected) {
                report.mismatches.append(laptop.worker.rawValue)
            }
        }
        return report
    }

    private func laptop(
        _ worker: WorkerID, scopes: [GridScope], office: Bool, daemon: DaemonProcess, root: URL, wall: ManualWallClock,
        rng: inout SeededGenerator
    ) throws -> Laptop {
        let token = try daemon.addWorker(
            worker.rawValue, scopes: scopes.map(\.description), executable: daemonExecutable)
        let store = try SQLiteReplicaStore.create(
            in: root.appendingPathComponent(worker.rawValue).path,
            identity: ReplicaIdentity(replica: .random(using: &rng), worker: worker, scopes: scopes), wallClock: wall)
        return Laptop(worker: worker, scopes: scopes, store: store, token: token, isOffice: office)
    }

    /// One laptop's day of work; returns the ops written.
    private func work(
        _ laptop: Laptop, demands: inout [GridScope: [RecordID]], projects: inout [GridScope: [RecordID]],
        firstOfMonth: Bool, generator: EditGenerator, rng: inout SeededGenerator
    ) async throws -> Int {
        var ops = 0
        func write(_ change: RecordChange) async throws {
            ops += try await laptop.store.write(change).count
        }
        /// An edit as people make them; a record shown deleted can only be restored.
        func edit(of record: RecordState) -> Edit? {
            record.isDeleted ? .restore : generator.workerEdit(of: record, using: &rng)
        }
        /// A record of `type` in one of `scopes` that this laptop holds, if any.
        func known(_ type: [GridScope: [RecordID]]) async throws -> RecordState? {
            for _ in 0..<3 {
                guard let scope = laptop.scopes.randomElement(using: &rng),
                    let id = type.filter({ scope.contains($0.key) }).values.randomElement(using: &rng)?.randomElement(
                        using: &rng),
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
                projects[scope, default: []].append(id)
            }
            if firstOfMonth {
                for id in projects.values.flatMap({ $0 }) where try await laptop.store.record(id)?.isDeleted == false {
                    let entry = LogEntry([
                        "month": .text("2026-01"), "text": .text("本月完成楼道清理与宣传"),
                        "percent": .integer(Int64.random(in: 0...100, using: &rng)),
                    ])
                    try await write(RecordChange(record: id, target: .edit, edits: [.append("progress", entry)]))
                }
            }
            return ops
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
            demands[grid, default: []].append(id)
        }
        if Double.random(in: 0..<1, using: &rng) < 0.5, let record = try await known(demands),
            let edit = edit(of: record)
        {
            try await write(RecordChange(record: record.id, target: .edit, edits: [edit]))
        }
        return ops
    }

    private func sync(_ laptop: Laptop, port: Int, into report: inout Report) async throws {
        let outcome = try await SyncConnector(host: "127.0.0.1", port: port).withConnection { connection in
            try await ClientSync(store: laptop.store, token: laptop.token).run(over: connection)
        }
        report.syncs += 1
        report.bytesOut += outcome.wireBytesOut
        report.bytesIn += outcome.wireBytesIn
    }
}
