import Foundation
import Testing

/// Office staff settle real conflicts with `gridsync-inspect` on the daemon's folder, and
/// every laptop ends with the settled value, no open conflict, and the history to show for it.
@Suite struct InspectTests {
    typealias Laptop = SyncEndToEndTests.Laptop

    /// Runs `gridsync-inspect` on the daemon's data folder.
    static func inspect(_ daemon: DaemonProcess, _ arguments: String...) throws -> GridsyncBinary.Result {
        try inspect(daemon, arguments)
    }

    static func inspect(_ daemon: DaemonProcess, _ arguments: [String]) throws -> GridsyncBinary.Result {
        try GridsyncBinary.run(
            executable: GridsyncBinary.executable.deletingLastPathComponent().appendingPathComponent(
                "gridsync-inspect"),
            arguments + ["--data", daemon.data.path], environment: [:])
    }

    static func json(_ result: GridsyncBinary.Result, sourceLocation: SourceLocation = #_sourceLocation) throws -> Any {
        #expect(result.status == 0, "gridsync-inspect failed: \(result.error)", sourceLocation: sourceLocation)
        return try JSONSerialization.jsonObject(with: Data(result.output.utf8))
    }

    static func daemonOps(_ daemon: DaemonProcess) throws -> Int {
        let status = try GridsyncBinary.run(
            executable: GridsyncBinary.executable, ["status", "--json", "--data", daemon.data.path], environment: [:])
        return (try JSONSerialization.jsonObject(with: Data(status.output.utf8)) as? [String: Any])?["opCount"]
            as? Int ?? -1
    }

    @Test func officeStaffSeeAndSettleConflictsOnEveryLaptop() throws {
        let daemon = try DaemonProcess()
        defer { daemon.cleanUp() }
        let a = try Laptop(daemon: daemon, worker: "w001", scope: "c01/g01")
        let b = try Laptop(daemon: daemon, worker: "w002", scope: "c01/g01")
        let office = try Laptop(daemon: daemon, worker: "office-1", scope: "c01", role: "office")
        let laptops = [a, b, office]
        defer { laptops.forEach { $0.gridsync.cleanUp() } }

        let stairs = try a.add("楼道堆物清理")
        let lamp = try a.add("路灯不亮")
        for laptop in laptops { try laptop.sync() }
        let short = String(stairs.prefix(8))
        try a.gridsync.succeed("demand", "update", short, "--status", "处理中", "--title", "三栋楼道堆物清理")
        try b.gridsync.succeed("demand", "close", short, "--as", "resolved", "--reason", "物业已清理")
        try b.gridsync.succeed("demand", "update", short, "--title", "楼道杂物清理")
        try office.gridsync.succeed("delete", String(lamp.prefix(8)))
        try a.gridsync.succeed("demand", "update", String(lamp.prefix(8)), "--urgency", "urgent")
        for laptop in laptops + laptops { try laptop.sync() }

        // Every disagreement, per field, with who wrote what over which value.
        let conflicts = try #require(Self.json(Self.inspect(daemon, "conflicts", "--json")) as? [[String: Any]])
        let fields = Set(
            conflicts.map { "\(($0["record"] as? String ?? "").prefix(8)) \($0["field"] as? String ?? "")" })
        #expect(fields == ["\(short) status", "\(short) title", "\(lamp.prefix(8)) deleted"], "\(fields)")
        let status = try #require(conflicts.first { $0["field"] as? String == "status" })
        let competing = try #require(status["competing"] as? [[String: Any]])
        #expect(Set(competing.compactMap { $0["author"] as? String }) == ["w001", "w002"])
        #expect(competing.allSatisfy { ($0["replaced"] as? [String]) == ["raised"] }, "\(competing)")
        #expect(competing.allSatisfy { ($0["replica"] as? String)?.count == 16 && $0["time"] != nil })
        let summary = try #require(
            Self.json(Self.inspect(daemon, "conflicts", "--summary", "--json")) as? [String: Any])
        #expect(summary["total"] as? Int == 3)
        #expect((summary["byGrid"] as? [String: Int])?["c01/g01"] == 3)
        let filtered = try #require(
            Self.json(Self.inspect(daemon, "conflicts", "--field", "title", "--json")) as? [[String: Any]])
        #expect(filtered.count == 1)
        #expect(try Self.inspect(daemon, "conflicts").output.contains("楼道杂物清理"))

        // Bad requests are refused, each saying why, and write nothing.
        let before = try Self.daemonOps(daemon)
        for (arguments, code) in [
            (
                ["resolve", "ffffffff", "status", "--pick", "1", "--reason", "x", "--as", "office-1", "--json"],
                "unknown-record"
            ),
            (
                ["resolve", short, "colour", "--pick", "1", "--reason", "x", "--as", "office-1", "--json"],
                "unknown-field"
            ),
            (["resolve", short, "status", "--pick", "3", "--reason", "x", "--as", "office-1", "--json"], "bad-pick"),
            (
                ["resolve", short, "urgency", "--pick", "1", "--reason", "x", "--as", "office-1", "--json"],
                "no-conflict"
            ),
            (["resolve", short, "status", "--pick", "1", "--reason", "x", "--as", "w001", "--json"], "not-allowed"),
            (["resolve", short, "status", "--pick", "1", "--reason", "x", "--json"], "not-allowed"),
        ] as [([String], String)] {
            let result = try Self.inspect(daemon, arguments)
            #expect(result.status != 0, "\(arguments) was accepted")
            #expect(result.error.contains("\"code\":\"\(code)\""), "\(arguments): \(result.error)")
        }
        let noReason = try Self.inspect(daemon, "resolve", short, "status", "--pick", "1", "--as", "office-1")
        #expect(noReason.status != 0 && noReason.error.contains("--reason"), "\(noReason.error)")
        #expect(try Self.daemonOps(daemon) == before, "a refused resolution wrote ops")

        // Reads work while something else holds the daemon's store for writing.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = [
            "python3", "-c",
            "import sqlite3,sys,time; c=sqlite3.connect(sys.argv[1], isolation_level=None); "
                + "c.execute('BEGIN IMMEDIATE'); print('locked', flush=True); time.sleep(4)",
            daemon.data.appendingPathComponent("replica.sqlite").path,
        ]
        let lockOutput = Pipe()
        holder.standardOutput = lockOutput
        try holder.run()
        _ = lockOutput.fileHandleForReading.availableData
        let whileLocked = try Self.inspect(daemon, "conflicts", "--json")
        #expect(whileLocked.status == 0, "reading failed while the store was held: \(whileLocked.error)")
        holder.waitUntilExit()

        // A dry run writes nothing; then the office settles each field.
        let dry = try #require(
            Self.json(
                Self.inspect(
                    daemon, "resolve", "--rule", "latest", "--field", "deleted", "--reason", "以最新为准", "--as",
                    "office-1", "--dry-run", "--json"))
                as? [String: Any])
        #expect((dry["settled"] as? [[String: Any]])?.count == 1)
        #expect(try Self.daemonOps(daemon) == before)
        let picked = try Self.inspect(
            daemon, "resolve", short, "status", "--pick", "resolved", "--reason", "居民确认已解决", "--as", "office-1")
        #expect(picked.status == 0, "\(picked.error)")
        try #expect(
            Self.inspect(
                daemon, "resolve", short, "title", "--value", "三栋楼道杂物清理", "--reason", "合并两种写法", "--as", "office-1"
            ).status == 0)
        try #expect(
            Self.inspect(daemon, "resolve", "--rule", "office", "--reason", "以社区意见为准", "--as", "office-1").status == 0)
        #expect((try Self.json(Self.inspect(daemon, "conflicts", "--json")) as? [[String: Any]])?.isEmpty == true)

        // A resolution crossing an offline edit of the same field is a new conflict, shown as such.
        try b.gridsync.succeed("demand", "update", short, "--status", "处理中")
        for laptop in laptops { try laptop.sync() }
        let crossed = try #require(Self.json(Self.inspect(daemon, "conflicts", "--json")) as? [[String: Any]])
        #expect(crossed.count == 1 && crossed.first?["field"] as? String == "status", "\(crossed)")
        let authors = (crossed.first?["competing"] as? [[String: Any]])?.compactMap { $0["author"] as? String }
        #expect(Set(authors ?? []) == ["office-1", "w002"])
        // An author is not a pick: it names none of the values.
        let byAuthor = try Self.inspect(
            daemon, "resolve", short, "status", "--pick", "office-1", "--reason", "居民确认已解决", "--as", "office-1",
            "--json")
        #expect(byAuthor.status != 0 && byAuthor.error.contains("\"code\":\"bad-pick\""), "\(byAuthor.error)")
        let again = try Self.inspect(
            daemon, "resolve", short, "status", "--pick", "已解决", "--reason", "居民确认已解决", "--as", "office-1")
        #expect(again.status == 0, "\(again.error)")

        // Every laptop receives the decisions: the settled values and no open conflict.
        for laptop in laptops + laptops { try laptop.sync() }
        for laptop in laptops {
            let shown = try #require(laptop.gridsync.json("demand", "show", short, "--json") as? [String: Any])
            #expect((shown["values"] as? [String: Any])?["status"] as? String == "resolved")
            #expect((shown["values"] as? [String: Any])?["title"] as? String == "三栋楼道杂物清理")
            #expect(
                try #require(shown["conflicts"] as? [String: Any], "no conflicts in \(shown)").isEmpty,
                "\(shown["conflicts"] ?? "")")
            let status = try #require(laptop.gridsync.json("status", "--json") as? [String: Any])
            #expect(status["conflictCount"] as? Int == 0)
        }
        #expect(try a.export() == SyncEndToEndTests.export(daemon, scope: "c01/g01"))

        // The history shows the competing values and the resolutions with their reasons.
        let history = try #require(
            Self.json(Self.inspect(daemon, "history", short, "status", "--json")) as? [[String: Any]])
        let versions = try #require(history.first?["versions"] as? [[String: Any]])
        #expect(
            Set(versions.compactMap { $0["action"] as? String }).isSuperset(of: [
                "set 处理中 in-progress", "set 已解决 resolved",
            ]))
        let resolution = try #require(versions.last)
        #expect(resolution["author"] as? String == "office-1")
        #expect(resolution["current"] as? Bool == true)
        #expect((resolution["replaces"] as? [String])?.count == 2)
        #expect((resolution["reason"] as? String)?.contains("居民确认已解决") == true)
        #expect(versions.contains { !(($0["concurrentWith"] as? [String]) ?? []).isEmpty })
        #expect(try Self.inspect(daemon, "history", short).output.contains("resolution"))

        // Devices: every laptop, its worker, its last sync, and what it has not received yet.
        _ = try a.add("新诉求")
        try a.sync()
        let devices = try #require(Self.json(Self.inspect(daemon, "devices", "--json")) as? [[String: Any]])
        #expect(devices.count == 3)
        #expect(
            Set(devices.compactMap { ($0["device"] as? [String: Any])?["worker"] as? String }) == [
                "w001", "w002", "office-1",
            ])
        #expect(devices.allSatisfy { ($0["device"] as? [String: Any])?["lastSyncAt"] is String })
        func behind(_ worker: String) -> Int? {
            devices.first { ($0["device"] as? [String: Any])?["worker"] as? String == worker }?["behind"] as? Int
        }
        #expect(behind("w001") == 0, "a laptop is never behind on its own ops")
        #expect((behind("w002") ?? 0) > 0 && behind("w002") == behind("office-1"), "\(devices)")
    }

    @Test func deletesRulesScopesAndPicksAreSettledOrRefusedClearly() throws {
        let daemon = try DaemonProcess()
        defer { daemon.cleanUp() }
        let a = try Laptop(daemon: daemon, worker: "w001", scope: "c01/g01")
        let office = try Laptop(daemon: daemon, worker: "office-1", scope: "c01", role: "office")
        let other = try Laptop(daemon: daemon, worker: "w003", scope: "c02/g07")
        let b = try Laptop(daemon: daemon, worker: "w002", scope: "c02/g07")
        let laptops = [a, office, other, b]
        defer { laptops.forEach { $0.gridsync.cleanUp() } }
        let lamp = try a.add("路灯不亮")
        let stairs = try a.add("楼道堆物")
        let parking = try other.add("停车难")
        for laptop in laptops { try laptop.sync() }
        // The office deletes after a worker's edit: the delete is shown, against the edit.
        try a.gridsync.succeed("demand", "update", String(lamp.prefix(8)), "--urgency", "urgent")
        try a.sync()
        try office.gridsync.succeed("delete", String(lamp.prefix(8)))
        // One record, two fields in conflict, and its deletion too.
        try a.gridsync.succeed("demand", "update", String(stairs.prefix(8)), "--status", "处理中", "--urgency", "urgent")
        try office.gridsync.succeed(
            "demand", "update", String(stairs.prefix(8)), "--status", "已解决", "--urgency", "pressing")
        // A conflict in c02, outside office-1's community.
        try other.gridsync.succeed("demand", "update", String(parking.prefix(8)), "--urgency", "urgent")
        try b.gridsync.succeed("demand", "update", String(parking.prefix(8)), "--urgency", "pressing")
        for laptop in laptops + laptops { try laptop.sync() }

        // A delete that wins can be undone: "kept" restores the record, with the reason noted.
        let lampShort = String(lamp.prefix(8))
        let shown = try #require(Self.json(Self.inspect(daemon, "show", lampShort, "--json")) as? [String: Any])
        #expect((shown["record"] as? [String: Any])?["deleted"] as? Bool == true)
        let kept = try Self.inspect(
            daemon, "resolve", lampShort, "deleted", "--pick", "kept", "--reason", "路灯仍需维修", "--as", "office-1")
        #expect(kept.status == 0, "\(kept.error)")
        let restored = try #require(Self.json(Self.inspect(daemon, "show", lampShort, "--json")) as? [String: Any])
        #expect((restored["record"] as? [String: Any])?["deleted"] as? Bool == false)
        let liveness = try #require(
            Self.json(Self.inspect(daemon, "history", lampShort, "deleted", "--json")) as? [[String: Any]])
        let actions = (liveness.first?["versions"] as? [[String: Any]])?.compactMap { $0["action"] as? String } ?? []
        #expect(actions.contains { $0.hasPrefix("kept, editing urgency") }, "\(actions)")
        #expect(actions.contains("deleted"))
        let lastLiveness = (liveness.first?["versions"] as? [[String: Any]])?.last
        #expect((lastLiveness?["reason"] as? String)?.contains("路灯仍需维修") == true)

        // Picks must name exactly one competing value; filters go with --rule; days in order.
        let stairsShort = String(stairs.prefix(8))
        let unknown = try Self.inspect(
            daemon, "resolve", stairsShort, "status", "--pick", "4", "--reason", "x", "--as", "office-1", "--json")
        #expect(unknown.error.contains("bad-pick"), "\(unknown.error)")
        let filtered = try Self.inspect(
            daemon, "resolve", stairsShort, "status", "--pick", "1", "--grid", "c01/g01", "--reason", "x", "--as",
            "office-1")
        #expect(filtered.status != 0 && filtered.error.contains("go with --rule"), "\(filtered.error)")
        let days = try Self.inspect(daemon, "conflicts", "--since", "2026-12-01", "--until", "2026-11-01")
        #expect(days.status != 0 && days.error.contains("is after"), "\(days.error)")
        let noField = try Self.inspect(daemon, "conflicts", "--field", "statu")
        #expect(noField.status != 0 && noField.error.contains("statu"), "\(noField.error)")

        // A rule settles every field of a record together, and leaves what the office may not write.
        let plan = try #require(
            Self.json(
                Self.inspect(
                    daemon, "resolve", "--rule", "office", "--reason", "以社区意见为准", "--as", "office-1", "--dry-run",
                    "--json"))
                as? [String: Any])
        let planned = (plan["settled"] as? [[String: Any]]) ?? []
        #expect(
            Set(planned.filter { $0["left"] == nil }.compactMap { $0["field"] as? String }) == ["status", "urgency"],
            "\(planned)")
        #expect(planned.contains { ($0["left"] as? String)?.contains("no value by an office account") == true })
        let latest = try #require(
            Self.json(
                Self.inspect(
                    daemon, "resolve", "--rule", "latest", "--reason", "x", "--as", "office-1", "--dry-run", "--json"))
                as? [String: Any])
        let outside = ((latest["settled"] as? [[String: Any]]) ?? []).filter {
            ($0["left"] as? String)?.contains("outside office-1") == true
        }
        #expect(outside.count == 1, "\(latest)")
        let before = try Self.daemonOps(daemon)
        let ruled = try Self.inspect(daemon, "resolve", "--rule", "office", "--reason", "以社区意见为准", "--as", "office-1")
        #expect(ruled.status == 0, "\(ruled.error)")
        #expect(try Self.daemonOps(daemon) == before + 3, "one note and two values")
        let remaining = try #require(Self.json(Self.inspect(daemon, "conflicts", "--json")) as? [[String: Any]])
        #expect(remaining.count == 1 && remaining.first?["scope"] as? String == "c02/g07", "\(remaining)")
        for laptop in laptops { try laptop.sync() }
        let settled = try #require(a.gridsync.json("demand", "show", stairsShort, "--json") as? [String: Any])
        #expect((settled["values"] as? [String: Any])?["status"] as? String == "resolved")
        #expect((settled["values"] as? [String: Any])?["urgency"] as? String == "pressing")
    }
}
