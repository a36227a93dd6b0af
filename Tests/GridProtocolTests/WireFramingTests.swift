import CompressNIO
import GridMerge
import GridModel
import GridProtocol
import GridTesting
import NIOCore
import PropertyBased
import Testing

/// The framing of a connection: plain lines, then one deflate stream per direction, read
/// under the limits whatever way the bytes are cut.
@Suite struct WireFramingTests {
    static let messages = MessageReaderTests.messages.filter {
        if case .hello = $0 { return false }
        if case .welcome = $0 { return false }
        return true
    }

    /// Encodes a hello, then (if `deflate`) switches and encodes the rest, files' bytes framed as
    /// `version` frames them.
    static func bytes(_ messages: [Message], deflate: Bool, version: ProtocolVersion = .current) throws
        -> [ByteBuffer]
    {
        let encoder = WireEncoder(chunkFraming: version.chunkFraming)
        var chunks = [
            try encoder.encode(
                .hello(version: version.rawValue, replica: ReplicaID(rawValue: 1), token: "t", deflate: deflate))
        ]
        if deflate { try encoder.startDeflating() }
        for message in messages { chunks.append(try encoder.encode(message)) }
        return chunks
    }

    /// Feeds `bytes` in pieces of the given sizes and reads every message; switches to
    /// inflating after the first message if `deflate`.
    static func read(
        _ bytes: ByteBuffer, pieces: [Int], deflate: Bool, limits: Limits = .standard,
        version: ProtocolVersion = .current
    ) throws -> [Message] {
        let decoder = WireDecoder(limits: limits)
        var rest = bytes
        var sizes = pieces.makeIterator()
        var messages: [Message] = []
        while true {
            while let message = try decoder.next() {
                if messages.isEmpty {
                    decoder.admit(version: version)
                    if deflate { try decoder.startInflating() }
                }
                messages.append(message)
            }
            guard rest.readableBytes > 0 else { break }
            let size = min(max(1, sizes.next() ?? rest.readableBytes), rest.readableBytes)
            decoder.receive(rest.readSlice(length: size)!)
        }
        // Every byte of a whole conversation belongs to a message.
        if decoder.isMidMessage { throw ProtocolError(.badCount, "the bytes end part-way through a message") }
        return messages
    }

    static func joined(_ chunks: [ByteBuffer]) -> ByteBuffer {
        var all = ByteBuffer()
        for chunk in chunks { all.writeImmutableBuffer(chunk) }
        return all
    }

    @Test(arguments: [false, true])
    func messagesSurviveTheWireCutAnywhere(deflate: Bool) async throws {
        let all = Self.joined(try Self.bytes(Self.messages, deflate: deflate))
        let expected =
            [
                Message.hello(version: Message.version, replica: ReplicaID(rawValue: 1), token: "t", deflate: deflate)
            ] + Self.messages
        #expect(try Self.read(all, pieces: [], deflate: deflate) == expected)
        #expect(try Self.read(all, pieces: Array(repeating: 1, count: all.readableBytes), deflate: deflate) == expected)
        await propertyCheck(count: 60, input: Gen.int(in: 1...64).array(of: 1...200)) { pieces in
            #expect((try? Self.read(all, pieces: pieces, deflate: deflate)) == expected)
        }
    }

    @Test func compressionIsFlushedPerMessageAndSharesItsWindow() throws {
        let chunks = try Self.bytes(Array(repeating: Self.messages[0], count: 5), deflate: true)
        for chunk in chunks.dropFirst() {
            #expect(Array(chunk.readableBytesView.suffix(4)) == [0x00, 0x00, 0xff, 0xff])
        }
        // The same push again costs a fraction of the first: the window remembers it.
        #expect(chunks[2].readableBytes * 4 < chunks[1].readableBytes)
    }

    static func failure(_ bytes: ByteBuffer, deflate: Bool, limits: Limits = .standard) -> ProtocolError? {
        do {
            _ = try read(bytes, pieces: [], deflate: deflate, limits: limits)
            return nil
        } catch let error as ProtocolError {
            return error
        } catch {
            return ProtocolError(.internal, "\(error)")
        }
    }

    static func hello(deflate: Bool) -> ByteBuffer {
        ByteBuffer(string: "HELLO \(Message.version) 0000000000000001 t\(deflate ? " deflate" : "")\n")
    }

    /// Raw deflate of `text` with a sync flush, as a peer would send it.
    static func deflated(_ text: [UInt8]) throws -> ByteBuffer {
        let compressor = try ZlibCompressor(algorithm: .deflate)
        var input = ByteBuffer(bytes: text)
        var output = ByteBuffer()
        output.reserveCapacity(compressor.maxSize(from: input))
        try compressor.deflate(from: &input, to: &output, flush: .sync)
        return output
    }

    @Test func aLineThatNeverEndsIsRefusedAtTheLimit() {
        var bytes = Self.hello(deflate: false)
        bytes.writeString(String(repeating: "P", count: 70_000))
        #expect(Self.failure(bytes, deflate: false)?.code == .lineTooLong)
    }

    @Test func theHandshakeLineIsShort() {
        let bytes = ByteBuffer(string: "HELLO gridsync/1 0000000000000001 " + String(repeating: "t", count: 2_000))
        #expect(Self.failure(bytes, deflate: false)?.code == .lineTooLong)
    }

    @Test func aLineThatIsNotUTF8IsRefused() {
        var bytes = Self.hello(deflate: false)
        bytes.writeBytes([0x50, 0x55, 0xff, 0xfe, 0x0a])
        #expect(Self.failure(bytes, deflate: false)?.code == .malformedLine)
    }

    @Test func aDeflateBombIsStoppedBeforeItTakesMemory() throws {
        // 1,000 op lines of 60 KB each: 60 MB of text in a few hundred KB of deflate.
        let line = OpLine.text(
            OpLineTests.op(
                OpLineTests.id(0xa1, 1), 1_793_491_200_000, 0, "w001", field: "title",
                .assign(.text(String(repeating: "堆", count: 20_000)))))
        var text = Array("PUSH 1000 9\n".utf8)
        for _ in 0..<1_000 { text += Array(line.utf8) + [0x0a] }
        var bytes = Self.hello(deflate: true)
        let bomb = try Self.deflated(text)
        #expect(bomb.readableBytes < text.count / 100)
        bytes.writeImmutableBuffer(bomb)
        #expect(Self.failure(bytes, deflate: true)?.code == .tooLarge)
    }

    /// A photo's chunk between ops, as gridsync/4 sends it: the chunk is Huffman coded (it costs
    /// about its bytes on the wire, not their base64), the ops after it are matched again (they
    /// compress far), and every message reads back whatever way the bytes are cut.
    @Test func aGridsync4PhotosChunkBetweenOpsIsHuffmanCodedAndTheStreamStaysWhole() async throws {
        let (photo, file, chunk) = Self.photoChunk()
        let push = Self.messages.first { if case .push = $0 { true } else { false } }!
        let conversation = [push, chunk, push, .want(file: file, offset: 300_000), chunk, push]
        let chunks = try Self.bytes(conversation, deflate: true, version: .gridsync4)
        #expect(chunks[2].readableBytes < photo.count + photo.count / 50, "the chunk: \(chunks[2].readableBytes) bytes")
        #expect(chunks[2].readableBytes * 5 < chunk.textByteCount * 4, "not stored: base64's quarter is taken back")
        let pushText = push.textByteCount
        #expect(
            chunks[3].readableBytes * 2 < pushText,
            "ops after a chunk are matched: \(chunks[3].readableBytes) of \(pushText)")
        let all = Self.joined(chunks)
        let expected =
            [Message.hello(version: "gridsync/4", replica: ReplicaID(rawValue: 1), token: "t", deflate: true)]
            + conversation
        #expect(try Self.read(all, pieces: [], deflate: true, version: .gridsync4) == expected)
        await propertyCheck(count: 20, input: Gen.int(in: 1...70_000).array(of: 1...40)) { pieces in
            #expect((try? Self.read(all, pieces: pieces, deflate: true, version: .gridsync4)) == expected)
        }
    }

    /// 300,000 random bytes (line feeds among them), as a photo, and the `CHUNK` of all of them.
    static func photoChunk() -> (photo: [UInt8], file: FileID, chunk: Message) {
        var random = SeededGenerator(seed: 17)
        let photo = (0..<300_000).map { _ in UInt8.random(in: 0...255, using: &random) }
        let file = FileID(of: photo)
        return (photo, file, .chunk(file: file, size: 300_000, offset: 0, bytes: photo))
    }

    /// A photo's chunk between ops, as gridsync/5 sends it: its bytes as they are, line feeds
    /// among them, in stored blocks (no base64, no coding: they cost their own bytes and a
    /// little framing), the ops after it matched again, and every message read back whatever
    /// way the bytes are cut, compressed or not.
    @Test(arguments: [false, true])
    func aPhotosChunkTravelsAsItsBytesAndTheStreamStaysWhole(_ deflate: Bool) async throws {
        let (photo, file, chunk) = Self.photoChunk()
        #expect(photo.contains(0x0A))
        let push = Self.messages.first { if case .push = $0 { true } else { false } }!
        let conversation = [push, chunk, push, .want(file: file, offset: 300_000), chunk, push]
        let chunks = try Self.bytes(conversation, deflate: deflate)
        #expect(chunks[2].readableBytes < photo.count + 200, "the chunk: \(chunks[2].readableBytes) bytes")
        if deflate {
            #expect(
                chunks[3].readableBytes * 2 < push.textByteCount,
                "ops after a chunk are matched: \(chunks[3].readableBytes) of \(push.textByteCount)")
        }
        let all = Self.joined(chunks)
        let expected =
            [Message.hello(version: Message.version, replica: ReplicaID(rawValue: 1), token: "t", deflate: deflate)]
            + conversation
        #expect(try Self.read(all, pieces: [], deflate: deflate) == expected)
        await propertyCheck(count: 20, input: Gen.int(in: 1...70_000).array(of: 1...40)) { pieces in
            #expect((try? Self.read(all, pieces: pieces, deflate: deflate)) == expected)
        }
    }

    /// A `CHUNK` whose bytes are not as many as its header says loses the framing: the byte
    /// after them is not a line feed, and the connection is refused, not read on askew. One
    /// that announces more bytes than a chunk carries is refused at its header.
    @Test func aChunkWhoseBytesAreNotAsAnnouncedIsRefused() {
        let file = FileID(of: Array("门口照片".utf8))
        var short = Self.hello(deflate: false)
        short.writeString("CHUNK \(file) 12 0 12\n门口照\nHAVE \(file)\n")
        #expect(Self.failure(short, deflate: false)?.message.contains("not followed by a line feed") == true)
        var long = Self.hello(deflate: false)
        long.writeString("CHUNK \(file) 99000000 0 \(Limits.standard.fileChunkBytes + 1)\n")
        #expect(Self.failure(long, deflate: false)?.code == .malformedLine)
        var pastTheEnd = Self.hello(deflate: false)
        pastTheEnd.writeString("CHUNK \(file) 12 4 12\n门口照片\n")
        #expect(Self.failure(pastTheEnd, deflate: false)?.code == .malformedLine)
        var whole = Self.hello(deflate: false)
        whole.writeString("CHUNK \(file) 12 0 12\n门口照片\n")
        #expect(Self.failure(whole, deflate: false) == nil)
    }

    @Test func honestDataThatCompressesFarIsReadWhole() throws {
        // Fifty edits of one long description, pushed, then pulled back in a second message
        // on the same stream: the shared window makes the second compress far beyond the
        // 200:1 ratio that the old bomb guard allowed, and both must still be read.
        let description = String(repeating: "楼道堆放纸箱杂物。", count: 222)
        var text = Array("PUSH 50 50\n".utf8)
        var ops: [Op] = []
        for sequence in 1...50 {
            let op = Op(
                id: OpID(replica: ReplicaID(rawValue: 0xa1), sequence: UInt64(sequence)),
                clock: HybridTimestamp(milliseconds: 1_793_491_200_000, counter: UInt16(sequence)),
                author: WorkerID("w001")!, recordType: .demand,
                recordID: RecordID("5f0e2a1c-3b4d-4e5f-8a9b-0c1d2e3f4a5b")!, scope: GridScope("c01/g01")!,
                field: "description", payload: .assign(.text(description + "\(sequence)")),
                parents: sequence > 1 ? [OpID(replica: ReplicaID(rawValue: 0xa1), sequence: UInt64(sequence - 1))] : [])
            ops.append(op)
            text += Array(OpLine.text(op).utf8) + [0x0a]
        }
        let compressor = try ZlibCompressor(algorithm: .deflate)
        var bytes = Self.hello(deflate: true)
        var sizes: [Int] = []
        for _ in 0..<2 {
            var input = ByteBuffer(bytes: text)
            var output = ByteBuffer()
            output.reserveCapacity(compressor.maxSize(from: input))
            try compressor.deflate(from: &input, to: &output, flush: .sync)
            sizes.append(output.readableBytes)
            bytes.writeImmutableBuffer(output)
        }
        #expect(text.count > 200 * sizes[1], "the second message compresses past 200:1 (\(text.count) to \(sizes[1]))")
        let messages = try Self.read(bytes, pieces: [], deflate: true)
        #expect(messages.count == 3)
        #expect(messages.dropFirst().allSatisfy { $0 == .push(through: 50, ops: ops) })
    }

    @Test func aCorruptDeflateStreamIsRefused() {
        var bytes = Self.hello(deflate: true)
        bytes.writeBytes([0xff, 0xff, 0xff, 0xff, 0x00, 0x12, 0x34])
        #expect(Self.failure(bytes, deflate: true)?.code == .badDeflate)
    }

    @Test func bytesAfterTheEndOfTheStreamAreRefused() throws {
        let compressor = try ZlibCompressor(algorithm: .deflate)
        var input = ByteBuffer(string: "BYE\n")
        var ended = ByteBuffer()
        ended.reserveCapacity(compressor.maxSize(from: input) + 16)
        try? compressor.deflate(from: &input, to: &ended, flush: .finish)
        var bytes = Self.hello(deflate: true)
        bytes.writeImmutableBuffer(ended)
        bytes.writeString("BYE\n")
        let decoder = WireDecoder()
        decoder.receive(bytes)
        #expect(throws: Never.self) { _ = try decoder.next() }
        try decoder.startInflating()
        #expect(try decoder.next() == .bye)
        #expect(throws: ProtocolError.self) { _ = try decoder.next() }
    }

    @Test func aTruncatedStreamLeavesAHalfMessageAndNothingElse() throws {
        let chunks = try Self.bytes([.push(through: 12, ops: OpLineTests.vectorOps)], deflate: true)
        let decoder = WireDecoder()
        decoder.receive(chunks[0])
        _ = try decoder.next()
        try decoder.startInflating()
        var push = chunks[1]
        decoder.receive(push.readSlice(length: push.readableBytes / 2)!)
        #expect(try decoder.next() == nil)
        #expect(decoder.isMidMessage)
    }

    @Test func arbitraryBytesNeverCrashTheDecoder() async {
        await propertyCheck(count: 300, input: Gen<UInt8>.value(in: 0...255).array(of: 0...4000), Gen.bool) {
            bytes, deflate in
            var buffer = Self.hello(deflate: deflate)
            buffer.writeBytes(bytes)
            _ = Self.failure(buffer, deflate: deflate)
        }
    }
}

/// The daemon-wide budget for messages being read: what one connection's unfinished
/// message holds, the others cannot take, and it comes back when the message is whole or
/// the connection ends.
@Suite struct MessageBudgetTests {
    /// A `PUSH` header announcing `count` ops, and that many op lines.
    static func push(_ count: Int) -> (header: String, lines: [String]) {
        let line = OpLine.text(OpLineTests.vectorOps[0])
        return ("PUSH \(count) 1\n", Array(repeating: line + "\n", count: count))
    }

    /// A decoder past its handshake, reading plain lines.
    static func admitted(_ budget: MessageBudget) throws -> WireDecoder {
        let decoder = WireDecoder(budget: budget)
        decoder.receive(WireFramingTests.hello(deflate: false))
        _ = try decoder.next()
        decoder.admit()
        return decoder
    }

    @Test func unfinishedMessagesCannotTakeMoreThanTheBudgetTogether() throws {
        let (header, lines) = Self.push(40)
        let lineBytes = lines[0].utf8.count
        // What the first `count` lines of the push hold, measured with room to spare: twice their
        // text (its bytes, and the ops parsed from them), and the buffer holding what is unread.
        func cost(_ count: Int) throws -> Int {
            let roomy = MessageBudget(capacity: 1 << 30)
            let decoder = try Self.admitted(roomy)
            decoder.receive(ByteBuffer(string: header + lines.prefix(count).joined()))
            _ = try decoder.next()
            return roomy.inUse
        }
        let (twenty, twentyFive) = (try cost(20), try cost(25))
        #expect(twenty >= WireDecoder.budgetBytesPerTextByte * 20 * lineBytes && twentyFive > twenty)
        // Room for the first 20 lines of one push and all but a byte of 25 of another.
        let budget = MessageBudget(capacity: twenty + twentyFive - 1)
        do {
            let first = try Self.admitted(budget)
            #expect(budget.inUse == 0, "the handshake's short lines take nothing from the budget")
            first.receive(ByteBuffer(string: header + lines.prefix(20).joined()))
            #expect(try first.next() == nil, "the first push is half-sent")
            #expect(budget.inUse == twenty)
            let second = try Self.admitted(budget)
            second.receive(ByteBuffer(string: header + lines.prefix(25).joined()))
            #expect {
                _ = try second.next()
            } throws: { error in
                (error as? ProtocolError)?.code == .unavailable
            }
        }
        // Both connections ended: what they held came back, and a new one reads a whole push.
        #expect(budget.inUse == 0)
        let third = try Self.admitted(budget)
        third.receive(ByteBuffer(string: header + lines.prefix(25).joined()))
        #expect(try third.next() == nil)
        third.receive(ByteBuffer(string: lines.prefix(15).joined()))
        guard case .push(_, let ops) = try third.next() else {
            Issue.record("the third connection's push was not read")
            return
        }
        #expect(ops.count == 40)
        #expect(budget.inUse == 0, "a whole message holds nothing once it is taken")
    }
}
