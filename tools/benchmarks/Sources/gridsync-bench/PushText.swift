import Foundation
import GridMerge
import GridModel
import GridProtocol
import NIOCore

/// The text of a push that is never finished: its header announces `<ops-per-batch>` ops,
/// and all but the last follow, each as long as needed for the message to come just under
/// `<message-bytes>`. Every op writes the same description of one demand in c01/g01; only
/// its sequence (in its id, and as its clock's counter) changes.
///
/// Hundreds of connections send gigabytes of these lines: each is the bytes of the op's
/// ``OpLine/text(_:)`` around its sequence number, copied, not rendered again (rendering
/// escapes the whole description as JSON each time, which starved the connections' readers).
struct PushText: Sendable {
    let limits: Limits
    /// `OP <replica>.`: the line up to the op's sequence.
    private let head: [UInt8]
    /// ` <milliseconds>.`: between the sequence and the clock's counter.
    private let middle: [UInt8]
    /// ` <author> demand <record> c01/g01 description - <payload>` and the line feed.
    private let tail: [UInt8]

    /// The push of `replica`'s ops as `worker`, on `record`, each writing `description`.
    init(limits: Limits, replica: ReplicaID, worker: WorkerID, record: RecordID, description: String) {
        self.limits = limits
        let milliseconds = UInt64(Date().timeIntervalSince1970 * 1000)
        func op(_ sequence: Int) -> Op {
            Op(
                id: OpID(replica: replica, sequence: UInt64(sequence)),
                clock: HybridTimestamp(milliseconds: milliseconds, counter: UInt16(sequence)), author: worker,
                recordType: .demand, recordID: record, scope: SyncBenchmark.grid, field: "description",
                payload: .assign(.text(description)))
        }
        head = Array("OP \(replica).".utf8)
        middle = Array(" \(milliseconds).".utf8)
        let first = OpLine.text(op(1))
        let prefix = "OP \(replica).1 \(milliseconds).1"
        precondition(first.hasPrefix(prefix), "an op line starts with its id and clock: \(first.prefix(80))")
        tail = Array(first.utf8.dropFirst(prefix.utf8.count)) + [UInt8(ascii: "\n")]
        for sequence in [1, limits.opsPerBatch - 1] {
            precondition(
                Array(OpLine.text(op(sequence)).utf8) + [UInt8(ascii: "\n")] == line(sequence),
                "the op line template differs from OpLine.text")
        }
    }

    /// The header line, with its line feed.
    var header: String { "PUSH \(limits.opsPerBatch) \(limits.opsPerBatch)\n" }

    /// The line of the op with `sequence`, with its line feed.
    func line(_ sequence: Int) -> [UInt8] {
        head + Array(String(sequence).utf8) + middle + Array(String(sequence).utf8) + tail
    }

    /// The length of ``line(_:)``.
    private func length(_ sequence: Int) -> Int {
        head.count + 2 * String(sequence).utf8.count + middle.count + tail.count
    }

    /// The op lines sent: as many as fit under the message limit, and never the last.
    var ops: Int {
        var total = header.utf8.count
        var count = 0
        while count + 1 < limits.opsPerBatch, total + length(count + 1) <= limits.messageBytes {
            count += 1
            total += length(count)
        }
        return count
    }

    /// The bytes sent: the header and ``ops`` op lines.
    var bytes: Int { header.utf8.count + (1...max(1, ops)).reduce(0) { $0 + length($1) } }

    /// The longest op line, without its line feed.
    var longestLine: Int { length(max(1, ops)) - 1 }

    /// Writes the header and the op lines in chunks of 64 KiB, each once the last is taken.
    func write(to outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) async throws {
        try await forEachChunk { try await outbound.write($0) }
    }

    /// Hands the header and the op lines to `body` in chunks of about 64 KiB.
    func forEachChunk(_ body: (ByteBuffer) async throws -> Void) async rethrows {
        var chunk = ByteBuffer(string: header)
        for sequence in 1...max(1, ops) {
            chunk.writeBytes(head)
            chunk.writeString(String(sequence))
            chunk.writeBytes(middle)
            chunk.writeString(String(sequence))
            chunk.writeBytes(tail)
            if chunk.readableBytes >= 64 * 1024 {
                try await body(chunk)
                chunk = ByteBuffer()
                chunk.reserveCapacity(72 * 1024)
            }
        }
        if chunk.readableBytes > 0 { try await body(chunk) }
    }

    /// A description of Chinese text (three bytes a character) long enough that
    /// `<ops-per-batch> - 1` op lines fill a message of `limits`, and at most 2,000 characters,
    /// the longest that the schema allows.
    static func description(for limits: Limits) -> String {
        let sample = PushText(
            limits: limits, replica: ReplicaID(rawValue: .max), worker: WorkerID("w000")!, record: RecordID(),
            description: "")
        let overhead = sample.line(limits.opsPerBatch).count
        let perLine = (limits.messageBytes - sample.header.utf8.count) / max(1, limits.opsPerBatch - 1)
        let characters = min(2_000, max(1, (min(perLine, limits.lineBytes) - overhead) / 3))
        let words = Array("居民反映楼道堆放杂物占用消防通道存在安全隐患请网格员尽快协调物业清理")
        return String((0..<characters).map { words[$0 % words.count] })
    }
}
