import Foundation
import Testing

/// The street office's server, put back from a backup with `gridsyncd restore`, loses nothing the laptops hold.
///
/// With the real `gridsyncd`, `gridsync-inspect` and `gridsync`: at each laptop's next ordinary sync it gives back
/// what the backup missed (the workers' offline edits and the office's resolution), every laptop ends with the
/// daemon's records, and the office's new resolutions are numbered under the restored server's new replica id,
/// apart from the ones it lost. A laptop's replica given as the daemon's backup is refused and moves nothing.
@Suite struct ServerRestoreTests {
    @Test func theLaptopsGiveBackWhatTheBackupMissedAndTheOfficeWritesOnUnderANewReplicaID() throws {
        let daemon = try DaemonProcess()
        defer { daemon.cleanUp() }
        let server = ServerRecords(daemon: daemon)
        let backups = FileManager.default.temporaryDirectory.appendingPathComponent(
            "gridsyncd-backup-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: backups) }
        let first = try FieldLaptop(daemon: daemon, worker: "w001", scope: "c01/g01")
        let second = try FieldLaptop(daemon: daemon, worker: "w002", scope: "c01/g01")
        let office = try FieldLaptop(daemon: daemon, worker: "office-1", scope: "c01", role: "office")
        let laptops = [first, second, office]
        defer { laptops.forEach { $0.cleanUp() } }
        let stairs = try first.addDemand("楼道堆物清理")
        let lamp = try first.addDemand("路灯不亮")
        let lift = try second.addDemand("电梯故障")
        for laptop in laptops + [first] { try laptop.sync() }

        // The nightly backup, taken online as the operator's guide says.
        let backup = try daemon.backUp(into: backups)
        let backedUp = try server.opCount()

        // After it: both workers edit the stairs offline, the office settles the status on the daemon and every
        // laptop receives it, and the first worker goes on.
        try first.update(stairs, "--status", "in-progress", "--urgency", "urgent")
        try first.update(lamp, "--title", "3栋路灯不亮")
        try second.update(stairs, "--status", "accepted", "--urgency", "pressing", "--note", "已联系物业")
        try second.update(lift, "--urgency", "pressing")
        for laptop in laptops + [first] { try laptop.sync() }
        #expect(try Self.openConflicts(daemon) == ["\(stairs) status", "\(stairs) urgency"])
        let statusReason = "物业已受理，居民确认"
        let lostResolution = try Self.resolve(daemon, stairs, "status", pick: "accepted", reason: statusReason)
        for laptop in laptops {
            try laptop.sync()
            let shown = try Self.show(stairs, on: laptop)
            #expect((shown["values"] as? [String: Any])?["status"] as? String == "accepted", "\(laptop.name): \(shown)")
            #expect((shown["conflicts"] as? [String: Any])?["status"] == nil, "\(laptop.name): \(shown)")
        }
        try first.update(lamp, "--building", "3栋")
        let manhole = try first.addDemand("井盖缺失")
        try first.sync()
        let held = try server.opCount()
        let heldIDs = try Self.opIDs(server)
        let former = try Self.replica(in: daemon.data)
        #expect(
            held > backedUp && heldIDs.count == held, "held \(held) ops, \(heldIDs.count) ids; backed up \(backedUp)")
        #expect(lostResolution.allSatisfy { $0.hasPrefix(former + ".") }, "\(lostResolution) not by \(former)")

        // The server is restored from the backup: a new replica id continuing the former one, files kept aside.
        #expect(daemon.stop() == 0)
        let restore = try daemon.command(
            "restore", "--replica", backup.replica.path, "--accounts", backup.accounts.path)
        #expect(restore.status == 0, "gridsyncd restore failed: \(restore.error)")
        let named = try #require(
            restore.output.firstMatch(of: /the server is now replica (\S+), continuing (.+)/),
            "no replica ids in: \(restore.output)")
        let replica = String(named.1)
        #expect(replica != former && replica.count == former.count, "\(restore.output)")
        #expect(named.2.split(separator: ", ").contains { $0 == former }, "\(restore.output)")
        let replaced = try #require(
            restore.output.firstMatch(of: /the files it replaced are in (.+)/).map { String($0.1) },
            "no folder of replaced files in: \(restore.output)")
        #expect(URL(fileURLWithPath: replaced).deletingLastPathComponent().path == daemon.data.path, "\(replaced)")
        for name in ["replica.sqlite", "accounts.sqlite"] {
            #expect(FileManager.default.fileExists(atPath: replaced + "/" + name), "\(name) not kept in \(replaced)")
        }
        #expect(try Self.opCount(in: URL(fileURLWithPath: replaced)) == held, "the replaced replica is not whole")

        let restarted = try daemon.restarted()
        defer { restarted.stop() }
        #expect(restarted.address == first.server)
        #expect(try Self.replica(in: daemon.data) == replica)
        #expect(try server.opCount() == backedUp, "the restored daemon holds more than its backup")
        #expect((try server.record(stairs)["values"] as? [String: Any])?["status"] as? String != "accepted")

        // Each laptop's next ordinary sync gives back what the backup missed, the second worker's first.
        let secondGave = try second.sync()
        #expect(
            secondGave.givenBack > 0 && secondGave.identity == nil && secondGave.refused == nil, "\(secondGave)")
        let firstSaid = try first.gridsync.run("sync")
        #expect(firstSaid.status == 0, "w001's sync failed: \(firstSaid.error)")
        let words = firstSaid.output.firstMatch(
            of: /the server was restored from a backup: this laptop gave back (\d+) edits/)
        #expect((words.flatMap { Int($0.1) } ?? 0) > 0, "w001's sync said: \(firstSaid.output)")
        let officeGave = try office.sync()
        #expect(
            officeGave.givenBack > 0 && officeGave.identity == nil && officeGave.refused == nil, "\(officeGave)")
        #expect(
            restarted.log.contains("a laptop gave back ops this server had lost in its restore"), "\(restarted.log)")

        // A second ordinary sync gives nothing back and sends nothing: the daemon holds all it held before.
        for laptop in laptops {
            let again = try laptop.sync()
            #expect(
                again.givenBack == 0 && again.pushed == 0 && again.identity == nil && again.refused == nil,
                "\(laptop.name): \(again)")
        }
        #expect(try server.opCount() == held, "the daemon held \(held) ops before its restore")
        #expect(try Self.opIDs(server) == heldIDs)
        try server.expectConverged(laptops)
        #expect(try first.export() == (try second.export()))
        #expect(try office.export() == (try first.export()))

        // The office's resolution is back, with its reason, and what it settled is no conflict again.
        let settled = try server.record(stairs)
        #expect((settled["values"] as? [String: Any])?["status"] as? String == "accepted", "\(settled)")
        let notes = ((settled["logs"] as? [String: Any])?["notes"] as? [[String: Any]]) ?? []
        #expect(
            notes.contains { (($0["entry"] as? [String: Any])?["text"] as? String)?.contains(statusReason) == true },
            "no resolution note in \(notes)")
        let statusVersions = try server.versions(of: stairs, field: "status")
        let resolution = statusVersions.first { lostResolution.contains($0["op"] as? String ?? "") }
        #expect(resolution?["current"] as? Bool == true, "\(statusVersions)")
        #expect((resolution?["reason"] as? String)?.contains(statusReason) == true, "\(statusVersions)")
        #expect(try Self.openConflicts(daemon) == ["\(stairs) urgency"])

        // Every value the workers typed is kept.
        try server.expectKept("楼道堆物清理", in: "title", of: stairs)
        try server.expectKept(["in-progress", "accepted"], in: "status", of: stairs)
        try server.expectKept(["urgent", "pressing"], in: "urgency", of: stairs)
        try server.expectKept("已联系物业", in: "notes", of: stairs)
        try server.expectKept(["路灯不亮", "3栋路灯不亮"], in: "title", of: lamp)
        try server.expectKept("3栋", in: "building", of: lamp)
        try server.expectKept("电梯故障", in: "title", of: lift)
        try server.expectKept("pressing", in: "urgency", of: lift)
        try server.expectKept("井盖缺失", in: "title", of: manhole)

        // The office tells what each laptop gave back that the daemon had lost.
        let devices = try Self.devices(daemon)
        for worker in ["w001", "w002"] {
            #expect((devices[worker]?["givenBack"] as? Int ?? 0) > 0, "\(worker): \(devices)")
        }
        let givenBack = devices.values.reduce(0) { $0 + ($1["givenBack"] as? Int ?? 0) }
        #expect(givenBack == held - backedUp, "the laptops gave back \(givenBack) of the \(held - backedUp) lost ops")
        let table = try InspectTests.inspect(daemon, "devices")
        #expect(table.output.contains("恢复 recovery") && table.output.contains("gave back"), "\(table.output)")
        #expect(table.output.contains("完成 finished") && !table.output.contains(" bye "), "\(table.output)")

        // A resolution written after the restore is numbered under the new replica id and reaches every laptop.
        let urgencyReason = "居民反映堆物堵塞消防通道，按紧急处理"
        let newResolution = try Self.resolve(daemon, stairs, "urgency", pick: "urgent", reason: urgencyReason)
        #expect(!newResolution.isEmpty && newResolution.allSatisfy { $0.hasPrefix(replica + ".") }, "\(newResolution)")
        #expect(heldIDs.isDisjoint(with: newResolution), "\(newResolution) reuses ids the daemon held before")
        for laptop in laptops {
            try laptop.sync()
            let shown = try Self.show(stairs, on: laptop)
            #expect((shown["values"] as? [String: Any])?["urgency"] as? String == "urgent", "\(laptop.name): \(shown)")
            #expect((shown["conflicts"] as? [String: Any])?.isEmpty == true, "\(laptop.name): \(shown)")
        }
        let urgencyVersions = try server.versions(of: stairs, field: "urgency")
        let decided = urgencyVersions.first { newResolution.contains($0["op"] as? String ?? "") }
        #expect(decided?["replica"] as? String == replica && decided?["author"] as? String == "office-1")
        #expect((decided?["reason"] as? String)?.contains(urgencyReason) == true, "\(urgencyVersions)")
        #expect(decided?["current"] as? Bool == true, "\(urgencyVersions)")
        #expect(try Self.openConflicts(daemon).isEmpty)
        try server.expectConverged(laptops)

        // Once more: nothing is given back, sent or received, and no record changes.
        let total = try server.opCount()
        for laptop in laptops {
            let before = try laptop.export()
            let last = try laptop.sync()
            #expect(
                last.givenBack == 0 && last.pushed == 0 && last.pulled == 0 && last.recovered == 0,
                "\(laptop.name): \(last)")
            #expect(try laptop.export() == before, "\(laptop.name)'s records changed")
        }
        #expect(try server.opCount() == total)
    }

    @Test func aLaptopsReplicaGivenAsTheBackupIsRefusedAndNothingMoves() throws {
        let daemon = try DaemonProcess()
        defer { daemon.cleanUp() }
        let laptop = try FieldLaptop(daemon: daemon, worker: "w001", scope: "c01/g01")
        defer { laptop.cleanUp() }
        _ = try laptop.addDemand("楼道堆物清理")
        try laptop.sync()
        #expect(daemon.stop() == 0)
        let before = try Self.files(in: daemon.data)

        let replicaFile = laptop.gridsync.data.appendingPathComponent("replica.sqlite").path
        let refused = try daemon.command("restore", "--replica", replicaFile)
        #expect(refused.status != 0, "a laptop's replica was restored as the daemon's: \(refused.output)")
        #expect(
            refused.error.contains("w001") && refused.error.contains("not the daemon's"),
            "the refusal does not say why: \(refused.error)")
        let asJSON = try daemon.command("restore", "--replica", replicaFile, "--json")
        #expect(asJSON.status != 0 && asJSON.error.contains("\"code\":\"bad-backup\""), "\(asJSON.error)")
        let after = try Self.files(in: daemon.data)
        #expect(after.keys.sorted() == before.keys.sorted(), "the daemon's folder changed: \(after.keys.sorted())")
        #expect(after == before, "the daemon's files changed")
    }

    /// The open conflicts on the daemon, as `<record> <field>`.
    private static func openConflicts(_ daemon: DaemonProcess) throws -> Set<String> {
        let conflicts = try #require(
            InspectTests.json(InspectTests.inspect(daemon, "conflicts", "--json")) as? [[String: Any]])
        return Set(conflicts.map { "\($0["record"] as? String ?? "?") \($0["field"] as? String ?? "?")" })
    }

    /// Settles a conflict on the daemon's folder as the office account; returns the ops it wrote.
    private static func resolve(
        _ daemon: DaemonProcess, _ record: String, _ field: String, pick: String, reason: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> [String] {
        let result = try InspectTests.inspect(
            daemon, "resolve", record, field, "--pick", pick, "--reason", reason, "--as", "office-1", "--json")
        let document = try #require(
            InspectTests.json(result, sourceLocation: sourceLocation) as? [String: Any], sourceLocation: sourceLocation)
        return try #require(document["ops"] as? [String], "\(document)", sourceLocation: sourceLocation)
    }

    /// `gridsync demand show --json` on a laptop.
    private static func show(_ record: String, on laptop: FieldLaptop) throws -> [String: Any] {
        try #require(try laptop.gridsync.json("demand", "show", record, "--json") as? [String: Any])
    }

    /// `gridsync status --json` on a daemon's (or a set-aside) replica folder.
    private static func status(of folder: URL) throws -> [String: Any] {
        let result = try GridsyncBinary.run(
            executable: GridsyncBinary.executable, ["status", "--json", "--data", folder.path], environment: [:])
        #expect(result.status == 0, "gridsync status on \(folder.path) failed: \(result.error)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
    }

    /// The replica id the folder's replica writes under.
    private static func replica(in folder: URL) throws -> String {
        try #require((try status(of: folder)["identity"] as? [String: Any])?["replica"] as? String)
    }

    /// How many ops the folder's replica holds.
    private static func opCount(in folder: URL) throws -> Int {
        try #require(try status(of: folder)["opCount"] as? Int)
    }

    /// The id of every op the daemon holds, from the histories of all its records.
    private static func opIDs(_ server: ServerRecords) throws -> Set<String> {
        var ids: Set<String> = []
        for line in try server.export(scope: "") {
            let document = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            let record = try #require(document?["id"] as? String)
            ids.formUnion(try server.versions(of: record).compactMap { $0["op"] as? String })
        }
        return ids
    }

    /// `gridsync-inspect devices --json`: each worker's device.
    private static func devices(_ daemon: DaemonProcess) throws -> [String: [String: Any]] {
        let rows = try #require(
            InspectTests.json(InspectTests.inspect(daemon, "devices", "--json")) as? [[String: Any]])
        var devices: [String: [String: Any]] = [:]
        for row in rows {
            let device = try #require(row["device"] as? [String: Any])
            devices[try #require(device["worker"] as? String)] = device
        }
        return devices
    }

    /// Every file under `folder`, by its path inside it, with its bytes (folders as empty).
    /// The folder's files and their contents; the lock file, which names the last process
    /// that held it, is left out.
    private static func files(in folder: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let root = folder.resolvingSymlinksInPath().path
        let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isDirectoryKey])
        while let file = walker?.nextObject() as? URL {
            let path = String(file.resolvingSymlinksInPath().path.dropFirst(root.count))
            let isFolder = try file.resourceValues(forKeys: [.isDirectoryKey]).isDirectory == true
            guard file.lastPathComponent != "gridsyncd.lock" else { continue }
            files[path] = isFolder ? Data() : try Data(contentsOf: file)
        }
        return files
    }
}
