import CompressNIO
import Foundation
import GridMerge
import GridModel
import GridNet
import GridProtocol
import GridStore
import GridTesting
import NIOCore

/// The wire: bytes per op of a realistic push against the same ops as plain NDJSON and as
/// that NDJSON in one zlib level-6 stream; and ops per second pushed to a daemon over
/// loopback with compression against the field client's own bulk ingest, in the same run.
enum WireBenchmark {
    /// The ops in each push: the protocol's default limit.
    static let batchSize = Limits.standard.opsPerBatch

    static func run(records: Int, edits: Int) async throws -> [Figure] {
        let ops = Workload.demandEdits(count: edits, records: records, kind: nil, seed: 20_261_129)
        let bytes = try bytesPerOp(ops)
        print("")
        return [bytes, try await pushRate(ops)]
    }

    // MARK: - Bytes per op

    static func bytesPerOp(_ ops: [Op]) throws -> Figure {
        // The protocol: pushes as large as the default limit, one deflate stream, flushed after each message.
        let encoder = WireEncoder()
        try encoder.startDeflating()
        var wire = 0
        for start in stride(from: 0, to: ops.count, by: batchSize) {
            let batch = Array(ops[start..<min(start + batchSize, ops.count)])
            wire += try encoder.encode(.push(through: Int64(start + batch.count), ops: batch)).readableBytes
        }
        // The baselines: each op as a JSON object on its own line, plain and as one zlib stream.
        let json = JSONEncoder()
        json.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var ndjson = Data()
        for op in ops {
            ndjson += try json.encode(PlainOp(op))
            ndjson.append(0x0a)
        }
        let zlib = try zlibLevel6(ndjson)
        print("Bytes on the wire for \(ops.count) ops of demands (Chinese text, as a field replica writes them):")
        print("")
        print(row(["encoding", "bytes", "bytes/op", "ratio to NDJSON + zlib-6"]))
        print("|---|---:|---:|---:|")
        for (name, bytes) in [
            ("plain NDJSON", ndjson.count), ("NDJSON, one zlib level-6 stream", zlib),
            ("op lines, plain (PUSH of \(batchSize))", encoder.textBytes),
            ("GridSync wire: deflate flushed per PUSH", wire),
        ] {
            print(
                row([
                    name, String(bytes), String(format: "%.1f", Double(bytes) / Double(ops.count)),
                    twoDecimals(Double(bytes) / Double(zlib)),
                ]))
        }
        let ratio = Double(wire) / Double(zlib)
        return Figure(
            name: "bytes on the wire per op",
            measured: String(format: "%.1f B/op", Double(wire) / Double(ops.count)),
            baseline: String(
                format: "%.1f B/op NDJSON in one zlib-6 stream (%.1f plain)", Double(zlib) / Double(ops.count),
                Double(ndjson.count) / Double(ops.count)),
            ratio: ratio, target: "≤ 1.0", met: ratio <= 1.0)
    }

    /// An op as a straightforward JSON object: what a plain NDJSON sync would send.
    struct PlainOp: Encodable {
        let id: String
        let clock: UInt64
        let author: String
        let type: String
        let record: String
        let scope: String
        let field: String
        let parents: [String]
        let payload: OpPayload

        init(_ op: Op) {
            id = op.id.description
            clock = op.clock.rawValue
            author = op.author.rawValue
            type = op.recordType.key
            record = op.recordID.description
            scope = op.scope.description
            field = op.field
            parents = op.parents.map(\.description)
            payload = op.payload
        }
    }

    static func zlibLevel6(_ data: Data) throws -> Int {
        let compressor = try ZlibCompressor(
            algorithm: .zlib, configuration: ZlibConfiguration(compressionLevel: .compressionLevel6))
        var input = ByteBuffer(bytes: data)
        var output = ByteBuffer()
        output.reserveCapacity(compressor.maxSize(from: input) + 64)
        try compressor.deflate(from: &input, to: &output, flush: .finish)
        return output.readableBytes
    }

    // MARK: - Push rate

    static func pushRate(_ ops: [Op]) async throws -> Figure {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "gridsync-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let wall = ManualWallClock(milliseconds: 1_893_456_000_000)
        let writer = ops[0].id.replica
        let worker = ops[0].author
        let scopes = StreetFixture.xStreet.communities.map { GridScope(community: $0.id) }

        // The baseline: the field client's bulk ingest of the same ops, in one transaction.
        let local = try SQLiteReplicaStore.create(
            in: folder.appendingPathComponent("local").path,
            identity: ReplicaIdentity(replica: .random(), worker: worker, scopes: scopes), wallClock: wall)
        let ingest = try await seconds { _ = try await local.ingest(ops) }
        // The same ops ingested in pushes' batches, each with its cursor, as a pull stores them.
        let batched = try SQLiteReplicaStore.create(
            in: folder.appendingPathComponent("batched").path,
            identity: ReplicaIdentity(replica: .random(), worker: worker, scopes: scopes), wallClock: wall)
        let batchedIngest = try await seconds {
            for start in stride(from: 0, to: ops.count, by: batchSize) {
                let end = min(start + batchSize, ops.count)
                _ = try await batched.ingest(Array(ops[start..<end]), pulledFrom: writer, through: Int64(end))
            }
        }
        // The daemon's share of a push: the same batches admitted (history checked, into the log).
        let admitted = try SQLiteReplicaStore.create(
            in: folder.appendingPathComponent("admitted").path,
            identity: ReplicaIdentity(replica: .random(), worker: worker, scopes: scopes), wallClock: wall)
        let admission = try await seconds {
            for start in stride(from: 0, to: ops.count, by: batchSize) {
                _ = try await admitted.admit(Array(ops[start..<min(start + batchSize, ops.count)]), pushedBy: writer)
            }
        }

        // The laptop holding the ops as its own, and the daemon, on loopback.
        let laptop = try SQLiteReplicaStore.create(
            in: folder.appendingPathComponent("laptop").path,
            identity: ReplicaIdentity(replica: writer, worker: worker, scopes: scopes), wallClock: wall)
        _ = try await laptop.ingest(ops)
        let server = try SQLiteReplicaStore.create(
            in: folder.appendingPathComponent("server").path,
            identity: ReplicaIdentity(replica: .random(), worker: WorkerID("gridsyncd")!, scopes: []), wallClock: wall)
        let daemon = try await InProcessDaemon(store: server, worker: worker, scopes: scopes)
        var outcome: ClientSync.Outcome?
        let push = try await seconds { outcome = try await daemon.sync(laptop) }
        // The records catch up behind the pushes: what is left after the last ACK.
        let behind = try await server.underivedCount()
        let catchUp = try await seconds { try await daemon.stop() }
        guard let outcome, outcome.summary.pushed == ops.count, try await server.status().opCount == ops.count else {
            fatalError("the push did not deliver every op")
        }
        print("Pushing \(ops.count) ops from a laptop to the daemon over loopback, compressed, \(batchSize) per batch:")
        print("")
        printRates(
            of: [
                ("local bulk ingest (one transaction)", ingest),
                ("ingest in batches of \(batchSize), as a pull stores them", batchedIngest),
                ("admission in batches of \(batchSize) (the daemon's share)", admission),
                ("push over loopback TCP + deflate", push),
                ("push, and the daemon's records caught up", push + catchUp),
            ], ops: ops.count, kind: "path", baseline: "local ingest")
        print("")
        print("after the last ACK the daemon's records were \(behind) ops behind its log, merged in \(String(format: "%.2f", catchUp)) s")
        print("wire bytes out \(outcome.wireBytesOut), in \(outcome.wireBytesIn); lines \(outcome.textBytesOut) out")
        return Figure(
            name: "push over loopback TCP with compression",
            measured: "\(Int(Double(ops.count) / push)) ops/s",
            baseline: "\(Int(Double(ops.count) / ingest)) ops/s local ingest", ratio: ingest / push, target: "≥ 0.5",
            met: ingest / push >= 0.5)
    }
}
