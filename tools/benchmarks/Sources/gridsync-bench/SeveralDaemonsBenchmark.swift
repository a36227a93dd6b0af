import Foundation
import GridTesting

/// Several daemons on one PostgreSQL against one daemon on its folder's SQLite, in the same
/// run: laptops pushing a day's work at once (the daemons' push throughput), and 500 laptops
/// syncing at once (p99), spread over the daemons as a TCP front spreads them.
enum SeveralDaemonsBenchmark {
    /// One arrangement of daemons.
    struct Arrangement {
        let name: String
        /// How many daemons; on PostgreSQL if `postgres`.
        let daemons: Int
        let postgres: Bool
    }

    /// What one arrangement did.
    struct Outcome {
        var opsPerSecond: Double
        var pushP99: Double
        var p50: Double
        var p99: Double
        var daemonMilliseconds: Double
        /// PostgreSQL's CPU milliseconds a sync (its server processes), 0 on SQLite.
        var databaseMilliseconds: Double
        /// The laptops' CPU milliseconds a sync.
        var laptopMilliseconds: Double
    }

    /// Runs every arrangement; `postgres` is a URL whose user may create databases.
    static func run(postgres: String, daemon executable: URL, clients: Int, pushers: Int, demands: Int) async throws
        -> [Figure]
    {
        let arrangements = [
            Arrangement(name: "1 daemon, SQLite", daemons: 1, postgres: false),
            Arrangement(name: "1 daemon, PostgreSQL", daemons: 1, postgres: true),
            Arrangement(name: "2 daemons, PostgreSQL", daemons: 2, postgres: true),
            Arrangement(name: "3 daemons, PostgreSQL", daemons: 3, postgres: true),
        ]
        var outcomes: [Outcome] = []
        for arrangement in arrangements {
            let outcome = try await measure(
                arrangement, postgres: postgres, executable: executable, clients: clients, pushers: pushers,
                demands: demands)
            print(
                String(
                    format: "%@: push %.0f ops/s (p99 %.2f s); %d laptops at once p50 %.2f s, p99 %.2f s; "
                        + "CPU a sync: daemons %.1f ms, PostgreSQL %.1f ms, laptops %.1f ms",
                    arrangement.name, outcome.opsPerSecond, outcome.pushP99, clients, outcome.p50, outcome.p99,
                    outcome.daemonMilliseconds, outcome.databaseMilliseconds, outcome.laptopMilliseconds))
            outcomes.append(outcome)
        }
        let base = outcomes[0]
        var figures: [Figure] = []
        for (arrangement, outcome) in zip(arrangements, outcomes).dropFirst() {
            let ratio = outcome.opsPerSecond / base.opsPerSecond
            figures.append(
                Figure(
                    name: "push, \(pushers) laptops at once: \(arrangement.name)",
                    measured: String(format: "%.0f ops/s", outcome.opsPerSecond),
                    baseline: String(format: "%.0f ops/s, 1 daemon on SQLite", base.opsPerSecond), ratio: ratio,
                    target: arrangement.daemons == 2 ? "≥ 1" : nil, met: arrangement.daemons == 2 ? ratio >= 1 : nil))
            figures.append(
                Figure(
                    name: "\(clients) laptops at once: \(arrangement.name), p99",
                    measured: String(format: "%.2f s (p50 %.2f s)", outcome.p99, outcome.p50),
                    baseline: String(format: "%.2f s, 1 daemon on SQLite", base.p99), ratio: base.p99 / outcome.p99,
                    target: arrangement.daemons == 2 ? "≥ 1" : nil,
                    met: arrangement.daemons == 2 ? outcome.p99 <= base.p99 : nil))
        }
        return figures
    }

    /// Starts the arrangement's daemons (a new database for PostgreSQL), adds the laptops'
    /// accounts, and runs the two fleets.
    static func measure(
        _ arrangement: Arrangement, postgres: String, executable: URL, clients: Int, pushers: Int, demands: Int
    ) async throws -> Outcome {
        let store = arrangement.postgres ? try database(in: postgres) : nil
        let first = try DaemonProcess(executable: executable, store: store)
        // Every daemon presents the first one's certificate, as behind one address.
        let certificate = [
            "GRIDSYNCD_TLS_CERTIFICATE": first.data.appendingPathComponent("tls/certificate.pem").path,
            "GRIDSYNCD_TLS_KEY": first.data.appendingPathComponent("tls/key.pem").path,
        ]
        var daemons = [first]
        for _ in 1..<arrangement.daemons {
            daemons.append(try DaemonProcess(executable: executable, environment: certificate, store: store))
        }
        defer { for daemon in daemons { daemon.stop() } }
        let street = StreetFixture.xStreet
        let data = first.data
        let tokens = try await BlockingWork.run(clients + pushers, threads: 4) { index in
            let grid = street.grids[index % street.grids.count].scope.description
            return try DaemonProcess.addWorker(
                String(format: "p%04d", index + 1), scopes: [grid], executable: executable, data: data, store: store)
        }
        let laptops = tokens.enumerated().map { index, token in
            LaptopFleet.Plan.Laptop(
                worker: String(format: "p%04d", index + 1),
                scopes: [street.grids[index % street.grids.count].scope.description], token: token,
                demands: index < pushers ? demands : 1, wave: 0)
        }
        let ports = daemons.map(\.port)
        let push = try LaptopFleet.drive(
            .init(
                laptops: Array(laptops.prefix(pushers)), waveInterval: 0, ports: ports, fingerprint: first.fingerprint),
            daemons: daemons)
        let databaseBefore = arrangement.postgres ? postgresCPUSeconds() : 0
        let many = try LaptopFleet.drive(
            .init(
                laptops: Array(laptops.dropFirst(pushers)), waveInterval: 0, ports: ports,
                fingerprint: first.fingerprint,
                seed: 3_001),
            daemons: daemons)
        let databaseSeconds = arrangement.postgres ? postgresCPUSeconds() - databaseBefore : 0
        for run in [push, many] where run.completed.count != run.result.syncs.count {
            let failures = Dictionary(grouping: run.result.syncs.compactMap(\.failure)) { $0 }.mapValues(\.count)
            throw BenchFailure(
                "\(arrangement.name): \(run.result.syncs.count - run.completed.count) syncs failed: \(failures)")
        }
        let pushed = push.result.syncs.map(\.pushed).reduce(0, +)
        return Outcome(
            opsPerSecond: Double(pushed) / push.result.seconds, pushP99: push.quantile(0.99), p50: many.quantile(0.5),
            p99: many.quantile(0.99), daemonMilliseconds: many.daemonMilliseconds,
            databaseMilliseconds: databaseSeconds * 1000 / Double(many.result.syncs.count),
            laptopMilliseconds: many.laptopMilliseconds)
    }

    /// The CPU seconds of every PostgreSQL server process on this machine (`postgres` and its
    /// backends): the database's share of the work, on the same two cores.
    static func postgresCPUSeconds() -> Double {
        let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.compactMap(Int32.init) ?? []
        return pids.filter { pid in
            (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?.hasPrefix("postgres") == true
        }.map(cpuSeconds(ofProcess:)).reduce(0, +)
    }

    /// A new database in the server of `url` (whose user may create databases), by `psql`.
    static func database(in url: String) throws -> String {
        guard var components = URLComponents(string: url) else { throw BenchFailure("not a postgres:// URL: \(url)") }
        let name = "gridsync_bench_\(UUID().uuidString.prefix(8).lowercased())"
        let psql = Process()
        psql.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        psql.arguments = [url, "-q", "-c", "CREATE DATABASE \(name)"]
        try psql.run()
        psql.waitUntilExit()
        guard psql.terminationStatus == 0 else { throw BenchFailure("psql could not make a database in \(url)") }
        components.path = "/" + name
        return components.string!
    }
}
