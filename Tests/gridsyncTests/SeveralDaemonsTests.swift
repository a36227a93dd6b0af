import Foundation
import GridTesting
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Several `gridsyncd` on one PostgreSQL, as a district runs them behind one address: laptops
/// of two grids and the office sync through whichever daemon they reach, links drop, one
/// daemon is killed mid-sync, and nothing is lost or repeated.
@Suite(.enabled(if: TestPostgres.server != nil, "GRIDSYNC_TEST_POSTGRES is not set"))
struct SeveralDaemonsTests {
    @Test func laptopsSyncingThroughAnyOfThreeDaemonsAgreeWithTheDatabase() throws {
        let store = try TestPostgres.database()
        // Every daemon presents the same certificate: laptops pin one fingerprint.
        let daemons = try DaemonProcess.onOneDatabase(3, store: store)
        let first = daemons[0]
        defer { for daemon in daemons { daemon.cleanUp() } }
        #expect(Set(daemons.map(\.fingerprint)).count == 1)

        // Accounts made through one daemon work on all.
        let laptops = [
            try FieldLaptop(daemon: daemons[0], worker: "w001", scope: "c01/g01"),
            try FieldLaptop(daemon: daemons[1], worker: "w002", scope: "c01/g01"),
            try FieldLaptop(daemon: daemons[2], worker: "w003", scope: "c01/g02"),
            try FieldLaptop(daemon: daemons[0], worker: "o001", scope: "c01", role: "office"),
        ]
        defer { for laptop in laptops { laptop.cleanUp() } }
        var rng = SeededGenerator(seed: 0x7365_7665)
        var titles: [String] = []
        var alive = daemons
        var cut = 0
        for round in 0..<6 {
            for (index, laptop) in laptops.enumerated() where laptop.scope != "c01" {
                let title = "楼道堆物清理 第\(round)轮 \(laptop.worker)"
                _ = try laptop.addDemand(title)
                titles.append(title)
                // Both laptops of c01/g01 set the urgency of their oldest demand, each its own
                // value, before either has the other's: a real conflict, open at the end.
                if round > 0, index < 2, let shared = try laptop.sharedDemand(in: "c01/g01") {
                    try laptop.update(shared, "--urgency", index == 0 ? "urgent" : "pressing")
                }
            }
            if round == 3 {
                // A daemon killed with kill -9 while a laptop's sync is connected to it (its metrics
                // count the connection); the others serve on. A sync that finished before the kill
                // struck is tried again on the daemon restarted.
                var victim = alive.remove(at: 1)
                var struck = false
                for attempt in 0..<5 where !struck {
                    // A day's work to push, so that the sync lasts long enough to be struck.
                    for visit in 0..<20 { _ = try laptops[0].addDemand("第\(attempt)次 楼道堆物 \(visit)") }
                    let sync = try laptops[0].gridsync.start(
                        ["sync", "--server", victim.address, "--token-file", laptops[0].tokenFile.path]
                            + laptops[0].trust)
                    sync.standardOutput = FileHandle.nullDevice
                    sync.standardError = FileHandle.nullDevice
                    try sync.run()
                    let deadline = Date().addingTimeInterval(10)
                    while sync.isRunning, try victim.openConnections() == 0, Date() < deadline {}
                    kill(victim.processIdentifier, SIGKILL)
                    sync.waitUntilExit()
                    struck = sync.terminationStatus != 0
                    if !struck { victim = try victim.restarted() }
                }
                #expect(struck, "a daemon was killed while a laptop synced through it")
            }
            for laptop in laptops {
                let daemon = alive.randomElement(using: &rng)!
                if Int.random(in: 0..<4, using: &rng) == 0 {
                    // A link that drops mid-sync: the sync fails, the next one completes it.
                    let proxy = try CuttingProxy(
                        upstreamPort: daemon.port, cutAfter: Int.random(in: 200...4_000, using: &rng),
                        cutReplyAfter: Int.random(in: 200...8_000, using: &rng))
                    _ = try laptop.gridsync.run(
                        ["sync", "--server", "127.0.0.1:\(proxy.port)", "--token-file", laptop.tokenFile.path]
                            + laptop.trust)
                    cut += 1
                } else {
                    try laptop.sync(through: daemon.address)
                }
            }
        }
        // Everyone syncs until nothing moves, through daemons picked at random.
        for _ in 0..<2 {
            for laptop in laptops { try laptop.sync(through: alive.randomElement(using: &rng)!.address) }
        }
        #expect(cut > 0)

        // What the database holds, as a new laptop of each scope pulls it through the last daemon.
        for laptop in laptops {
            let witness = try FieldLaptop(
                daemon: alive.last!, worker: "x\(laptop.worker)", scope: laptop.scope,
                role: laptop.scope == "c01" ? "office" : "worker")
            defer { witness.cleanUp() }
            try witness.sync()
            let expected = try witness.export()
            #expect(try laptop.export() == expected, "\(laptop.name)'s laptop differs from the database")
            #expect(try laptop.unsent() == 0)
        }
        // Each demand once, wherever it was pushed or pulled.
        let office = try laptops[3].export()
        for title in titles {
            #expect(office.filter { $0.contains("\"title\":\"\(title)\"") }.count == 1, "\(title)")
        }
        for laptop in laptops where laptop.scope != "c01/g02" {
            #expect(try laptop.status()["conflictCount"] as? Int == 1, "\(laptop.name) holds the open conflict")
        }

        // The database's records, as the office's tools derive them from its op log, equal every
        // laptop's of its scope, the open conflict included; and the statisticians' table agrees.
        let database = try TestPostgres.records(of: store)
        defer { database.cleanUp() }
        #expect(database.conflicts.count == 1 && database.conflicts.first?["field"] as? String == "urgency")
        for laptop in laptops {
            let expected = database.export.filter { $0.contains("\"scope\":\"\(laptop.scope)") }
            #expect(try laptop.export() == expected, "\(laptop.name)'s laptop differs from the database's records")
        }
        let demands = database.export.filter { $0.contains("\"type\":\"demand\"") }
        let table = try TestPostgres.demandsTable(of: store, through: try TestPostgres.logHead(of: store))
        #expect(table.count == demands.count)
        #expect(table.filter { $0.conflicted == "{urgency}" }.count == 1)
        #expect(Set(table.map(\.title)).isSuperset(of: titles))

        // The monthly report read from the database equals the one the office laptop makes of its
        // own replica (the same records, another store).
        let month = ["report", "--month", Self.thisMonth(), "--community", "c01", "--format", "json"]
        let report = try TestPostgres.inspect(store, month, cache: database.cache)
        let officeReport = try GridsyncBinary.run(
            executable: GridsyncBinary.executable.deletingLastPathComponent().appendingPathComponent(
                "gridsync-inspect"),
            month + ["--data", laptops[3].gridsync.data.path], environment: [:])
        #expect(report.status == 0 && officeReport.status == 0, "\(report.error) \(officeReport.error)")
        #expect(report.output == officeReport.output)

        // The office settles the conflict through the database; every laptop receives the
        // decision through whichever daemon it reaches, and the table sees it settled.
        let conflicted = try #require(database.conflicts.first?["record"] as? String)
        let settled = try TestPostgres.inspect(
            store, ["resolve", conflicted, "urgency", "--pick", "1", "--reason", "以社区意见为准", "--as", "o001"],
            cache: database.cache)
        #expect(settled.status == 0, "\(settled.error)")
        for laptop in laptops { try laptop.sync(through: alive.randomElement(using: &rng)!.address) }
        for laptop in laptops {
            #expect(try laptop.status()["conflictCount"] as? Int == 0, "\(laptop.name) still holds the conflict")
        }
        let after = try TestPostgres.demandsTable(of: store, through: try TestPostgres.logHead(of: store))
        #expect(after.allSatisfy { $0.conflicted == "{}" })

        // How far behind each laptop is, counted in the database's own log: nothing, until w001
        // records a demand; then its grid's other laptop and the office lack that demand's ops.
        func behind() throws -> [String: Int] {
            let devices = try TestPostgres.inspect(store, ["devices", "--json"], cache: database.cache)
            #expect(devices.status == 0, "\(devices.error)")
            let rows = try JSONSerialization.jsonObject(with: Data(devices.output.utf8)) as? [[String: Any]] ?? []
            var counts: [String: Int] = [:]
            for row in rows {
                guard let worker = (row["device"] as? [String: Any])?["worker"] as? String else { continue }
                counts[worker] = row["behind"] as? Int
            }
            return counts
        }
        let caughtUp = try behind()
        #expect(laptops.allSatisfy { caughtUp[$0.worker] == 0 }, "\(caughtUp)")
        _ = try laptops[0].addDemand("路灯不亮")
        let sent = try laptops[0].unsent()
        try laptops[0].sync(through: alive[0].address)
        let lagging = try behind()
        #expect(lagging["w001"] == 0 && lagging["w003"] == 0, "\(lagging)")
        #expect(sent > 0 && lagging["w002"] == sent && lagging["o001"] == sent, "\(lagging)")
    }

    /// This month in the office's time zone, `YYYY-MM`.
    static func thisMonth() -> String {
        let parts = Calendar(identifier: .gregorian).dateComponents([.year, .month], from: Date())
        return String(format: "%04d-%02d", parts.year!, parts.month!)
    }
}

extension SeveralDaemonsTests {
    @Test func aLaptopGivenTheDaemonsAsAListTriesThemInTurn() throws {
        let store = try TestPostgres.database()
        let daemons = try DaemonProcess.onOneDatabase(3, store: store)
        let first = daemons[0]
        defer { for daemon in daemons { daemon.cleanUp() } }
        let laptop = try FieldLaptop(daemon: first, worker: "w001", scope: "c01/g01")
        defer { laptop.cleanUp() }
        let list = daemons.map(\.address).joined(separator: ",")
        func sync() throws -> GridsyncBinary.Result {
            try laptop.gridsync.run(
                ["sync", "--server", list, "--token-file", laptop.tokenFile.path, "--json"] + laptop.trust)
        }
        func server(of result: GridsyncBinary.Result) -> String? {
            (try? JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])?["server"] as? String
        }
        _ = try laptop.addDemand("楼道堆物清理")
        let served = try sync()
        #expect(served.status == 0 && server(of: served) == daemons[0].address, "\(served.error)")

        // The first is down for maintenance: the second serves, and the list is kept for next time.
        daemons[0].stop()
        _ = try laptop.addDemand("路灯不亮")
        let second = try sync()
        #expect(second.status == 0 && server(of: second) == daemons[1].address, "\(second.error)")
        #expect(second.error.contains("\(daemons[0].address)") && second.error.contains("trying the next server"))
        daemons[1].stop()
        let kept = try laptop.gridsync.run(["sync", "--json"])
        #expect(kept.status == 0 && server(of: kept) == daemons[2].address, "\(kept.error)")
        #expect(try laptop.unsent() == 0)

        // None answers: the last one's failure, and everything kept.
        daemons[2].stop()
        _ = try laptop.addDemand("停车位不足")
        let none = try sync()
        #expect(none.status != 0 && none.error.contains("cannot reach the server at \(daemons[2].address)"))
        #expect(try laptop.unsent() > 0)

        let bad = try laptop.gridsync.run(["sync", "--server", "\(daemons[0].address),nowhere", "--json"])
        #expect(bad.status != 0 && bad.error.contains("'nowhere' is not host:port"), "\(bad.error)")
    }
}

extension SeveralDaemonsTests {
    @Test func theOperatorsHAProxyFrontSpreadsLaptopsAndPassesOverADaemonThatIsDown() throws {
        let haproxy = URL(fileURLWithPath: "/usr/sbin/haproxy")
        try #require(
            FileManager.default.isExecutableFile(atPath: haproxy.path),
            "haproxy is not installed: run tools/test, or `sudo apt-get install haproxy`")
        let store = try TestPostgres.database()
        let daemons = try DaemonProcess.onOneDatabase(3, store: store, environment: ["GRIDSYNCD_LOG_LEVEL": "info"])
        let first = daemons[0]
        defer { for daemon in daemons { daemon.cleanUp() } }
        let front = try HAProxyFront(executable: haproxy, daemons: daemons)
        defer { front.stop() }

        let laptops = try (1...6).map { index in
            try FieldLaptop(daemon: first, worker: "w00\(index)", scope: "c01/g0\(index % 2 + 1)")
        }
        defer { for laptop in laptops { laptop.cleanUp() } }
        for laptop in laptops {
            _ = try laptop.addDemand("楼道堆物清理 \(laptop.worker)")
            try laptop.sync(through: front.address)
        }
        let serving = daemons.filter { $0.log.contains("msg=\"sync finished\"") }
        #expect(serving.count >= 2, "the front spread the laptops over the daemons")

        // One daemon down for maintenance: once the front's checks see it, syncs go to the others.
        daemons[0].stop()
        Thread.sleep(forTimeInterval: 5)
        for laptop in laptops { try laptop.sync(through: front.address) }
        for laptop in laptops {
            let export = try laptop.export().joined()
            let grid = laptops.filter { $0.scope == laptop.scope }
            #expect(grid.allSatisfy { export.contains("楼道堆物清理 \($0.worker)") }, "\(laptop.name) has its grid's demands")
        }
    }
}

/// Debian's HAProxy, run in the foreground with the operator's `deploy/haproxy.cfg`, its
/// addresses changed to this test's loopback ports.
struct HAProxyFront {
    let process = Process()
    let address: String
    let folder: URL

    init(executable: URL, daemons: [DaemonProcess]) throws {
        let guide = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("deploy/haproxy.cfg")
        var lines = try String(contentsOf: guide, encoding: .utf8).split(
            separator: "\n", omittingEmptySubsequences: false
        )
        .map(String.init)
        let port = Int.random(in: 50_000...59_999)
        // No syslog here; the front's own address and the daemons' ports on loopback.
        lines.removeAll { $0.trimmingCharacters(in: .whitespaces).hasPrefix("log ") }
        lines = lines.map {
            $0.trimmingCharacters(in: .whitespaces) == "bind :7420" ? "    bind 127.0.0.1:\(port)" : $0
        }
        lines.removeAll { $0.trimmingCharacters(in: .whitespaces).hasPrefix("server ") }
        for (index, daemon) in daemons.enumerated() {
            lines.append("    server sync\(index + 1) \(daemon.address) check inter 1s fall 2 rise 2")
        }
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("gridsync-haproxy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let configuration = folder.appendingPathComponent("haproxy.cfg")
        try (lines.joined(separator: "\n") + "\n").write(to: configuration, atomically: true, encoding: .utf8)
        let check = try GridsyncBinary.run(executable: executable, ["-c", "-f", configuration.path], environment: [:])
        guard check.status == 0 else { throw DaemonFailure("haproxy refuses the configuration: \(check.error)") }
        process.executableURL = executable
        process.arguments = ["-db", "-f", configuration.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        address = "127.0.0.1:\(port)"
        Thread.sleep(forTimeInterval: 0.5)
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: folder)
    }
}

extension SeveralDaemonsTests {
    @Test func laptopsRestoredOrCopiedGetTheirEditsBackThroughAnotherDaemon() throws {
        let store = try TestPostgres.database()
        let daemons = try DaemonProcess.onOneDatabase(2, store: store)
        defer { for daemon in daemons { daemon.cleanUp() } }
        let restored = try FieldLaptop(daemon: daemons[0], worker: "w001", scope: "c01/g01")
        defer { restored.cleanUp() }
        _ = try restored.addDemand("楼道堆物清理")
        try restored.sync(through: daemons[0].address)
        let backup = try restored.backUp()
        defer { try? FileManager.default.removeItem(at: backup) }
        let ownBefore = try #require(try restored.status()["ownOpCount"] as? Int)
        _ = try restored.addDemand("路灯不亮")
        try restored.sync(through: daemons[0].address)
        let lost = try #require(try restored.status()["ownOpCount"] as? Int) - ownBefore

        // The older copy put back, synced through the other daemon: it gets its latest edits back.
        try restored.restore(backup)
        let recovery = try restored.gridsync.run(
            ["sync", "--server", daemons[1].address, "--token-file", restored.tokenFile.path, "--json"] + restored.trust
        )
        try #require(recovery.status == 0, "\(recovery.error)")
        let summary = try JSONDecoder().decode(SyncSummary.self, from: Data(recovery.output.utf8))
        #expect(summary.recovered == lost && summary.identity == nil, "recovered \(summary.recovered) of \(lost)")

        // A second laptop made from a copy of the folder writes under the same numbers: the first
        // of the two to sync keeps the identity, the other takes a new one, and nothing is lost.
        let copy = try restored.copy()
        defer { copy.cleanUp() }
        _ = try restored.addDemand("停车位不足")
        _ = try copy.addDemand("高空抛物隐患")
        try restored.sync(through: daemons[1].address)
        let copied = try copy.gridsync.run(
            ["sync", "--server", daemons[0].address, "--token-file", copy.tokenFile.path, "--json"] + copy.trust)
        try #require(copied.status == 0, "\(copied.error)")
        #expect(try JSONDecoder().decode(SyncSummary.self, from: Data(copied.output.utf8)).identity != nil)
        try restored.sync(through: daemons[0].address)
        try copy.sync(through: daemons[1].address)
        let witness = try FieldLaptop(daemon: daemons[1], worker: "w002", scope: "c01/g01")
        defer { witness.cleanUp() }
        try witness.sync()
        let expected = try witness.export()
        for title in ["楼道堆物清理", "路灯不亮", "停车位不足", "高空抛物隐患"] {
            #expect(expected.filter { $0.contains("\"title\":\"\(title)\"") }.count == 1, "\(title)")
        }
        #expect(try restored.export() == expected && copy.export() == expected)
    }
}

extension FieldLaptop {
    /// Syncs through the daemon at `address`; the sync must succeed.
    func sync(through address: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try gridsync.run(["sync", "--server", address, "--token-file", tokenFile.path] + trust)
        #expect(
            result.status == 0, "gridsync sync on \(name)'s laptop through \(address) failed:\n\(result.error)",
            sourceLocation: sourceLocation)
    }

    /// The oldest demand of `grid` this laptop holds, if any.
    func sharedDemand(in grid: String) throws -> String? {
        try export().compactMap { line -> (String, String)? in
            guard let document = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                document["type"] as? String == "demand", document["scope"] as? String == grid,
                let id = document["id"] as? String
            else { return nil }
            return (((document["values"] as? [String: Any])?["title"] as? String) ?? "", id)
        }.sorted { $0.0 < $1.0 }.first?.1
    }
}

/// The PostgreSQL that `tools/test` starts (`GRIDSYNC_TEST_POSTGRES`), and a new database in it
/// for each test that asks, made with `psql`.
enum TestPostgres {
    static let server = ProcessInfo.processInfo.environment["GRIDSYNC_TEST_POSTGRES"]

    /// The database's records as `gridsync-inspect --store` derives them, in a cache of its own.
    struct Records {
        /// `gridsync export --format jsonl` of the inspector's mirror, sorted.
        let export: [String]
        /// `gridsync-inspect conflicts --json`.
        let conflicts: [[String: Any]]
        /// The cache the inspector kept its mirror in.
        let cache: URL

        func cleanUp() {
            try? FileManager.default.removeItem(at: cache)
        }
    }

    /// Runs `gridsync-inspect --store store` with `arguments`, its cache in `cache`.
    static func inspect(_ store: String, _ arguments: [String], cache: URL) throws -> GridsyncBinary.Result {
        try GridsyncBinary.run(
            executable: GridsyncBinary.executable.deletingLastPathComponent().appendingPathComponent(
                "gridsync-inspect"),
            arguments + ["--store", store], environment: ["XDG_CACHE_HOME": cache.path])
    }

    /// The records of the database at `store`, read through the office's inspector.
    static func records(of store: String) throws -> Records {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent(
            "gridsync-inspect-\(UUID().uuidString)")
        let conflicts = try inspect(store, ["conflicts", "--json"], cache: cache)
        #expect(conflicts.status == 0, "gridsync-inspect --store failed: \(conflicts.error)")
        let mirrors = cache.appendingPathComponent("gridsync-inspect")
        let mirror = try #require(try FileManager.default.contentsOfDirectory(atPath: mirrors.path).first)
        let export = try GridsyncBinary.run(
            executable: GridsyncBinary.executable,
            ["export", "--format", "jsonl", "--data", mirrors.appendingPathComponent(mirror).path], environment: [:])
        #expect(export.status == 0, "export of the inspector's mirror failed: \(export.error)")
        return Records(
            export: export.output.split(separator: "\n").map(String.init).sorted(),
            conflicts: try #require(
                try JSONSerialization.jsonObject(with: Data(conflicts.output.utf8)) as? [[String: Any]]),
            cache: cache)
    }

    /// Runs `sql` with psql on `store`, one row per line, columns separated by tabs.
    static func query(_ store: String, _ sql: String) throws -> [[String]] {
        let result = try GridsyncBinary.run(
            executable: URL(fileURLWithPath: "/usr/bin/psql"), [store, "-qAt", "-F", "\t", "-c", sql],
            environment: [:])
        try #require(result.status == 0, "psql failed: \(result.error)")
        return result.output.split(separator: "\n").map {
            $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        }
    }

    /// Puts the database at `store` back from `dump` (`pg_dump -Fc`), as an operator does:
    /// dropped, made again empty, and filled by `pg_restore`.
    static func putBack(_ dump: URL, into store: String) throws {
        let server = try #require(server)
        let name = try #require(URLComponents(string: store)?.path.dropFirst())
        for sql in ["DROP DATABASE \(name) WITH (FORCE)", "CREATE DATABASE \(name) TEMPLATE template0"] {
            let result = try GridsyncBinary.run(
                executable: URL(fileURLWithPath: "/usr/bin/psql"), [server, "-q", "-c", sql], environment: [:])
            try #require(result.status == 0, "psql: \(result.error)")
        }
        let restored = try GridsyncBinary.run(
            executable: URL(fileURLWithPath: "/usr/bin/pg_restore"), ["-d", store, dump.path], environment: [:])
        try #require(restored.status == 0, "pg_restore failed: \(restored.error)")
    }

    /// The last local sequence of the op log.
    static func logHead(of store: String) throws -> Int {
        try #require(Int(try query(store, "SELECT last FROM op_log_head").first?.first ?? ""))
    }

    /// The `demands` table's titles and fields in conflict, once the daemons have written it
    /// through `head` (they do within seconds).
    static func demandsTable(of store: String, through head: Int) throws -> [(title: String, conflicted: String)] {
        let deadline = Date().addingTimeInterval(20)
        while Int(try query(store, "SELECT published_through FROM record_tables").first?.first ?? "") ?? 0 < head {
            try #require(Date() < deadline, "the record tables did not reach the op log's head \(head)")
            Thread.sleep(forTimeInterval: 0.2)
        }
        return try query(store, "SELECT title, conflicted_fields FROM demands").map { ($0[0], $0[1]) }
    }

    /// The URL of a new, empty database.
    static func database() throws -> String {
        let server = try #require(server)
        var url = try #require(URLComponents(string: server))
        let name = "gridsync_e2e_\(UUID().uuidString.prefix(8).lowercased())"
        let result = try GridsyncBinary.run(
            executable: URL(fileURLWithPath: "/usr/bin/psql"),
            [server, "-q", "-c", "CREATE DATABASE \(name) TEMPLATE template0"],
            environment: [:])
        try #require(result.status == 0, "psql could not make a database: \(result.error)")
        url.path = "/" + name
        return try #require(url.string)
    }
}
