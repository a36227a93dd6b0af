import CompressNIO
import Foundation
import GridMerge
import GridModel
import GridProtocol
import NIOCore
import Testing

/// Every kind of bad input a client can send the real daemon: each gets its documented
/// `ERR` code and a log line, stores nothing of the rejected message, and leaves the
/// daemon serving other connections.
@Suite struct DaemonBadInputTests {
    static let worker = ReplicaID(rawValue: 0xa1)
    static let other = ReplicaID(rawValue: 0xb2)

    /// A daemon with w001 and w002 in c01/g01, and w009 revoked.
    final class Setup {
        let daemon: DaemonProcess
        let token: String
        let otherToken: String
        let revokedToken: String

        init(environment: [String: String] = [:]) throws {
            daemon = try DaemonProcess(environment: environment, plain: true)
            token = try daemon.addWorker("w001", scopes: ["c01/g01"])
            otherToken = try daemon.addWorker("w002", scopes: ["c01/g01"])
            revokedToken = try daemon.addWorker("w009", scopes: ["c01/g01"])
            let revoked = try daemon.command("worker", "revoke", "w009")
            #expect(revoked.status == 0, "\(revoked.error)")
        }

        /// A connection that has said hello and been welcomed (plain).
        func welcomed(_ replica: ReplicaID = DaemonBadInputTests.worker, token: String? = nil) throws -> RawPeer {
            let peer = try RawPeer(port: daemon.port)
            peer.send(RawPeer.hello(replica, token: token ?? self.token))
            let lines = peer.readLines(1)
            #expect(lines.first?.hasPrefix("WELCOME ") == true, "\(lines)")
            return peer
        }

        /// The ops stored in the daemon's replica.
        func storedOps() throws -> Int {
            let result = try GridsyncBinary.run(
                executable: GridsyncBinary.executable, ["status", "--json", "--data", daemon.data.path],
                environment: [:])
            let status = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
            return status?["opCount"] as? Int ?? -1
        }

        /// Checks the daemon still serves a well-behaved client, and logged `code`.
        func expectStillServing(loggedCode code: String?, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let peer = try welcomed(DaemonBadInputTests.other, token: otherToken)
            peer.send("BYE\n")
            #expect(peer.readLines(2).last == "BYE", sourceLocation: sourceLocation)
            #expect(daemon.isRunning, sourceLocation: sourceLocation)
            guard let code else { return }
            let deadline = Date().addingTimeInterval(5)
            while !daemon.log.contains("code=\(code)"), Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            #expect(daemon.log.contains("code=\(code)"), "no log line for \(code)", sourceLocation: sourceLocation)
        }

        func cleanUp() { daemon.cleanUp() }
    }

    /// Sends `text` after the welcome and expects the connection closed with `code`.
    static func expectRefusal(_ text: String, code: String, welcomed: Bool = true) throws {
        let setup = try Setup()
        defer { setup.cleanUp() }
        let peer = welcomed ? try setup.welcomed() : try RawPeer(port: setup.daemon.port)
        peer.send(text)
        #expect(peer.readUntilClosed(), "the daemon kept the connection open")
        #expect(peer.errorCode == code, "\(peer.receivedLines)")
        #expect(try setup.storedOps() == 0)
        try setup.expectStillServing(loggedCode: code)
    }

    @Test func anUnknownLineIsMalformed() throws {
        try Self.expectRefusal("FETCH everything\n", code: "malformed-line", welcomed: false)
    }

    @Test func aMalformedLineAfterTheWelcomeIsMalformed() throws {
        try Self.expectRefusal("PUSH two 5\n", code: "malformed-line")
    }

    @Test func aMalformedOpLineIsRefusedAndNothingOfTheBatchStored() throws {
        let good = OpLine.text(RawPeer.op(Self.worker, 1))
        try Self.expectRefusal("PUSH 2 2\n\(good)\nOP 00000000000000a1.2 not an op\n", code: "malformed-op")
    }

    /// A photo's bytes (gridsync/5) fewer than the CHUNK header says: the byte after them is
    /// not a line feed, so the framing is lost and the connection refused, not read on askew;
    /// a header announcing more than a chunk carries is refused before any byte is read.
    @Test func aChunkWhoseBytesAreNotAsAnnouncedIsRefused() throws {
        let file = FileID(of: Array("门口照片".utf8))
        try Self.expectRefusal("CHUNK \(file) 12 0 12\n门口照\nHAVE \(file)\n", code: "malformed-line")
        try Self.expectRefusal(
            "CHUNK \(file) 9000000 0 \(Limits.standard.fileChunkBytes + 1)\n", code: "malformed-line")
    }

    @Test func aLineOverTheLimitIsRefused() throws {
        try Self.expectRefusal(String(repeating: "X", count: 70_000) + "\n", code: "line-too-long")
    }

    @Test func aLongLineBeforeAuthenticationIsRefusedSooner() throws {
        try Self.expectRefusal(
            "HELLO gridsync/1 00000000000000a1 " + String(repeating: "t", count: 2_000), code: "line-too-long",
            welcomed: false)
    }

    @Test func aLineThatNeverEndsTimesOut() throws {
        let setup = try Setup(environment: ["GRIDSYNCD_HANDSHAKE_TIMEOUT": "1"])
        defer { setup.cleanUp() }
        let peer = try RawPeer(port: setup.daemon.port)
        peer.send("HELLO gridsync/1 00000000000000a1 ")
        #expect(peer.readUntilClosed())
        #expect(peer.errorCode == "timeout", "\(peer.receivedLines)")
        try setup.expectStillServing(loggedCode: "timeout")
    }

    @Test func aSilentClientTimesOut() throws {
        let setup = try Setup(environment: ["GRIDSYNCD_IDLE_TIMEOUT": "1"])
        defer { setup.cleanUp() }
        let peer = try setup.welcomed()
        #expect(peer.readUntilClosed())
        #expect(peer.errorCode == "timeout", "\(peer.receivedLines)")
        try setup.expectStillServing(loggedCode: "timeout")
    }

    @Test func aBatchWhoseCountDoesNotMatchIsRefused() throws {
        try Self.expectRefusal(
            RawPeer.push([RawPeer.op(Self.worker, 1)], through: 1).replacingOccurrences(of: "PUSH 1", with: "PUSH 2")
                + "BYE\n", code: "bad-count")
    }

    @Test(arguments: ["gst_not-a-token", "revoked"])
    func aWrongOrRevokedTokenIsUnauthorized(token: String) throws {
        let setup = try Setup()
        defer { setup.cleanUp() }
        let peer = try RawPeer(port: setup.daemon.port)
        peer.send(RawPeer.hello(Self.worker, token: token == "revoked" ? setup.revokedToken : token))
        #expect(peer.readUntilClosed())
        #expect(peer.errorCode == "unauthorized", "\(peer.receivedLines)")
        if token == "revoked" { #expect(peer.receivedLines.first?.contains("revoked") == true) }
        try setup.expectStillServing(loggedCode: "unauthorized")
    }

    @Test func aReplicaOfAnotherWorkerIsUnauthorized() throws {
        let setup = try Setup()
        defer { setup.cleanUp() }
        try setup.welcomed(Self.worker).send("BYE\n")
        let peer = try RawPeer(port: setup.daemon.port)
        peer.send(RawPeer.hello(Self.worker, token: setup.otherToken))
        #expect(peer.readUntilClosed())
        #expect(peer.errorCode == "unauthorized", "\(peer.receivedLines)")
    }

    /// Sends a push that is refused as a whole but leaves the connection open.
    static func expectBatchRefused(_ ops: [Op], code: String) throws {
        try expectRefused(RawPeer.push(ops, through: Int64(ops.last!.id.sequence)), code: code)
    }

    /// Sends `accepted` as a push that the daemon takes, then `message`, which it refuses as
    /// a whole with `code`, leaving the connection open and storing nothing of it.
    static func expectRefused(_ message: String, after accepted: [Op] = [], code: String) throws {
        let setup = try Setup()
        defer { setup.cleanUp() }
        let peer = try setup.welcomed()
        if !accepted.isEmpty {
            peer.send(RawPeer.push(accepted, through: Int64(accepted.last!.id.sequence)))
            #expect(peer.readLines(2).last?.hasPrefix("ACK ") == true)
        }
        peer.send(message)
        peer.send("BYE\n")
        let lines = peer.readLines(accepted.isEmpty ? 3 : 4).suffix(2)
        #expect(lines.first?.hasPrefix("ERR \(code) ") == true && lines.last == "BYE", "\(lines)")
        #expect(try setup.storedOps() == accepted.count)
        try setup.expectStillServing(loggedCode: code)
    }

    @Test func anOpIDTheDaemonHoldsWithOtherContentIsRefused() throws {
        let first = RawPeer.op(Self.worker, 1, text: "楼道堆物")
        let copy = RawPeer.op(Self.worker, 1, text: "另一台电脑写的", record: first.recordID)
        try Self.expectRefused(RawPeer.push([copy], through: 1), after: [first], code: "reused-id")
    }

    @Test func forgedHistoryIsRefused() throws {
        // A parent that is another replica's future op.
        var forged = RawPeer.op(Self.worker, 1)
        forged = Op(
            id: forged.id, clock: forged.clock, author: forged.author, recordType: forged.recordType,
            recordID: forged.recordID, scope: forged.scope, field: forged.field, payload: forged.payload,
            parents: [OpID(replica: Self.other, sequence: 99)])
        try Self.expectBatchRefused([forged], code: "bad-parents")
        // An op that skips its writer's earlier ones.
        try Self.expectBatchRefused([RawPeer.op(Self.worker, 2)], code: "bad-parents")
    }

    @Test func givingBackToADaemonNeverRestoredIsRefused() throws {
        let message = Message.giveBack(through: 7, ops: [RawPeer.op(Self.other, 1, author: "w002")])
        try Self.expectRefused(message.lines.joined(separator: "\n") + "\n", code: "refused")
    }

    @Test func nobodySaysHelloAsTheDaemon() throws {
        let setup = try Setup()
        defer { setup.cleanUp() }
        let welcome = try setup.welcomed()
        welcome.send("BYE\n")
        let daemonReplica = try #require(
            welcome.receivedLines.first?.split(separator: " ").dropFirst(2).first.flatMap { ReplicaID(String($0)) })
        let peer = try RawPeer(port: setup.daemon.port)
        peer.send(RawPeer.hello(daemonReplica, token: setup.token))
        #expect(peer.readUntilClosed())
        #expect(peer.errorCode == "unauthorized", "\(peer.receivedLines)")
        try setup.expectStillServing(loggedCode: "unauthorized")
    }

    @Test func anOpOutsideTheTokensScopesIsRefused() throws {
        try Self.expectBatchRefused(
            [RawPeer.op(Self.worker, 1), RawPeer.op(Self.worker, 2, scope: "c01/g02")], code: "out-of-scope")
    }

    @Test func anOpOfAnotherWorkerIsRefused() throws {
        try Self.expectBatchRefused(
            [RawPeer.op(Self.worker, 1), RawPeer.op(Self.worker, 2, author: "w002")], code: "wrong-writer")
    }

    @Test func anOpWhoseClockIsTooFarAheadIsRefused() throws {
        try Self.expectBatchRefused(
            [RawPeer.op(Self.worker, 1), RawPeer.op(Self.worker, 2, clockAhead: 3_600_000)], code: "refused")
    }

    @Test func aBatchWithAnOpTwiceIsRefused() throws {
        let op = RawPeer.op(Self.worker, 1)
        try Self.expectBatchRefused([op, op], code: "duplicate-op")
    }

    /// A compressed connection: hello with deflate, then `body` sent as raw bytes.
    static func expectCompressedRefusal(_ body: ByteBuffer, code: String) throws {
        let setup = try Setup()
        defer { setup.cleanUp() }
        let peer = try RawPeer(port: setup.daemon.port)
        peer.send(RawPeer.hello(Self.worker, token: setup.token, deflate: true))
        peer.send(body)
        #expect(peer.readUntilClosed())
        let messages = try peer.receivedMessages()
        #expect(messages.count == 2, "\(messages)")
        guard case .error(let error) = messages.last else {
            Issue.record("no error: \(messages)")
            return
        }
        #expect(error.code.rawValue == code)
        #expect(try setup.storedOps() == 0)
        try setup.expectStillServing(loggedCode: code)
    }

    static func deflated(_ text: [UInt8]) throws -> ByteBuffer {
        let compressor = try ZlibCompressor(algorithm: .deflate)
        var input = ByteBuffer(bytes: text)
        var output = ByteBuffer()
        output.reserveCapacity(compressor.maxSize(from: input))
        try compressor.deflate(from: &input, to: &output, flush: .sync)
        return output
    }

    @Test func aDeflateBombIsRefused() throws {
        // 300 op lines of 60 KB each: 18 MB of lines, past the 16 MiB limit, in a few KB.
        let text = String(repeating: "堆", count: 20_000)
        var lines = Array("PUSH 300 300\n".utf8)
        for sequence in 1...300 {
            lines += Array(OpLine.text(RawPeer.op(Self.worker, UInt64(sequence), text: text)).utf8) + [0x0a]
        }
        let bomb = try Self.deflated(lines)
        #expect(bomb.readableBytes * 100 < lines.count)
        try Self.expectCompressedRefusal(bomb, code: "too-large")
    }

    @Test func aCorruptDeflateStreamIsRefused() throws {
        try Self.expectCompressedRefusal(ByteBuffer(bytes: [0xff, 0xee, 0xdd, 0xcc, 0x00, 0x11]), code: "bad-deflate")
    }

    @Test func aTruncatedDeflateStreamStoresNothing() throws {
        let setup = try Setup()
        defer { setup.cleanUp() }
        let peer = try RawPeer(port: setup.daemon.port)
        peer.send(RawPeer.hello(Self.worker, token: setup.token, deflate: true))
        let ops = (1...50).map { RawPeer.op(Self.worker, UInt64($0)) }
        let push = try Self.deflated(Array(RawPeer.push(ops, through: 50).utf8))
        peer.send(push.getSlice(at: push.readerIndex, length: push.readableBytes / 2)!)
        _ = peer.readLines(1, seconds: 0.5)
        peer.hangUp()
        let deadline = Date().addingTimeInterval(5)
        while !setup.daemon.log.contains("ending=cut"), Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        #expect(setup.daemon.log.contains("ending=cut"))
        #expect(try setup.storedOps() == 0)
        try setup.expectStillServing(loggedCode: nil)
    }
}
