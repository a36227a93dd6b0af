import Foundation
import GRDB
import GridMerge
import GridModel
import GridStore
import GridTesting

/// The field client's replica: latency of one `demand add`, and bulk ingest against plain
/// SQLite (the same library) appending the same rows to an op log and upserting a
/// last-writer-wins table, in one transaction, in the same run.
enum StoreBenchmark {
    static func run(records recordCount: Int, edits editCount: Int, adds: Int) async throws -> [Figure] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "gridsync-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let street = StreetFixture.xStreet
        let grid = street.grids[0].scope

        // 1. Latency of one `demand add`, inside the process.
        let store = try SQLiteReplicaStore.create(
            in: folder.appendingPathComponent("latency").path,
            identity: ReplicaIdentity(replica: .random(), worker: street.workers[0].id, scopes: [grid]))
        var rng = SeededGenerator(seed: 7)
        let generator = EditGenerator(street: street)
        var latencies: [Double] = []
        for _ in 0..<adds {
            let edits =
                generator.newRecord(.demand, in: grid, using: &rng) + [.change("backers", by: 3), .add("tags", "消防")]
            let change = RecordChange(record: RecordID(using: &rng), target: .create(.demand, in: grid), edits: edits)
            latencies.append(try await seconds { _ = try await store.write(change) })
        }
        latencies.sort()
        func percentile(_ p: Double) -> String {
            String(format: "%.2f ms", latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] * 1000)
        }
        print("`demand add` inside the process (\(adds) adds of 7 ops each, WAL, one transaction each):")
        print("p50 \(percentile(0.50)), p99 \(percentile(0.99)), max \(percentile(1))")
        print("")

        // 2. Bulk ingest.
        let ops = Workload.demandEdits(count: editCount, records: recordCount, kind: nil, seed: 20_261_129)
        let ingestStore = try SQLiteReplicaStore.create(
            in: folder.appendingPathComponent("ingest").path,
            identity: ReplicaIdentity(replica: .random(), worker: street.workers[1].id, scopes: [grid]),
            wallClock: ManualWallClock(milliseconds: 1_893_456_000_000))
        let ingest = try await seconds { _ = try await ingestStore.ingest(ops) }
        let baseline = try plainSQLite(ops, path: folder.appendingPathComponent("plain.sqlite").path)
        print("Bulk ingest of \(ops.count) ops over \(recordCount) demands, one transaction each:")
        print("")
        printRates(
            of: [("plain SQLite op log + LWW upsert", baseline), ("GridStore ingest", ingest)], ops: ops.count,
            kind: "store", baseline: "plain SQLite")
        print("")

        // 3. Opening a replica whose records an older GridSync built: they are rebuilt from
        // the op log once (the upgrade to gridsync/2), against ingesting the same ops.
        let path = ingestStore.path
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in try db.execute(sql: "UPDATE replica SET rules = 1") }
        try queue.close()
        let rebuild = try await seconds {
            _ = try SQLiteReplicaStore.open(in: (path as NSString).deletingLastPathComponent)
        }
        print(
            String(
                format: "Opening it as built by older merge rules (records rebuilt once): %.2f s, %.2f times the ingest",
                rebuild, rebuild / ingest))
        return [
            Figure(
                name: "local ingest into the replica (\(ops.count / 1000)k ops)",
                measured: "\(Int(Double(ops.count) / ingest)) ops/s",
                baseline: "\(Int(Double(ops.count) / baseline)) ops/s plain SQLite", ratio: baseline / ingest,
                target: "≥ 0.8", met: baseline / ingest >= 0.8)
        ]
    }

    /// The baseline: the same op rows appended to an op log and a last-writer-wins table
    /// upserted, through GRDB's cached statements, in one transaction.
    static func plainSQLite(_ ops: [Op], path: String) throws -> Double {
        var configuration = Configuration()
        configuration.journalMode = .wal
        let database = try DatabasePool(path: path, configuration: configuration)
        try database.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE ops (local_sequence INTEGER PRIMARY KEY AUTOINCREMENT, replica TEXT NOT NULL,
                        sequence INTEGER NOT NULL, clock INTEGER NOT NULL, author TEXT NOT NULL, record_type TEXT NOT NULL,
                        record_id TEXT NOT NULL, scope TEXT NOT NULL, field TEXT NOT NULL, payload TEXT NOT NULL,
                        parents TEXT NOT NULL, UNIQUE (replica, sequence)) STRICT;
                    CREATE TABLE lww (record_id TEXT NOT NULL, field TEXT NOT NULL, clock INTEGER NOT NULL,
                        payload TEXT NOT NULL, PRIMARY KEY (record_id, field)) STRICT, WITHOUT ROWID;
                    """)
        }
        return try seconds {
            try database.write { db in
                let append = try db.cachedStatement(
                    sql: """
                        INSERT INTO ops (replica, sequence, clock, author, record_type, record_id, scope, field, payload, parents)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """)
                let upsert = try db.cachedStatement(
                    sql: """
                        INSERT INTO lww (record_id, field, clock, payload) VALUES (?, ?, ?, ?)
                        ON CONFLICT (record_id, field) DO UPDATE SET clock = excluded.clock, payload = excluded.payload
                        WHERE excluded.clock > lww.clock
                        """)
                for op in ops {
                    let payload = CanonicalJSON.text(op.payload)
                    let clock = Int64(bitPattern: op.clock.rawValue)
                    try append.execute(arguments: [
                        op.id.replica.description, Int64(op.id.sequence), clock, op.author.rawValue, op.recordType.key,
                        op.recordID.description, op.scope.description, op.field, payload,
                        op.parents.map(\.description).joined(separator: " "),
                    ])
                    try upsert.execute(arguments: [op.recordID.description, op.field, clock, payload])
                }
            }
        }
    }
}
