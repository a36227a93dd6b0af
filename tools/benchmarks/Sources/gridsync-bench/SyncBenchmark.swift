import Foundation
import GridMerge
import GridModel
import GridNet
import GridStore
import GridTesting

/// Whole syncs: the first sync of a fresh replica for a busy grid, 500 laptops syncing at
/// once against the real daemon, and a sync with nothing to exchange.
enum SyncBenchmark {
    static let grid = GridScope("c01/g01")!

    /// A workload of about `ops` ops, every record moved into one grid.
    static func oneGrid(ops: Int) -> [Op] {
        Workload.demandEdits(count: ops / 2, records: ops / 10, kind: nil, seed: 20_261_130).map { op in
            Op(
                id: op.id, clock: op.clock, author: op.author, recordType: op.recordType, recordID: op.recordID,
                scope: grid, field: op.field, payload: op.payload, parents: op.parents)
        }
    }

    static func folder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("gridsync-bench-\(UUID().uuidString)")
    }

    // MARK: - First sync

    static func firstSync(ops count: Int) async throws -> [Figure] {
        let root = folder()
        defer { try? FileManager.default.removeItem(at: root) }
        let ops = oneGrid(ops: count)
        let wall = ManualWallClock(milliseconds: 1_893_456_000_000)
        let server = try SQLiteReplicaStore.create(
            in: root.appendingPathComponent("server").path,
            identity: ReplicaIdentity(replica: .random(), worker: WorkerID("gridsyncd")!, scopes: []), wallClock: wall)
        _ = try await server.ingest(ops)
        let local = try SQLiteReplicaStore.create(
            in: root.appendingPathComponent("local").path,
            identity: ReplicaIdentity(replica: .random(), worker: WorkerID("w099")!, scopes: [grid]), wallClock: wall)
        let ingest = try await seconds { _ = try await local.ingest(ops) }

        let laptop = try SQLiteReplicaStore.create(
            in: root.appendingPathComponent("laptop").path,
            identity: ReplicaIdentity(replica: .random(), worker: WorkerID("w099")!, scopes: [grid]), wallClock: wall)
        let daemon = try await InProcessDaemon(store: server, worker: WorkerID("w099")!, scopes: [grid])
        var outcome: ClientSync.Outcome?
        // Until the laptop's records have taken in what it pulled, as `gridsync sync` waits for its summary.
        var merged = 0
        var pulled = Duration.zero
        let sync = try await seconds {
            let start = ContinuousClock.now
            outcome = try await daemon.sync(laptop)
            pulled = ContinuousClock.now - start
            merged = try await laptop.underivedCount()
            _ = try await laptop.status()
        }
        try await daemon.stop()
        guard let outcome, outcome.summary.pulled == ops.count else { throw BenchFailure("the first sync missed ops") }
        print(
            "First sync of a fresh replica for a grid of \(ops.count) ops: \(String(format: "%.2f", sync)) s "
                + "(pulled in \(String(format: "%.2f", pulled.seconds)) s), "
                + "\(outcome.wireBytesIn) bytes received (\(String(format: "%.1f", Double(outcome.wireBytesIn) / Double(ops.count))) bytes/op); "
                + "local bulk ingest of the same ops \(String(format: "%.2f", ingest)) s; "
                + "\(merged) pulled ops merged into the records after the last batch")
        return [
            Figure(
                name: "first sync of a fresh replica, grid of \(ops.count / 1000)k ops",
                measured: String(format: "%.1f s, %.1f MB", sync, Double(outcome.wireBytesIn) / 1e6),
                baseline: String(format: "%.1f s local ingest", ingest), ratio: ingest / sync,
                target: "≥ 0.5 and < 2 s", met: ingest / sync >= 0.5 && sync < 2)
        ]
    }

    // MARK: - An office laptop's first sync

    /// A fresh office laptop (every community of the street) syncs with a daemon holding the year in `folder`
    /// (`gridsync-bench year --out FOLDER`), until its records have taken in what it pulled; against the same ops
    /// ingested locally, read from the daemon's store 100,000 at a time, each group in one transaction.
    static func officeFirstSync(year folder: URL) async throws -> [Figure] {
        let root = Self.folder()
        defer { try? FileManager.default.removeItem(at: root) }
        let server = try SQLiteReplicaStore.open(in: folder.path)
        let scopes = StreetFixture.xStreet.communities.map { GridScope(community: $0.id) }
        let worker = WorkerID("office-2")!
        let total = try await server.status().opCount

        // The year's last ops may be stamped a little after this machine's clock: ingest as if later.
        let local = try SQLiteReplicaStore.create(
            in: root.appendingPathComponent("local").path,
            identity: ReplicaIdentity(replica: .random(), worker: worker, scopes: scopes),
            wallClock: ManualWallClock(milliseconds: 1_893_456_000_000))
        let ingest = try await seconds {
            var after: Int64 = 0
            while true {
                let batch = try await server.batch(after: after, limit: 100_000, scopes: scopes, writers: .all)
                _ = try await local.ingest(batch.ops)
                after = batch.through
                if !batch.more { break }
            }
        }
        let laptop = try SQLiteReplicaStore.create(
            in: root.appendingPathComponent("laptop").path,
            identity: ReplicaIdentity(replica: .random(), worker: worker, scopes: scopes))
        let daemon = try await InProcessDaemon(store: server, worker: worker, scopes: scopes)
        var outcome: ClientSync.Outcome?
        var pulled = Duration.zero
        let sync = try await seconds {
            let start = ContinuousClock.now
            outcome = try await daemon.sync(laptop)
            pulled = ContinuousClock.now - start
            _ = try await laptop.status()
        }
        try await daemon.stop()
        guard let outcome, outcome.summary.pulled == total else {
            throw BenchFailure("the office laptop pulled \(outcome?.summary.pulled ?? 0) of \(total) ops")
        }
        print(
            String(
                format: "An office laptop's first sync of a year of the street (%d ops): %.1f s (pulled in %.1f s, "
                    + "then its records caught up), %.1f MB received; local ingest of the same ops %.1f s",
                total, sync, pulled.seconds,
                Double(outcome.wireBytesIn) / 1e6, ingest))
        return [
            Figure(
                name: "first sync of an office laptop, a year of a street (\(total / 1000)k ops)",
                measured: String(format: "%.1f s, %.1f MB", sync, Double(outcome.wireBytesIn) / 1e6),
                baseline: String(format: "%.1f s local ingest", ingest), ratio: ingest / sync, target: "< 10 s",
                met: sync < 10)
        ]
    }

    // MARK: - Many laptops at once

    /// `clients` laptops syncing at once with the real daemon, driven from a process of their own
    /// (``LaptopFleet``): each pushes one new demand and pulls those of its grid.
    /// With `pin`, the daemon runs on the first CPU and the laptops on the others.
    static func concurrentClients(_ clients: Int, daemon executable: URL, pin: Bool = false) async throws -> [Figure] {
        let cpus = pin ? CPUSplit() : nil
        let daemon = try DaemonProcess(executable: executable, cpus: cpus?.daemon)
        defer { daemon.stop() }
        // One account per laptop, as in a street office (the daemon lets one worker's token hold a few
        // connections at once), the laptops spread over the street's grids: each pulls the few
        // demands of its grid's other laptops, a small batch.
        let street = StreetFixture.xStreet
        var laptops: [LaptopFleet.Plan.Laptop] = []
        for index in 0..<clients {
            let worker = String(format: "b%03d", index + 1)
            let grid = street.grids[index % street.grids.count].scope.description
            let token = try daemon.addWorker(worker, scopes: [grid], executable: executable)
            laptops.append(.init(worker: worker, scopes: [grid], token: token, demands: 1, wave: 0))
        }
        let run = try LaptopFleet.drive(
            .init(laptops: laptops, waveInterval: 0, ports: [daemon.port], fingerprint: daemon.fingerprint),
            daemon: daemon, cpus: cpus?.laptops)
        guard run.completed.count == clients else {
            let failures = Dictionary(grouping: run.result.syncs.compactMap(\.failure)) { $0 }.mapValues(\.count)
            throw BenchFailure("\(clients - run.completed.count) of \(clients) syncs failed: \(failures)")
        }
        let p50 = run.quantile(0.5)
        let p99 = run.quantile(0.99)
        let memory = Double(daemon.peakMemory) / 1_048_576
        print(
            "\(clients) laptops syncing at once, from a process of their own\(cpus?.description ?? "") (each pushes one new demand and pulls those "
                + "of its grid): "
                + String(
                    format:
                        "p50 %.3f s, p99 %.3f s, max %.3f s; daemon peak memory %.0f MB; CPU per sync: daemon %.1f ms, "
                        + "laptop %.1f ms (opening its replica included)",
                    p50, p99, run.quantile(1), memory, run.daemonMilliseconds,
                    run.laptopMilliseconds))
        return [
            Figure(
                name: "\(clients) laptops at once\(cpus?.description ?? ""): p99 sync time",
                measured: String(format: "%.2f s (p50 %.2f s)", p99, p50),
                baseline: String(format: "%.1f ms daemon CPU a sync", run.daemonMilliseconds),
                ratio: nil, target: "< 1 s", met: p99 < 1),
            Figure(
                name: "\(clients) laptops at once\(cpus?.description ?? ""): daemon peak memory",
                measured: String(format: "%.0f MB", memory),
                baseline: "-", ratio: nil, target: "< 200 MB", met: memory < 200),
        ]
    }

    // MARK: - Nothing to exchange

    static func noopSync(rounds: Int) async throws -> [Figure] {
        let root = folder()
        defer { try? FileManager.default.removeItem(at: root) }
        let server = try SQLiteReplicaStore.create(
            in: root.appendingPathComponent("server").path,
            identity: ReplicaIdentity(replica: .random(), worker: WorkerID("gridsyncd")!, scopes: []))
        let laptop = try SQLiteReplicaStore.create(
            in: root.appendingPathComponent("laptop").path,
            identity: ReplicaIdentity(replica: .random(), worker: WorkerID("w001")!, scopes: [grid]))
        let daemon = try await InProcessDaemon(store: server, worker: WorkerID("w001")!, scopes: [grid])
        _ = try await daemon.sync(laptop)
        let sync = try await seconds { for _ in 0..<rounds { _ = try await daemon.sync(laptop) } } / Double(rounds)
        try await daemon.stop()
        let echo = try EchoServer()
        let roundTrip = try echo.connectAndRoundTrip(rounds: rounds)
        print(
            String(
                format: "A sync with nothing to exchange: %.2f ms; a loopback connect and round trip: %.3f ms",
                sync * 1000, roundTrip * 1000))
        return [
            Figure(
                name: "sync with nothing to exchange", measured: String(format: "%.2f ms", sync * 1000),
                baseline: String(format: "%.3f ms connect + round trip", roundTrip * 1000), ratio: roundTrip / sync,
                target: nil, met: nil)
        ]
    }
}

/// A loopback echo server on a blocking socket: the baseline of a connection and one round trip.
final class EchoServer: @unchecked Sendable {
    private let listener: Int32
    let port: Int

    init() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(listener, pointer, length) == 0 && listen(listener, 16) == 0
                    && getsockname(listener, pointer, &length) == 0
            }
        }
        guard bound else { throw BenchFailure("the echo server cannot listen") }
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread {
            var buffer = [UInt8](repeating: 0, count: 64)
            while true {
                let client = accept(listener, nil, nil)
                guard client >= 0 else { return }
                let count = read(client, &buffer, buffer.count)
                if count > 0 { _ = write(client, buffer, count) }
                close(client)
            }
        }.start()
    }

    /// The mean time to connect, send a line and read it back.
    func connectAndRoundTrip(rounds: Int) throws -> Double {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var buffer = [UInt8](repeating: 0, count: 64)
        return try seconds {
            for _ in 0..<rounds {
                let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                let connected = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
                guard connected == 0, write(fd, "BYE\n", 4) == 4, read(fd, &buffer, buffer.count) > 0 else {
                    close(fd)
                    throw BenchFailure("the echo round trip failed")
                }
                close(fd)
            }
        } / Double(rounds)
    }
}
