import Foundation
import GridMerge
import GridModel
import GridStore
import GridTesting
import Testing

/// Two replicas that hold the same ops export byte-identical files, whatever order the ops came in.
@Suite struct ExportTests {
    @Test func sameOpsInAnyOrderExportTheSameBytes() async throws {
        for seed: UInt64 in [11, 12, 13, 14] {
            let schedule = OfflineSchedule(replicas: 4, steps: 120, seed: seed)
            let ops = Array(schedule.ops.values)
            let latest = ops.map(\.clock.milliseconds).max() ?? 0
            var exports: [String] = []
            var rng = SeededGenerator(seed: seed)
            for order in 0..<2 {
                let feed = order == 0 ? ops.sorted { $0.id < $1.id } : ops.shuffled(using: &rng)
                try await withTemporaryFolder { folder in
                    let store = try SQLiteReplicaStore.create(
                        in: folder,
                        identity: ReplicaIdentity(
                            replica: ReplicaID(rawValue: UInt64(order) + 1), worker: WorkerID("office-1")!,
                            scopes: [schedule.grid.scope]),
                        wallClock: ManualWallClock(milliseconds: latest))
                    for start in stride(from: 0, to: feed.count, by: 25) {
                        _ = try await store.ingest(Array(feed[start..<min(start + 25, feed.count)]))
                    }
                    exports.append(try RecordExport.jsonLines(await store.allRecords()))
                }
            }
            #expect(exports[0] == exports[1], "seed \(seed): exports differ")
            #expect(exports[0] == (try RecordExport.jsonLines(Array(schedule.reference.records.values))))
            #expect(!exports[0].isEmpty)
        }
    }
}
