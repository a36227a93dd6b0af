import Foundation
import GridMerge
import GridModel
import GridProtocol
import Testing

/// The office upgrades its daemon first, then its laptops one by one. Meanwhile a laptop still
/// on gridsync/4 (a photo's bytes in lines of base64) and one on gridsync/5 (the bytes as they
/// are) sync photos with the same real daemon, each in its own framing, and each receives the
/// other's photo whole.
@Suite struct ProtocolUpgradeTests {
    @Test func aGridsync4LaptopAndAnUpgradedOneSharePhotosThroughOneDaemon() throws {
        let daemon = try DaemonProcess(plain: true)
        defer { daemon.cleanUp() }
        let token = try daemon.addWorker("w001", scopes: ["c01/g01"])
        let upgraded = try FieldLaptop(daemon: daemon, worker: "w002", scope: "c01/g01")
        defer { upgraded.cleanUp() }

        // The gridsync/4 laptop records a demand with a photo of 100,000 bytes (three lines of
        // base64 in its CHUNK), and sends both.
        let photo = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
        let file = FileID(of: photo)
        let replica = ReplicaID(rawValue: 0x4a1)
        let record = RecordID()
        let described = RawPeer.op(replica, 1, record: record)
        let attached = Op(
            id: OpID(replica: replica, sequence: 2), clock: described.clock, author: described.author,
            recordType: .demand, recordID: record, scope: described.scope, field: "photos",
            payload: .add(file.rawValue), parents: [described.id])
        let old = try RawPeer(port: daemon.port)
        old.send("HELLO gridsync/4 \(replica) \(token)\n")
        #expect(old.readLines(1).first?.hasPrefix("WELCOME gridsync/4 ") == true, "\(old.receivedLines)")
        old.send(RawPeer.push([described, attached], through: 2))
        old.send("OFFER \(file) \(photo.count)\n")
        let chunk = Message.chunk(file: file, size: Int64(photo.count), offset: 0, bytes: photo)
        #expect(chunk.lines.count == 4, "a header and three lines of base64")
        old.send(chunk.lines.joined(separator: "\n") + "\n")
        #expect(old.readLines(4).dropFirst() == ["ACK 2", "WANT \(file) 0", "HAVE \(file)"], "\(old.receivedLines)")
        old.send("BYE\n")
        old.readUntilClosed()

        // The upgraded laptop receives it whole, in gridsync/5's framing.
        try upgraded.sync()
        let opened = try #require(try upgraded.gridsync.json("open", "\(record)", "--json") as? [[String: Any]])
        let path = try #require(opened.first?["path"] as? String, "\(opened)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(photo))

        // It attaches a photo of its own to the demand; the gridsync/4 laptop fetches it in base64.
        let own = Data((0..<60_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) })
        let ownPath = FileManager.default.temporaryDirectory.appendingPathComponent("upgrade-\(UUID()).jpg")
        try own.write(to: ownPath)
        defer { try? FileManager.default.removeItem(at: ownPath) }
        _ = try upgraded.gridsync.succeed("attach", "\(record)", ownPath.path)
        try upgraded.sync()
        let ownFile = FileID(of: own)
        let fetching = try RawPeer(port: daemon.port)
        fetching.send("HELLO gridsync/4 \(replica) \(token)\n")
        fetching.send("FETCH \(ownFile) 0\n")
        let lines = fetching.readLines(4).dropFirst()
        #expect(lines.first == "CHUNK \(ownFile) 60000 0 2", "\(fetching.receivedLines.map { $0.prefix(90) })")
        var reader = MessageReader(chunkFraming: .base64Lines)
        let fetched = try lines.compactMap { try reader.read($0[...]) }
        #expect(fetched == [.chunk(file: ownFile, size: 60_000, offset: 0, bytes: Array(own))])
        fetching.send("BYE\n")
        fetching.readUntilClosed()
    }
}
