import GridMerge
import GridModel
import GridProtocol
import Testing

/// The message grammar: every message survives its lines, and bad lines are refused with their code.
@Suite struct MessageReaderTests {
    static let op = OpLineTests.vectorOps[0]

    static let messages: [Message] = [
        .hello(version: Message.version, replica: ReplicaID(rawValue: 1), token: "Abc.123_~+/=-", deflate: true),
        .hello(version: Message.version, replica: ReplicaID(rawValue: 1), token: "t", deflate: false),
        .welcome(
            version: Message.version, replica: ReplicaID(rawValue: 0xaa), read: [GridScope("c01")!],
            write: [GridScope("c01/g01")!, GridScope("c01/g02")!], limits: Limits(lineBytes: 4096, opsPerBatch: 50),
            heldThrough: 7, serverTime: 1_793_491_200_000, lineage: [], deflate: false),
        .welcome(
            version: Message.version, replica: ReplicaID(rawValue: 0xaa), read: [], write: [], limits: .standard,
            heldThrough: 0, serverTime: 0, lineage: [ReplicaID(rawValue: 0x5e), ReplicaID(rawValue: 0x4d)],
            deflate: true),
        .push(through: Int64(OpLineTests.vectorOps.last!.id.sequence), ops: OpLineTests.vectorOps),
        .recover(after: 3, limit: 5_000),
        .giveBack(through: 40, ops: OpLineTests.vectorOps),
        .ack(through: 12),
        .pull(after: 0, limit: 500),
        .batch(through: 99, more: true, ops: [op]),
        .batch(through: 99, more: false, ops: []),
        .error(ProtocolError(.outOfScope, "op 00000000000000a1.1 is in c01/g01")),
        .bye,
    ]

    @Test func everyMessageSurvivesItsLines() throws {
        for message in Self.messages {
            var reader = MessageReader()
            var read: Message?
            for (index, line) in message.lines.enumerated() {
                read = try reader.read(line[...])
                #expect((read == nil) == (index < message.lines.count - 1))
            }
            #expect(read == message)
            #expect(reader.isIdle)
        }
    }

    @Test(arguments: [
        ("HELLO gridsync/1 0000000000000001", ProtocolError.Code.malformedLine),
        ("HELLO gridsync/1 0000000000000001 has space", .malformedLine),
        ("HELLO gridsync/1 0000000000000001 tok gzip", .malformedLine),
        ("PUSH \(Limits.standard.opsPerBatch + 1) 5", .badCount),
        ("PUSH -1 5", .malformedLine),
        ("PUSH 01 5", .malformedLine),
        ("PUSH 0 5", .malformedLine),
        ("RETURN 0 5", .malformedLine),
        ("RECOVER 5 0", .malformedLine),
        ("BATCH 1 5 2", .malformedLine),
        ("PULL 5 0", .malformedLine),
        ("ACK", .malformedLine),
        ("BYE now", .malformedLine),
        ("FETCH 1", .malformedLine),
        ("", .malformedLine),
    ])
    func badLinesAreRefused(line: String, code: ProtocolError.Code) {
        var reader = MessageReader()
        #expect {
            _ = try reader.read(line[...])
        } throws: { error in
            (error as? ProtocolError)?.code == code
        }
    }

    @Test func anErrorMessageNeverBreaksItsLine() {
        let lines = Message.error(ProtocolError(.refused, "first\r\nsecond\nthird\rfourth")).lines
        #expect(lines == ["ERR refused first  second third fourth"])
    }

    @Test func aLineOverTheLimitIsRefused() {
        var reader = MessageReader(limits: Limits(lineBytes: 100, opsPerBatch: 10))
        #expect {
            _ = try reader.read(String(repeating: "A", count: 101)[...])
        } throws: { error in
            (error as? ProtocolError)?.code == .lineTooLong
        }
    }

    @Test func aBatchWithFewerOpsThanAnnouncedIsRefused() throws {
        var reader = MessageReader()
        #expect(try reader.read("BATCH 2 9 0"[...]) == nil)
        #expect(try reader.read(OpLine.text(Self.op)[...]) == nil)
        #expect {
            _ = try reader.read("BYE"[...])
        } throws: { error in
            (error as? ProtocolError)?.code == .badCount
        }
    }
}
