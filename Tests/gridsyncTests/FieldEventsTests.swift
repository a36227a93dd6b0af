import Foundation
import Testing

/// Things that happen in street offices, played with the real daemon and laptops over loopback: a note written
/// on a demand that someone deleted, and a long Chinese description rewritten fifty times and sent compressed.
@Suite struct FieldEventsTests {
    @Test func aNoteOnADeletedDemandLeavesItDeletedEverywhereWithoutAConflict() throws {
        let daemon = try DaemonProcess()
        defer { daemon.cleanUp() }
        let server = ServerRecords(daemon: daemon)
        let recorder = try FieldLaptop(daemon: daemon, worker: "w001", scope: "c01/g01")
        let colleague = try FieldLaptop(daemon: daemon, worker: "w002", scope: "c01/g01")
        let office = try FieldLaptop(daemon: daemon, worker: "office-1", scope: "c01", role: "office")
        let laptops = [recorder, colleague, office]
        defer { laptops.forEach { $0.cleanUp() } }
        let duplicate = try recorder.addDemand("楼道堆物清理")
        let lamp = try recorder.addDemand("路灯不亮")
        for laptop in laptops { try laptop.sync() }

        // Offline: the office deletes both demands; a worker who has not seen that adds a note to the first and
        // changes the status of the second, which is a decision about it.
        try office.gridsync.succeed("delete", duplicate, "--reason", "重复录入")
        try office.gridsync.succeed("delete", lamp)
        try colleague.update(duplicate, "--note", "居民说堆物已搬走")
        try recorder.update(lamp, "--status", "in-progress")
        for laptop in [colleague, office, recorder, colleague, office] { try laptop.sync() }

        // Having seen the delete, a worker adds one more note: the demand stays deleted.
        try colleague.update(duplicate, "--note", "已核实，确为重复")
        for laptop in [colleague, office, recorder] { try laptop.sync() }

        try server.expectConverged(laptops)
        let noted = try server.record(duplicate)
        #expect(noted["deleted"] as? Bool == true, "a note undid a delete: \(noted)")
        #expect((noted["conflicts"] as? [String: Any])?.isEmpty == true, "a note opened a conflict: \(noted)")
        for laptop in laptops {
            let shown = try #require(try laptop.gridsync.json("demand", "list", "--all", "--json") as? [[String: Any]])
            let record = shown.first { $0["id"] as? String == duplicate }
            #expect(record?["deleted"] as? Bool == true, "\(laptop.name) shows the noted demand as not deleted")
        }
        try server.expectKept(["重复录入", "居民说堆物已搬走", "已核实，确为重复"], in: "notes", of: duplicate)
        let conflicts = try #require(
            InspectTests.json(InspectTests.inspect(daemon, "conflicts", "--json")) as? [[String: Any]])
        #expect(
            conflicts.map { "\($0["record"] as? String ?? "") \($0["field"] as? String ?? "")" } == ["\(lamp) deleted"],
            "only the status change against the delete is a conflict: \(conflicts)")
        try server.expectKept("in-progress", in: "status", of: lamp)
    }

    @Test func fiftyRewritesOfALongChineseDescriptionSyncCompressedToEveryLaptop() throws {
        let daemon = try DaemonProcess()
        defer { daemon.cleanUp() }
        let server = ServerRecords(daemon: daemon)
        let writer = try FieldLaptop(daemon: daemon, worker: "w001", scope: "c01/g01")
        let readers = [
            try FieldLaptop(daemon: daemon, worker: "w002", scope: "c01/g01"),
            try FieldLaptop(daemon: daemon, worker: "w003", scope: "c01/g01"),
            try FieldLaptop(daemon: daemon, worker: "office-1", scope: "c01", role: "office"),
        ]
        defer { ([writer] + readers).forEach { $0.cleanUp() } }

        // 2,000 characters each, nearly all alike: an honest batch that deflates to a small fraction of its size.
        let paragraph = "三栋二单元楼道内长期堆放纸箱、旧家具和电动车电池，阻塞消防通道，居民多次反映，物业称需业主自行清理。"
        func description(_ version: Int) -> String {
            let mark = "（第\(version)版）"
            return String(String(repeating: paragraph, count: 40).prefix(2_000 - mark.count)) + mark
        }
        let descriptions = (0...50).map(description)
        let stairs = try writer.addDemand("楼道堆物清理", description: descriptions[0])
        for text in descriptions.dropFirst() { try writer.update(stairs, "--description", text) }
        let textBytes = descriptions.reduce(0) { $0 + $1.utf8.count }

        let sent = try writer.sync()
        #expect(sent.compressed && sent.refused == nil)
        #expect(sent.pushed >= 51)
        #expect(sent.bytesSent * 10 < textBytes, "\(sent.bytesSent) bytes sent for \(textBytes) bytes of text")
        for reader in readers {
            let received = try reader.sync()
            #expect(received.compressed && received.pulled == sent.pushed, "\(reader.name): \(received)")
            #expect(
                received.bytesReceived * 10 < textBytes,
                "\(reader.name): \(received.bytesReceived) bytes received for \(textBytes) bytes of text")
        }
        try server.expectConverged([writer] + readers)
        let values = try #require(server.record(stairs)["values"] as? [String: Any])
        #expect(values["description"] as? String == descriptions[50])
        try server.expectKept(descriptions, in: "description", of: stairs)
    }
}
