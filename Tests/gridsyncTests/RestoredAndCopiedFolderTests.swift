import Foundation
import Testing

/// Laptops whose data folder was put back from an older copy, or copied to a second laptop, sync with the real
/// daemon and lose nothing typed on either: the daemon gives a restored laptop back its own edits, and a laptop
/// whose numbering collides with edits the daemon holds takes a new identity within the same `gridsync sync`.
@Suite struct RestoredAndCopiedFolderTests {
    @Test func aLaptopRestoredFromAnOlderCopyGetsBackItsEditsAndNumbersNewOnesAfterThem() throws {
        let daemon = try DaemonProcess()
        defer { daemon.cleanUp() }
        let server = ServerRecords(daemon: daemon)
        let restored = try FieldLaptop(daemon: daemon, worker: "w001", scope: "c01/g01")
        let colleague = try FieldLaptop(daemon: daemon, worker: "w002", scope: "c01/g01")
        defer { [restored, colleague].forEach { $0.cleanUp() } }
        let stairs = try restored.addDemand("楼道堆物清理")
        try restored.sync()
        let backup = try restored.backUp()
        defer { try? FileManager.default.removeItem(at: backup) }
        let replica = try restored.replica()
        let ownBefore = try #require(try restored.status()["ownOpCount"] as? Int)

        // After the backup: a new demand and edits, synced; a colleague builds on them.
        let lamp = try restored.addDemand("路灯不亮")
        try restored.update(stairs, "--status", "in-progress", "--note", "已联系物业")
        try restored.sync()
        let lost = try #require(try restored.status()["ownOpCount"] as? Int) - ownBefore
        try colleague.sync()
        try colleague.update(lamp, "--urgency", "urgent")
        try colleague.sync()

        // The older copy is put back: the laptop no longer holds its latest edits, and gets them back.
        try restored.restore(backup)
        #expect(try restored.export().count == 1)
        let recovery = try restored.sync()
        #expect(recovery.recovered == lost, "recovered \(recovery.recovered) of the \(lost) ops written after the copy")
        #expect(recovery.identity == nil && recovery.pushed == 0 && recovery.refused == nil)
        #expect(try restored.replica() == replica)
        let unsent = try restored.unsent()
        #expect(unsent == 0, "status: \(unsent) ops not synced, though the daemon holds every one")
        try server.expectConverged([restored, colleague])

        // New edits are numbered after the ones recovered: they go out with no collision and no new identity.
        let ownRecovered = try #require(try restored.status()["ownOpCount"] as? Int)
        let bins = try restored.addDemand("垃圾分类点异味")
        try restored.update(lamp, "--title", "3栋路灯不亮")
        let written = try #require(try restored.status()["ownOpCount"] as? Int) - ownRecovered
        let next = try restored.sync()
        #expect(next.identity == nil && next.recovered == 0 && next.pushed == written, "wrote \(written): \(next)")
        #expect(try restored.replica() == replica)
        try colleague.sync()
        try server.expectConverged([restored, colleague])
        try server.expectKept("楼道堆物清理", in: "title", of: stairs)
        try server.expectKept("in-progress", in: "status", of: stairs)
        try server.expectKept("已联系物业", in: "notes", of: stairs)
        try server.expectKept("3栋路灯不亮", in: "title", of: lamp)
        try server.expectKept("路灯不亮", in: "title", of: lamp)
        try server.expectKept("urgent", in: "urgency", of: lamp)
        try server.expectKept("垃圾分类点异味", in: "title", of: bins)
    }

    @Test func aLaptopRestoredAfterItWroteAgainTakesANewIdentityAndLosesNothing() throws {
        let daemon = try DaemonProcess()
        defer { daemon.cleanUp() }
        let server = ServerRecords(daemon: daemon)
        let restored = try FieldLaptop(daemon: daemon, worker: "w001", scope: "c01/g01")
        let colleague = try FieldLaptop(daemon: daemon, worker: "w002", scope: "c01/g01")
        defer { [restored, colleague].forEach { $0.cleanUp() } }
        let stairs = try restored.addDemand("楼道堆物清理")
        try restored.sync()
        let backup = try restored.backUp()
        defer { try? FileManager.default.removeItem(at: backup) }
        let former = try restored.replica()
        let lamp = try restored.addDemand("路灯不亮")
        try restored.update(stairs, "--title", "三栋楼道堆物清理")
        try restored.sync()
        try colleague.sync()

        // The older copy is put back, and the worker writes before syncing: these edits take numbers that the
        // daemon already holds with other edits.
        try restored.restore(backup)
        let lift = try restored.addDemand("电梯故障")
        try restored.update(stairs, "--title", "楼道堆物清理（已受理）", "--status", "accepted")
        let unsent = try restored.unsent()
        let collided = try restored.sync()
        let change = try #require(collided.identity, "no new identity after a collision: \(collided)")
        #expect(change.former == former && change.replica != former && change.replica.count == former.count)
        #expect(change.reissued == unsent, "re-issued \(change.reissued) of \(unsent) unsent edits")
        #expect(collided.refused == nil)
        #expect(try restored.replica() == change.replica)
        let status = try restored.gridsync.succeed("status")
        #expect(status.contains("identity:") && status.contains(former), "\(status)")
        let formers = try #require(try restored.status()["formerIdentities"] as? [[String: Any]])
        #expect(formers.count == 1 && formers.first?["replica"] as? String == former, "\(formers)")

        // The next syncs are ordinary, and everyone ends with the daemon's records and every value typed.
        try colleague.sync()
        try colleague.update(lift, "--urgency", "urgent")
        try colleague.sync()
        let after = try restored.sync()
        #expect(after.identity == nil && after.pushed == 0, "\(after)")
        try restored.update(lamp, "--building", "3栋")
        let again = try restored.sync()
        #expect(again.identity == nil && again.pushed > 0, "\(again)")
        try colleague.sync()
        try server.expectConverged([restored, colleague])
        try server.expectKept("楼道堆物清理", in: "title", of: stairs)
        try server.expectKept("三栋楼道堆物清理", in: "title", of: stairs)
        try server.expectKept("楼道堆物清理（已受理）", in: "title", of: stairs)
        try server.expectKept("accepted", in: "status", of: stairs)
        try server.expectKept("路灯不亮", in: "title", of: lamp)
        try server.expectKept("3栋", in: "building", of: lamp)
        try server.expectKept("电梯故障", in: "title", of: lift)
        try server.expectKept("urgent", in: "urgency", of: lift)
        #expect(try server.records(titled: "电梯故障").count == 1)
    }

    @Test(arguments: [false, true])
    func twoLaptopsMadeFromOneCopiedFolderBothKeepEverythingTyped(copySyncsFirst: Bool) throws {
        let daemon = try DaemonProcess()
        defer { daemon.cleanUp() }
        let server = ServerRecords(daemon: daemon)
        let original = try FieldLaptop(daemon: daemon, worker: "w001", scope: "c01/g01")
        let colleague = try FieldLaptop(daemon: daemon, worker: "w002", scope: "c01/g01")
        defer { [original, colleague].forEach { $0.cleanUp() } }
        let (photoFolder, photos) = try PhotosAndPlacesTests.photos([60_000, 90_000])
        defer { try? FileManager.default.removeItem(at: photoFolder) }
        let stairs = try original.addDemand("楼道堆物清理")
        _ = try original.gridsync.succeed("attach", stairs, photos[0])
        try original.sync()
        try colleague.sync()
        // A demand recorded and backed but not sent is in the copy too: both laptops will send it, and it must
        // count once.
        let bikes = try original.addDemand("共享单车乱停")
        try original.gridsync.succeed("demand", "back", bikes, "--by", "3")
        let spare = try original.copy()
        defer { spare.cleanUp() }

        // Both laptops work offline under the same identity, numbering their edits alike.
        let lamp = try original.addDemand("路灯不亮")
        try original.update(stairs, "--title", "楼道堆物清理（原机）")
        let lift = try spare.addDemand("电梯故障")
        // A photo in the copy names the records it rebuilds when it takes a new identity.
        _ = try spare.gridsync.succeed("attach", lift, photos[1])
        let manhole = try spare.addDemand("井盖缺失")
        try spare.update(stairs, "--title", "楼道堆物清理（备用机）", "--urgency", "urgent")
        try spare.update(bikes, "--note", "已通知单车公司")
        let (first, second) = copySyncsFirst ? (spare, original) : (original, spare)
        let secondUnsent = try second.unsent()
        let firstSummary = try first.sync()
        #expect(firstSummary.identity == nil, "the first to sync kept its identity: \(firstSummary)")
        let secondSummary = try second.sync()
        let change = try #require(secondSummary.identity, "the second to sync must take a new identity")
        let secondReplica = try second.replica()
        #expect(change.replica != change.former && change.replica == secondReplica)
        #expect(
            change.reissued > 0 && change.reissued < secondUnsent,
            "the shared unsent demand is held already; the rest of \(secondUnsent) is re-issued: \(change.reissued)")

        // From now on they are two replicas: further edits and syncs are ordinary.
        for laptop in [colleague, first, second] { try laptop.sync() }
        try first.update(lamp, "--building", "5栋")
        try second.update(manhole, "--urgency", "pressing")
        try colleague.update(stairs, "--status", "accepted")
        for laptop in [second, colleague, first, second, colleague] {
            let summary = try laptop.sync()
            #expect(summary.identity == nil && summary.refused == nil, "\(laptop.name): \(summary)")
        }
        #expect(try original.replica() != (try spare.replica()))
        try server.expectConverged([original, spare, colleague])
        try server.expectKept(["楼道堆物清理", "楼道堆物清理（原机）", "楼道堆物清理（备用机）"], in: "title", of: stairs)
        for (title, id) in [("共享单车乱停", bikes), ("路灯不亮", lamp), ("电梯故障", lift), ("井盖缺失", manhole)] {
            try server.expectKept(title, in: "title", of: id)
        }
        try server.expectKept("urgent", in: "urgency", of: stairs)
        try server.expectKept("accepted", in: "status", of: stairs)
        try server.expectKept("已通知单车公司", in: "notes", of: bikes)
        try server.expectKept("5栋", in: "building", of: lamp)
        try server.expectKept("pressing", in: "urgency", of: manhole)
        #expect(try server.records(titled: "共享单车乱停") == [bikes], "the demand in both copies is stored once")
        #expect((try server.record(bikes)["counters"] as? [String: Any])?["backers"] as? Int == 3)
        // Both photos reach the colleague whole, whichever laptop took a new identity.
        for (id, path) in [(stairs, photos[0]), (lift, photos[1])] {
            let opened = try #require(try colleague.gridsync.json("open", id, "--json") as? [[String: Any]])
            #expect(opened.count == 1 && opened[0]["held"] as? Bool == true, "\(opened)")
            #expect(opened.first?["id"] as? String == "sha256:" + (try PhotosAndPlacesTests.hex(of: path)))
        }
    }
}
