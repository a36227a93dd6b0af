import Foundation
import Testing

/// Field clients and the real daemon over loopback: offline edits, concurrent edits of one
/// demand, syncs in several orders and a link cut mid-batch, after which every replica and
/// the server hold identical records and identical conflicts.
@Suite struct SyncEndToEndTests {
    /// A field replica bound to the daemon with a worker's token.
    struct Laptop {
        let gridsync = GridsyncBinary()
        let token: String
        let server: String
        let trust: [String]

        init(daemon: DaemonProcess, worker: String, scope: String, role: String = "worker") throws {
            token = try daemon.addWorker(worker, scopes: [scope], role: role)
            server = daemon.address
            trust = daemon.trust
            try gridsync.succeed("init", "--worker", worker, "--grid", scope)
        }

        /// Syncs with the daemon (or through `port`), and returns the `--json` summary.
        @discardableResult
        func sync(port: Int? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
            let address = port.map { "127.0.0.1:\($0)" } ?? server
            let result = try gridsync.run(["sync", "--server", address, "--token", token, "--json"] + trust)
            #expect(result.status == 0, "sync failed: \(result.error)", sourceLocation: sourceLocation)
            return (try? JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]) ?? [:]
        }

        func add(_ title: String, description: String? = nil) throws -> String {
            var arguments = ["demand", "add", "--title", title, "--category", "消防安全", "--json"]
            if let description { arguments += ["--description", description] }
            let result = try gridsync.run(arguments)
            let document = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
            return try #require(document?["id"] as? String, "demand add failed: \(result.error)")
        }

        /// The export, one line per record.
        func export() throws -> [String] {
            try gridsync.succeed("export", "--format", "jsonl").split(separator: "\n").map(String.init).sorted()
        }

        func opCount() throws -> Int {
            let status = try gridsync.json("status", "--json") as? [String: Any]
            return status?["opCount"] as? Int ?? -1
        }
    }

    /// The daemon's own replica, exported with the field client (same file format).
    static func export(_ daemon: DaemonProcess, scope: String? = nil) throws -> [String] {
        let result = try GridsyncBinary.run(
            executable: GridsyncBinary.executable, ["export", "--format", "jsonl", "--data", daemon.data.path],
            environment: [:])
        #expect(result.status == 0, "export of the daemon's replica failed: \(result.error)")
        return result.output.split(separator: "\n").map(String.init)
            .filter { line in scope.map { line.contains("\"scope\":\"\($0)") } ?? true }.sorted()
    }

    static func record(_ id: String, in export: [String]) -> [String: Any]? {
        guard let line = export.first(where: { $0.contains(id) }) else { return nil }
        return try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
    }

    @Test func fourReplicasConvergeWithTheServerThroughConflictsAndACutLink() throws {
        let daemon = try DaemonProcess(environment: ["GRIDSYNCD_OPS_PER_BATCH": "20"])
        defer { daemon.cleanUp() }
        let a = try Laptop(daemon: daemon, worker: "w001", scope: "c01/g01")
        let b = try Laptop(daemon: daemon, worker: "w002", scope: "c01/g01")
        let office = try Laptop(daemon: daemon, worker: "office-1", scope: "c01", role: "office")
        let other = try Laptop(daemon: daemon, worker: "w003", scope: "c01/g02")
        let laptops = [a, b, office, other]
        defer { laptops.forEach { $0.gridsync.cleanUp() } }

        // Offline, then everyone syncs: the demands reach the laptops of their grid.
        let stairs = try a.add("楼道堆物清理")
        let lamp = try a.add("路灯不亮")
        let parking = try other.add("停车位不足")
        for laptop in laptops { try laptop.sync() }
        for laptop in laptops { try laptop.sync() }
        #expect(Self.record(stairs, in: try b.export()) != nil)
        #expect(Self.record(parking, in: try office.export()) != nil)
        #expect(Self.record(stairs, in: try other.export()) == nil, "a g01 demand leaked to a g02 laptop")

        // Offline again: the same field and different fields of one demand; delete against edit.
        let short = String(stairs.prefix(8))
        try a.gridsync.succeed("demand", "update", short, "--status", "处理中", "--title", "楼道堆物清理（3栋）")
        try b.gridsync.succeed("demand", "close", short, "--as", "resolved", "--reason", "物业已清理")
        try b.gridsync.succeed("demand", "back", short, "--by", "3")
        try office.gridsync.succeed("demand", "update", short, "--urgency", "urgent", "--note", "街道督办")
        try office.gridsync.succeed("delete", String(lamp.prefix(8)))
        try a.gridsync.succeed("demand", "update", String(lamp.prefix(8)), "--status", "处理中")

        // Syncs in another order, twice round.
        for laptop in [b, office, a, other, a, b, office, other] { try laptop.sync() }

        // A link cut part-way through a push: the batches acknowledged before it are kept,
        // nothing of the one it cut, and the next sync sends the rest.
        // Descriptions that do not compress, so that the push spans many packets.
        for index in 0..<40 {
            let text = (0..<20).map { _ in UUID().uuidString }.joined(separator: " ")
            _ = try a.add("堆物 \(index)", description: text)
        }
        let before = try Self.export(daemon).count
        let cutPush = try CuttingProxy(upstreamPort: daemon.port, cutAfter: 6_000)
        let failed = try a.gridsync.run(
            ["sync", "--server", "127.0.0.1:\(cutPush.port)", "--token", a.token] + a.trust)
        #expect(failed.status != 0)
        #expect(failed.error.contains("run `gridsync sync` again"), "\(failed.error)")
        let kept = try Self.export(daemon).count
        #expect(kept < before + 40)
        try a.sync()
        #expect(try Self.export(daemon).count == before + 40)

        // A link cut part-way through the pull: the batches stored stay, the rest follows.
        let bBefore = try b.opCount()
        let cutPull = try CuttingProxy(upstreamPort: daemon.port, cutAfter: Int.max, cutReplyAfter: 8_000)
        let partial = try b.gridsync.run(
            ["sync", "--server", "127.0.0.1:\(cutPull.port)", "--token", b.token] + b.trust)
        #expect(partial.status != 0)
        let bPartial = try b.opCount()
        #expect(bPartial > bBefore, "no batch was kept before the cut")
        let resumed = try b.sync()
        #expect(try b.opCount() > bPartial)
        #expect((resumed["pulled"] as? Int ?? 0) == (try b.opCount()) - bPartial, "ops were pulled twice")

        for laptop in laptops { try laptop.sync() }

        // Every replica holds exactly the server's records of its scope, conflicts included.
        let g01 = try Self.export(daemon, scope: "c01/g01")
        #expect(try a.export() == g01)
        #expect(try b.export() == g01)
        #expect(try office.export() == Self.export(daemon))
        #expect(try other.export() == Self.export(daemon, scope: "c01/g02"))

        let merged = try #require(Self.record(stairs, in: g01))
        let conflicts = try #require(merged["conflicts"] as? [String: Any])
        #expect(conflicts["status"] != nil, "concurrent status changes must stay a conflict")
        #expect(conflicts["title"] == nil && conflicts["urgency"] == nil, "edits of different fields both apply")
        #expect((merged["values"] as? [String: Any])?["title"] as? String == "楼道堆物清理（3栋）")
        #expect((merged["values"] as? [String: Any])?["urgency"] as? String == "urgent")
        #expect((merged["counters"] as? [String: Any])?["backers"] as? Int == 3)
        let deleted = try #require(Self.record(lamp, in: g01))
        #expect((deleted["conflicts"] as? [String: Any])?["deleted"] != nil, "delete against edit is a conflict")
        #expect(daemon.log.contains("ending=cut"))
    }

    @Test func aRefusedPushKeepsTheOpsAndStillPulls() throws {
        let daemon = try DaemonProcess()
        defer { daemon.cleanUp() }
        let neighbour = try Laptop(daemon: daemon, worker: "w003", scope: "c01/g02")
        defer { neighbour.gridsync.cleanUp() }
        let parking = try neighbour.add("停车位不足")
        try neighbour.sync()

        // The office moved w001 to g02, but the laptop still records in g01.
        let token = try daemon.addWorker("w001", scopes: ["c01/g02"])
        let laptop = GridsyncBinary()
        defer { laptop.cleanUp() }
        try laptop.succeed("init", "--worker", "w001", "--grid", "c01/g01")
        try laptop.succeed("demand", "add", "--title", "路灯不亮", "--category", "消防安全")
        let refused = try laptop.run(["sync", "--server", daemon.address, "--token", token] + daemon.trust)
        #expect(refused.status != 0)
        #expect(refused.error.contains("refused this laptop's changes"), "\(refused.error)")
        #expect(refused.output.contains("received"), "the pull did not happen: \(refused.output)")
        #expect(try laptop.succeed("export", "--format", "jsonl").contains(parking))
        let status = try laptop.json("status", "--json") as? [String: Any]
        #expect(status?["unsyncedOpCount"] as? Int ?? 0 > 0, "the refused ops must stay, unsent")
        #expect(try Self.export(daemon).count == 1)
        #expect(daemon.log.contains("code=out-of-scope"))
    }

    @Test func aFullSyncPullsEverythingAgainAndChangesNothing() throws {
        let daemon = try DaemonProcess()
        defer { daemon.cleanUp() }
        let a = try Laptop(daemon: daemon, worker: "w001", scope: "c01/g01")
        let b = try Laptop(daemon: daemon, worker: "w002", scope: "c01/g01")
        defer { [a, b].forEach { $0.gridsync.cleanUp() } }
        for index in 0..<3 { _ = try a.add("诉求 \(index)") }
        try a.sync()
        let first = try b.sync()
        let exported = try b.export()
        #expect(try b.sync()["pulled"] as? Int == 0)
        let result = try b.gridsync.run("sync", "--full", "--json")
        #expect(result.status == 0, "\(result.error)")
        let again = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
        #expect(again?["pulled"] as? Int == first["pulled"] as? Int)
        #expect(try b.export() == exported)
    }
}
