import Foundation
import GridModel
import GridNet
import GridStore
import GridTesting

/// Many field laptops driven from a process of their own (`gridsync-bench fleet`), so that what the
/// benchmark process measures of the daemon (its CPU, its memory, how long a sync waits) is not mixed
/// with the laptops' work in one process.
///
/// The parent writes a ``Plan``, starts the fleet and waits for its `ready` line; the fleet has then made
/// every laptop's replica and recorded its demands. The parent notes the daemon's CPU and sends `go`; the
/// laptops sync in their waves, and the fleet writes a ``Result`` and exits.
enum LaptopFleet {
    /// Who syncs, and when.
    struct Plan: Codable {
        /// One laptop.
        struct Laptop: Codable {
            var worker: String
            var scopes: [String]
            var token: String
            /// New demands recorded before its sync (a day's visits), in its first scope.
            var demands: Int
            /// Its wave: wave `n` starts `n × waveInterval` seconds after `go`.
            var wave: Int
        }

        var laptops: [Laptop]
        var waveInterval: Double
        /// The daemons' ports: laptop `i` syncs with the `i mod n`th, as behind one address.
        var ports: [Int]
        var fingerprint: String?
        /// The seed of the laptops' replica and record ids: fleets syncing with one daemon need
        /// different seeds, or their laptops would be the same replicas.
        var seed: UInt64 = 3_000
    }

    /// How the syncs went.
    struct Result: Codable {
        /// One laptop's sync.
        struct Sync: Codable {
            var wave: Int
            /// From the first try's start to the end of the one that completed (or the last), pauses included.
            var seconds: Double
            var tries: Int
            var completed: Bool
            /// The last failed try's error code (`unavailable` for a full daemon).
            var failure: String?
            var pushed: Int
            var pulled: Int
        }

        var syncs: [Sync]
        /// The fleet's CPU seconds (user and system) from `go` to its last sync's end: the syncs, and
        /// each laptop opening its replica and reading its status before, as `gridsync sync` does.
        var cpuSeconds: Double
        /// Seconds from `go` to the last sync's end.
        var seconds: Double
    }

    /// A refused try (`unavailable`: the daemon is full) is made again after this pause, as a worker taps
    /// "sync" again; up to `tries` tries.
    static let pause = Duration.seconds(1)
    static let tries = 10

    // MARK: - The fleet's process

    /// Runs the fleet of `plan`: makes the replicas in `folder`, says `ready`, waits for `go` on standard
    /// input, syncs, and writes the result to `output`.
    static func run(plan: Plan, folder: URL, output: URL) async throws {
        var rng = SeededGenerator(seed: plan.seed)
        let generator = EditGenerator()
        for (index, laptop) in plan.laptops.enumerated() {
            let scopes = laptop.scopes.compactMap(GridScope.init)
            guard let worker = WorkerID(laptop.worker), let first = scopes.first, scopes.count == laptop.scopes.count
            else { throw BenchFailure("the plan's laptop \(index) has a bad worker or scope") }
            let store = try SQLiteReplicaStore.create(
                in: replica(index, in: folder).path,
                identity: ReplicaIdentity(replica: .random(using: &rng), worker: worker, scopes: scopes))
            for _ in 0..<laptop.demands {
                _ = try await store.write(
                    RecordChange(
                        record: RecordID(using: &rng), target: .create(.demand, in: first),
                        edits: generator.newRecord(.demand, in: first, using: &rng)))
            }
        }
        let tls = try DaemonProcess.clientTLS(pinning: plan.fingerprint)
        FileHandle.standardOutput.write(Data("ready\n".utf8))
        guard readLine() == "go" else { throw BenchFailure("the fleet was not told to go") }

        let start = ContinuousClock.now
        let cpu = cpuSeconds(ofProcess: getpid())
        let waves = Dictionary(grouping: plan.laptops.indices) { plan.laptops[$0].wave }
        let syncs = try await withThrowingTaskGroup(of: [Result.Sync].self) { group in
            for (wave, members) in waves {
                group.addTask {
                    try await Task.sleep(until: start + .milliseconds(Int(Double(wave) * plan.waveInterval * 1000)))
                    // The wave's laptops open their replicas and read their status, as `gridsync sync` does
                    // before it connects; each sync is timed from its connection on.
                    var stores: [SQLiteReplicaStore] = []
                    for index in members {
                        let store = try SQLiteReplicaStore.open(in: replica(index, in: folder).path)
                        _ = try await store.status()
                        stores.append(store)
                    }
                    return await withTaskGroup(of: Result.Sync.self) { waveSyncs in
                        for (index, store) in zip(members, stores) {
                            waveSyncs.addTask {
                                await sync(
                                    store, token: plan.laptops[index].token, port: plan.ports[index % plan.ports.count],
                                    tls: tls, wave: wave)
                            }
                        }
                        return await waveSyncs.reduce(into: []) { $0.append($1) }
                    }
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        let result = Result(
            syncs: syncs, cpuSeconds: cpuSeconds(ofProcess: getpid()) - cpu, seconds: start.duration(to: .now).seconds)
        try JSONEncoder().encode(result).write(to: output)
    }

    /// One laptop's sync, tried again after a refusal for a full daemon.
    private static func sync(
        _ store: SQLiteReplicaStore, token: String, port: Int, tls: ClientTLS?, wave: Int
    ) async -> Result.Sync {
        var result = Result.Sync(wave: wave, seconds: 0, tries: 0, completed: false, pushed: 0, pulled: 0)
        let start = ContinuousClock.now
        while result.tries < tries {
            result.tries += 1
            do {
                let outcome = try await syncOnce(store, token: token, port: port, tls: tls)
                result.completed = true
                result.failure = nil
                result.pushed = outcome.summary.pushed
                result.pulled = outcome.summary.pulled
                break
            } catch let failure as ClientSync.Failure {
                result.failure = "\(failure.error.code)"
                guard failure.error.code == .unavailable else { break }
            } catch {
                result.failure = "\(error)"
                break
            }
            try? await Task.sleep(for: pause)
        }
        result.seconds = start.duration(to: .now).seconds
        return result
    }

    private static func replica(_ index: Int, in folder: URL) -> URL {
        folder.appendingPathComponent("laptop-\(index)")
    }

    // MARK: - The benchmark's side

    /// What the benchmark's process measured of one fleet's run.
    struct Run {
        var result: Result
        /// The daemon's CPU seconds over the syncs.
        var daemonCPUSeconds: Double

        var completed: [Result.Sync] { result.syncs.filter(\.completed) }

        /// The daemon's CPU milliseconds a sync.
        var daemonMilliseconds: Double { daemonCPUSeconds * 1000 / Double(result.syncs.count) }

        /// The laptops' CPU milliseconds a sync, opening the replica included.
        var laptopMilliseconds: Double { result.cpuSeconds * 1000 / Double(result.syncs.count) }

        /// The `q` quantile (0.5, 0.99) of the completed syncs' times.
        func quantile(_ q: Double) -> Double {
            let times = completed.map(\.seconds).sorted()
            guard !times.isEmpty else { return .nan }
            return times[min(times.count - 1, Int(Double(times.count) * q))]
        }
    }

    /// Starts the fleet of `plan` in a process of its own (this executable, `fleet`; on the CPUs `cpus`
    /// only, if given), waits until it is ready, lets it go and waits for its result, noting the CPU
    /// that `daemon` spent meanwhile.
    static func drive(_ plan: Plan, daemon: DaemonProcess, cpus: String? = nil) throws -> Run {
        try drive(plan, daemons: [daemon], cpus: cpus)
    }

    /// Drives the fleet of `plan` as ``drive(_:daemon:cpus:)`` does, noting the CPU all of `daemons` spent.
    static func drive(_ plan: Plan, daemons: [DaemonProcess], cpus: String? = nil) throws -> Run {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "gridsync-fleet-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let planFile = folder.appendingPathComponent("plan.json")
        let resultFile = folder.appendingPathComponent("result.json")
        try JSONEncoder().encode(plan).write(to: planFile)

        let fleet = Process()
        (fleet.executableURL, fleet.arguments) = pinned(
            URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath(),
            ["fleet", "--plan", planFile.path, "--folder", folder.path, "--out", resultFile.path], to: cpus)
        let input = Pipe()
        let output = Pipe()
        fleet.standardInput = input
        fleet.standardOutput = output
        try fleet.run()
        var said = Data()
        while !said.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { break }
            said += chunk
        }
        guard String(decoding: said, as: UTF8.self).hasPrefix("ready") else {
            fleet.waitUntilExit()
            throw BenchFailure("the laptops' process did not start (exit \(fleet.terminationStatus))")
        }
        let daemonsCPU = { daemons.map { cpuSeconds(ofProcess: $0.process.processIdentifier) }.reduce(0, +) }
        let cpu = daemonsCPU()
        input.fileHandleForWriting.write(Data("go\n".utf8))
        fleet.waitUntilExit()
        let daemonCPU = daemonsCPU() - cpu
        guard fleet.terminationStatus == 0 else {
            throw BenchFailure("the laptops' process failed (exit \(fleet.terminationStatus))")
        }
        let result = try JSONDecoder().decode(Result.self, from: Data(contentsOf: resultFile))
        return Run(result: result, daemonCPUSeconds: daemonCPU)
    }
}
