import Foundation
import GridMerge
import GridModel
import GridProtocol
import NIOCore

#if canImport(Glibc)
    import Glibc
#endif

/// A hand-driven connection to the daemon: sends exactly the bytes a test gives, and reads
/// what comes back, the way a broken or hostile client would.
final class RawPeer {
    private let fd: Int32
    /// Everything received so far.
    private(set) var received = ByteBuffer()

    /// Connects to the daemon on loopback, from `source` (another loopback address, such as
    /// 127.0.0.2, plays a second machine) or from 127.0.0.1.
    init(port: Int, from source: String? = nil) throws {
        guard let fd = CuttingProxy.connectLoopback(port: port, from: source) else {
            throw DaemonFailure("cannot connect")
        }
        self.fd = fd
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// Closes the connection both ways, as a dropped link does.
    func hangUp() {
        shutdown(fd, Int32(SHUT_RDWR))
    }

    /// Sends text as it is.
    func send(_ text: String) {
        send(ByteBuffer(string: text))
    }

    /// Sends bytes as they are; returns whether all of them were written (a connection reset
    /// part-way fails, without a SIGPIPE).
    @discardableResult
    func send(_ bytes: ByteBuffer) -> Bool {
        let all = Array(bytes.readableBytesView)
        var offset = 0
        while offset < all.count {
            let written = all.withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress! + offset, all.count - offset, Int32(MSG_NOSIGNAL))
            }
            if written <= 0 { return false }
            offset += written
        }
        return true
    }

    /// Reads until the daemon closes the connection or `seconds` pass; returns whether it
    /// closed. Once it has, this side closes too, as every client does.
    @discardableResult
    func readUntilClosed(seconds: Double = 20) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        var buffer = [UInt8](repeating: 0, count: 65536)
        while Date() < deadline {
            let count = read(fd, &buffer, buffer.count)
            if count == 0 {
                hangUp()
                return true
            }
            if count < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { continue }
                return true
            }
            received.writeBytes(buffer[0..<count])
        }
        return false
    }

    /// Reads until `lines` whole lines have arrived (plain connections only) or `seconds` pass.
    func readLines(_ lines: Int, seconds: Double = 20) -> [String] {
        let deadline = Date().addingTimeInterval(seconds)
        var buffer = [UInt8](repeating: 0, count: 65536)
        while Date() < deadline, receivedLines.count < lines {
            let count = read(fd, &buffer, buffer.count)
            if count == 0 { break }
            if count > 0 { received.writeBytes(buffer[0..<count]) }
        }
        return receivedLines
    }

    /// The received bytes as lines (plain connections).
    var receivedLines: [String] {
        String(decoding: received.readableBytesView, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// The received messages: the welcome in plain text, then (if it agreed) the deflate stream.
    func receivedMessages() throws -> [Message] {
        let decoder = WireDecoder()
        decoder.receive(received)
        var messages: [Message] = []
        while let message = try decoder.next() {
            if case .welcome(_, _, _, _, let limits, _, _, _, let deflate) = message {
                decoder.admit(limits)
                if deflate { try decoder.startInflating() }
            }
            messages.append(message)
        }
        return messages
    }

    /// The code of the first `ERR` line received (plain connections).
    var errorCode: String? {
        receivedLines.first { $0.hasPrefix("ERR ") }.map { String($0.split(separator: " ")[1]) }
    }

    /// A HELLO line.
    static func hello(_ replica: ReplicaID, token: String, deflate: Bool = false) -> String {
        Message.hello(version: Message.version, replica: replica, token: token, deflate: deflate).lines[0] + "\n"
    }

    /// An op of `replica` and `author` setting a demand's description.
    static func op(
        _ replica: ReplicaID, _ sequence: UInt64, author: String = "w001", scope: String = "c01/g01",
        text: String = "楼道堆物", clockAhead: UInt64 = 0, record: RecordID = RecordID()
    ) -> Op {
        let now = UInt64(Date().timeIntervalSince1970 * 1000)
        return Op(
            id: OpID(replica: replica, sequence: sequence),
            clock: HybridTimestamp(milliseconds: now + clockAhead, counter: 0), author: WorkerID(author)!,
            recordType: .demand, recordID: record, scope: GridScope(scope)!, field: "description",
            payload: .assign(.text(text)), parents: [])
    }

    /// The text of a push.
    static func push(_ ops: [Op], through: Int64) -> String {
        Message.push(through: through, ops: ops).lines.joined(separator: "\n") + "\n"
    }
}
