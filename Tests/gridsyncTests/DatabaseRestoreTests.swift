import Foundation
import GridTesting
import Testing

/// The district's database put back from last night's `pg_dump` loses nothing the laptops
/// hold, as a folder's restore does: once `gridsyncd restore --store` announces it, laptops
/// syncing through either daemon give back what the dump missed, the office's decision
/// included; a daemon started on it before the announcement refuses, saying what to do.
@Suite(.enabled(if: TestPostgres.server != nil, "GRIDSYNC_TEST_POSTGRES is not set"))
struct DatabaseRestoreTests {
    @Test func aDatabasePutBackFromADumpGetsBackWhatTheLaptopsHoldOnceAnnounced() throws {
        let store = try TestPostgres.database()
        var daemons = try DaemonProcess.onOneDatabase(2, store: store)
        defer { for daemon in daemons { daemon.cleanUp() } }
        let first = try FieldLaptop(daemon: daemons[0], worker: "w001", scope: "c01/g01")
        let second = try FieldLaptop(daemon: daemons[1], worker: "w002", scope: "c01/g01")
        let office = try FieldLaptop(daemon: daemons[0], worker: "o001", scope: "c01", role: "office")
        let laptops = [first, second, office]
        defer { for laptop in laptops { laptop.cleanUp() } }
        let stairs = try first.addDemand("楼道堆物清理")
        _ = try second.addDemand("电梯故障")
        for laptop in laptops + [first] { try laptop.sync() }

        // The nightly dump, taken while the daemons serve.
        let dump = FileManager.default.temporaryDirectory.appendingPathComponent("gridsync-\(UUID().uuidString).dump")
        defer { try? FileManager.default.removeItem(at: dump) }
        let dumped = try GridsyncBinary.run(
            executable: URL(fileURLWithPath: "/usr/bin/pg_dump"), ["-Fc", "-f", dump.path, store], environment: [:])
        try #require(dumped.status == 0, "pg_dump failed: \(dumped.error)")
        let dumpedHead = try TestPostgres.logHead(of: store)

        // After it: both workers edit the stairs offline, the office settles the conflict
        // through the database, every laptop receives it, and the first worker goes on.
        try first.update(stairs, "--urgency", "urgent")
        try second.update(stairs, "--urgency", "pressing")
        for laptop in laptops + [first] { try laptop.sync() }
        let before = try TestPostgres.records(of: store)
        defer { before.cleanUp() }
        let settled = try TestPostgres.inspect(
            store, ["resolve", stairs, "urgency", "--pick", "pressing", "--reason", "以居民意见为准", "--as", "o001"],
            cache: before.cache)
        try #require(settled.status == 0, "\(settled.error)")
        for laptop in laptops { try laptop.sync() }
        let manhole = try first.addDemand("井盖缺失")
        try first.sync()
        let held = try TestPostgres.logHead(of: store)
        #expect(held > dumpedHead)

        // The database is put back from the dump, with every daemon stopped.
        for daemon in daemons { #expect(daemon.stop() == 0) }
        try TestPostgres.putBack(dump, into: store)
        #expect(try TestPostgres.logHead(of: store) == dumpedHead)

        // Started on it as it is, a daemon that has read the log further refuses, and says what to do.
        #expect {
            try daemons[0].restarted()
        } throws: { error in
            "\(error)".contains("put back from a backup without `gridsyncd restore --store`")
        }

        // Announced as restored, the log takes a new server id continuing the dump's.
        let announced = try daemons[0].command("restore", "--json")
        try #require(announced.status == 0, "gridsyncd restore --store failed: \(announced.error)")
        let summary = try #require(
            try JSONSerialization.jsonObject(with: Data(announced.output.utf8)) as? [String: Any])
        #expect((summary["continues"] as? [String])?.isEmpty == false, "\(summary)")
        daemons = try daemons.map { try $0.restarted() }

        // Each laptop's next ordinary syncs, through either daemon, give back what the dump missed.
        var rng = SeededGenerator(seed: 0x6475_6d70)
        for _ in 0..<2 {
            for laptop in laptops { try laptop.sync(through: daemons.randomElement(using: &rng)!.address) }
        }
        #expect(try TestPostgres.logHead(of: store) >= held, "the database took back what the dump missed")
        let after = try TestPostgres.records(of: store)
        defer { after.cleanUp() }
        for laptop in laptops {
            let expected = after.export.filter { $0.contains("\"scope\":\"\(laptop.scope)") }
            #expect(try laptop.export() == expected, "\(laptop.name)'s laptop differs from the database's records")
        }
        // The office's decision and the demand written after the dump are back.
        let stairsNow = try #require(after.export.first { $0.contains(stairs) })
        #expect(stairsNow.contains("\"urgency\":\"pressing\"") && stairsNow.contains("以居民意见为准"), "\(stairsNow)")
        #expect(after.export.contains { $0.contains(manhole) })
        #expect(after.conflicts.isEmpty)
    }
}
