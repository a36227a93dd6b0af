import Foundation
import GridMerge
import GridModel
import GridProtocol
import NIOCore
import Testing

/// One valid token used badly, and one idle socket, against the real daemon: neither can
/// hold the daemon's connections or memory, and every refusal reaches its client.
@Suite struct DaemonLimitsTests {
    static let replica = ReplicaID(rawValue: 0xa1)
    /// What the daemon keeps for itself out of `GRIDSYNCD_MEMORY` (deploy/OPERATIONS.md): the rest is the connections'.
    static let ownMemory = 64 * 1024 * 1024

    /// A connection that has said hello with `token` as `replica` and been welcomed.
    static func welcomed(_ daemon: DaemonProcess, _ replica: ReplicaID, token: String) throws -> RawPeer {
        let peer = try RawPeer(port: daemon.port)
        peer.send(RawPeer.hello(replica, token: token))
        let lines = peer.readLines(1)
        try #require(lines.first?.hasPrefix("WELCOME ") == true, "\(lines)")
        return peer
    }

    @Test func oneTokenCannotHoldEverySlot() throws {
        let daemon = try DaemonProcess(environment: ["GRIDSYNCD_MAX_CONNECTIONS_PER_WORKER": "3"], plain: true)
        defer { daemon.cleanUp() }
        let token = try daemon.addWorker("w001", scopes: ["c01/g01"])
        let otherToken = try daemon.addWorker("w002", scopes: ["c01/g01"])
        let tokenFile = daemon.data.appendingPathComponent("w002.token")
        try Data(otherToken.utf8).write(to: tokenFile)
        // The token's holder opens connections from three laptops' ids and keeps them open.
        let held = try (1...3).map { try Self.welcomed(daemon, ReplicaID(rawValue: 0xa0 + UInt64($0)), token: token) }
        let fourth = try RawPeer(port: daemon.port)
        fourth.send(RawPeer.hello(ReplicaID(rawValue: 0xa4), token: token))
        #expect(
            fourth.readLines(1).first?.hasPrefix("ERR too-many-connections 3 connections with the token of w001")
                == true, "\(fourth.receivedLines)")
        // Another worker's laptop syncs all along.
        let laptop = GridsyncBinary()
        defer { laptop.cleanUp() }
        try laptop.succeed("init", "--worker", "w002", "--grid", "c01/g01")
        try laptop.succeed("demand", "add", "--title", "楼道堆物清理", "--category", "消防安全")
        try laptop.succeed(
            "sync", "--server", daemon.address, "--plain", "--token-file", tokenFile.path)
        // When one of the held connections ends, the token may connect again.
        held[0].hangUp()
        Thread.sleep(forTimeInterval: 0.3)
        let again = try RawPeer(port: daemon.port)
        again.send(RawPeer.hello(ReplicaID(rawValue: 0xa4), token: token))
        #expect(again.readLines(1).first?.hasPrefix("WELCOME ") == true, "\(again.receivedLines)")
        #expect(daemon.log.contains("code=too-many-connections"))
    }

    @Test func aTrickleOfBytesDoesNotKeepAConnectionOpen() throws {
        let daemon = try DaemonProcess(
            environment: ["GRIDSYNCD_MESSAGE_TIMEOUT": "2", "GRIDSYNCD_IDLE_TIMEOUT": "30"], plain: true)
        defer { daemon.cleanUp() }
        let token = try daemon.addWorker("w001", scopes: ["c01/g01"])
        let peer = try Self.welcomed(daemon, Self.replica, token: token)
        // One byte every half second: each would have put off an idle timeout for ever.
        let push = RawPeer.push([RawPeer.op(Self.replica, 1)], through: 1)
        let started = Date()
        for byte in push.utf8.prefix(40) {
            peer.send(ByteBuffer(bytes: [byte]))
            if peer.readLines(2, seconds: 0.5).count > 1 { break }
        }
        let lines = peer.readLines(2, seconds: 10)
        let elapsed = Date().timeIntervalSince(started)
        #expect(lines.last?.hasPrefix("ERR timeout a message did not arrive whole in time") == true, "\(lines)")
        #expect(elapsed < 8, "the message deadline is 2 s, not put off by each byte: \(elapsed) s")
    }

    @Test func aSilentConnectionIsClosedAtTheIdleTimeout() throws {
        let daemon = try DaemonProcess(environment: ["GRIDSYNCD_IDLE_TIMEOUT": "1"], plain: true)
        defer { daemon.cleanUp() }
        let token = try daemon.addWorker("w001", scopes: ["c01/g01"])
        let peer = try Self.welcomed(daemon, Self.replica, token: token)
        #expect(peer.readUntilClosed(seconds: 15))
        #expect(peer.receivedLines.last?.hasPrefix("ERR timeout nothing arrived for too long") == true)
    }

    @Test func wrongTokensFromOneAddressMustWait() throws {
        let daemon = try DaemonProcess(environment: ["GRIDSYNCD_TOKEN_FAILURES": "3"], plain: true)
        defer { daemon.cleanUp() }
        let token = try daemon.addWorker("w001", scopes: ["c01/g01"])
        for guess in 0..<3 {
            let peer = try RawPeer(port: daemon.port)
            peer.send(RawPeer.hello(Self.replica, token: "gst_guess\(guess)"))
            #expect(peer.readLines(1).first?.hasPrefix("ERR unauthorized") == true, "\(peer.receivedLines)")
        }
        // The fourth try from that address is refused before its token is looked at, right or wrong.
        let blocked = try RawPeer(port: daemon.port)
        blocked.send(RawPeer.hello(Self.replica, token: token))
        #expect(
            blocked.readLines(1).first?.hasPrefix("ERR too-many-failures too many wrong tokens came from 127.0.0.1")
                == true, "\(blocked.receivedLines)")
        // A laptop on another address is not held back by them.
        let elsewhere = try RawPeer(port: daemon.port, from: "127.0.0.2")
        elsewhere.send(RawPeer.hello(Self.replica, token: token))
        #expect(elsewhere.readLines(1).first?.hasPrefix("WELCOME ") == true, "\(elsewhere.receivedLines)")
        #expect(daemon.log.contains("code=too-many-failures"))
    }

    @Test func aRefusalReachesAClientThatIsStillSending() throws {
        let daemon = try DaemonProcess(plain: true)
        defer { daemon.cleanUp() }
        let token = try daemon.addWorker("w001", scopes: ["c01/g01"])
        let peer = try Self.welcomed(daemon, Self.replica, token: token)
        // 300 ops of 60 KB: about 18 MB, over the 16 MiB a message may hold. The daemon refuses
        // it at 16 MiB, while the client is still writing.
        let text = String(repeating: "楼道堆物清理", count: 3_300)
        let ops = (1...300).map { RawPeer.op(Self.replica, UInt64($0), text: text, record: RecordID()) }
        let sent = peer.send(ByteBuffer(string: RawPeer.push(ops, through: 300)))
        #expect(sent, "the daemon reset the connection while the push was being sent")
        let lines = peer.readLines(2, seconds: 15)
        #expect(lines.last?.hasPrefix("ERR too-large") == true, "the refusal was lost: \(lines.suffix(1))")
    }

    @Test func messagesBeingReadShareOneMemoryBudget() throws {
        let daemon = try DaemonProcess(
            environment: [
                "GRIDSYNCD_MEMORY": "\(Self.ownMemory + 3_000_000)", "GRIDSYNCD_MESSAGE_BYTES": "1000000",
            ], plain: true)
        defer { daemon.cleanUp() }
        let token = try daemon.addWorker("w001", scopes: ["c01/g01"])
        let otherToken = try daemon.addWorker("w002", scopes: ["c01/g01"])
        let text = String(repeating: "楼", count: 2_000)
        let first = try Self.welcomed(daemon, Self.replica, token: token)
        let lines = RawPeer.push((1...150).map { RawPeer.op(Self.replica, UInt64($0), text: text) }, through: 150)
            .split(separator: "\n").map { $0 + "\n" }
        // The header and 135 of its 150 ops, about 820 KB, held unfinished.
        first.send(lines[..<136].joined())
        Thread.sleep(forTimeInterval: 0.5)
        let other = ReplicaID(rawValue: 0xb2)
        let second = try Self.welcomed(daemon, other, token: otherToken)
        second.send(
            RawPeer.push((1...150).map { RawPeer.op(other, UInt64($0), author: "w002", text: text) }, through: 150))
        #expect(
            second.readLines(2).last?.hasPrefix("ERR unavailable the server holds as many unfinished messages")
                == true, "\(second.receivedLines)")
        // The first finishes its message, and is answered.
        first.send(lines[136...].joined())
        #expect(first.readLines(2).last == "ACK 150", "\(first.receivedLines)")
    }

    /// Each open connection holds 256 KiB of the budget, welcomed or not: once they hold it all, the next connection
    /// is told so, and one that closes makes room again.
    @Test func openConnectionsShareTheMemoryBudgetToo() throws {
        // Room for four connections (4 × 262,144 bytes) and not five.
        let daemon = try DaemonProcess(
            environment: ["GRIDSYNCD_MEMORY": "\(Self.ownMemory + 1_100_000)", "GRIDSYNCD_MESSAGE_BYTES": "100000"],
            plain: true)
        defer { daemon.cleanUp() }
        var held = try (0..<4).map { _ in try RawPeer(port: daemon.port) }
        Thread.sleep(forTimeInterval: 0.3)
        let fifth = try RawPeer(port: daemon.port)
        let refusal = fifth.readLines(1, seconds: 5).first ?? ""
        #expect(
            refusal.hasPrefix("ERR unavailable the server holds as many connections as its memory allows"),
            "\(refusal)")
        held.removeLast().hangUp()
        Thread.sleep(forTimeInterval: 0.3)
        let token = try daemon.addWorker("w001", scopes: ["c01/g01"])
        let sixth = try RawPeer(port: daemon.port)
        sixth.send(RawPeer.hello(Self.replica, token: token) + "BYE\n")
        #expect(sixth.readLines(2).last == "BYE", "\(sixth.receivedLines)")
    }

    @Test func shutdownEndsWithinItsGraceWhateverTheClientsDo() throws {
        let daemon = try DaemonProcess(
            environment: ["GRIDSYNCD_SHUTDOWN_GRACE": "2", "GRIDSYNCD_MESSAGE_TIMEOUT": "600"], plain: true)
        defer { daemon.cleanUp() }
        let token = try daemon.addWorker("w001", scopes: ["c01/g01"])
        // A client stalled part-way through a message, and a scraper that never sends its request.
        let stalled = try Self.welcomed(daemon, Self.replica, token: token)
        stalled.send(String(RawPeer.push([RawPeer.op(Self.replica, 1)], through: 1).prefix(30)))
        let scraper = try RawPeer(port: daemon.metricsPort)
        Thread.sleep(forTimeInterval: 0.3)
        let stopping = Date()
        daemon.terminate()
        #expect(daemon.waitForExit(timeout: 15) == 0, "\(daemon.log)")
        #expect(Date().timeIntervalSince(stopping) < 8, "shutdown took longer than its grace of 2 s")
        #expect(stalled.readUntilClosed(seconds: 2))
        #expect(scraper.readUntilClosed(seconds: 2))
    }

    @Test func theMetricsEndpointClosesConnectionsThatSendNothing() throws {
        let daemon = try DaemonProcess(plain: true)
        defer { daemon.cleanUp() }
        let idle = try RawPeer(port: daemon.metricsPort)
        let started = Date()
        #expect(idle.readUntilClosed(seconds: 20))
        #expect(Date().timeIntervalSince(started) < 15)
        let text = try daemon.metrics()
        #expect(text.contains("\ngridsync_connection_memory_bytes "), "\(text.prefix(300))")
    }
}
