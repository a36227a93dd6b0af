import Foundation
import GridMerge
import GridModel
import GridStore
import GridTesting
import Testing

/// Two store objects on one folder, as two processes (the CLI and the daemon) would hold it.
@Suite struct ConcurrencyTests {
    typealias F = StoreFixtures

    @Test(.timeLimit(.minutes(1)))
    func twoStoresWritingAtOnceLoseNothing() async throws {
        try await withTemporaryFolder { folder in
            let created = try SQLiteReplicaStore.create(in: folder, identity: F.identity, wallClock: SystemWallClock())
            let setup = try await created.write(F.create(F.id(1), F.newDemand))
            let a = try SQLiteReplicaStore.open(in: folder, wallClock: SystemWallClock())
            let b = try SQLiteReplicaStore.open(in: folder, wallClock: SystemWallClock())
            let perStore = 50

            let returned = try await withThrowingTaskGroup(of: [Op].self) { group in
                for (index, store) in [a, b].enumerated() {
                    group.addTask {
                        var ops: [Op] = []
                        for step in 0..<perStore {
                            // Alternate edits of the shared record with new records of each store's own.
                            if step % 5 == 4 {
                                ops += try await store.write(
                                    F.edit(F.id(1), .add("tags", index == 0 ? "消防" : "停车")))
                            } else {
                                ops += try await store.write(F.edit(F.id(1), .change("backers", by: 1)))
                            }
                        }
                        return ops
                    }
                }
                var all: [Op] = []
                for try await ops in group { all += ops }
                return all
            }

            #expect(returned.count == 2 * perStore)
            let stored = try await a.ops(after: 0, limit: 1_000)
            #expect(stored.count == setup.count + 2 * perStore)
            let ids = stored.map(\.id)
            #expect(Set(ids).count == ids.count, "two ops share a (replica, sequence)")
            #expect(ids.map(\.sequence) == Array(1...UInt64(stored.count)))
            #expect(Set(returned) == Set(stored.dropFirst(setup.count)))
            // Each transaction read the clock the other left: clocks rise in local order.
            #expect(zip(stored, stored.dropFirst()).allSatisfy { $0.clock < $1.clock })

            let record = try #require(try await b.record(F.id(1)))
            #expect(record.counters["backers"]?.value == Int64(2 * perStore * 4 / 5))
            #expect(record.sets["tags"]?.elements == ["停车", "消防"])
            #expect(record == (try referenceState(stored))[F.id(1)])
            #expect(try await a.record(F.id(1)) == record)
            let status = try await created.status()
            #expect(status.opCount == stored.count && status.ownOpCount == stored.count)
        }
    }

    /// One store writes while the other ingests a peer's ops: both land, nothing is lost.
    @Test(.timeLimit(.minutes(1)))
    func writingAndIngestingAtOnceLoseNothing() async throws {
        try await withTemporaryFolder { folder in
            let wall = ManualWallClock()
            let writer = try SQLiteReplicaStore.create(in: folder, identity: F.identity, wallClock: wall)
            let ingester = try SQLiteReplicaStore.open(in: folder, wallClock: wall)
            let peerOps = Workload.demandEdits(count: 120, records: 6, kind: nil, seed: 7)
            let peerIDs = Set(peerOps.map(\.recordID))
            let batches = stride(from: 0, to: peerOps.count, by: 7).map {
                Array(peerOps[$0..<min($0 + 7, peerOps.count)])
            }

            async let ingested: Int = {
                var count = 0
                for batch in batches { count += try await ingester.ingest(batch) }
                return count
            }()
            async let written: [Op] = {
                var ops: [Op] = []
                for index in 0..<30 {
                    ops += try await writer.write(F.create(F.id(100 + index), F.newDemand))
                }
                return ops
            }()
            let (count, ours) = try await (ingested, written)
            #expect(count == peerOps.count)
            #expect(ours.map(\.id.sequence) == Array(1...UInt64(ours.count)))

            let stored = try await writer.ops(after: 0, limit: 10_000)
            #expect(stored.count == peerOps.count + ours.count)
            #expect(Set(stored.map(\.id)).count == stored.count)
            #expect(stored.filter { $0.id.replica == F.identity.replica } == ours)
            #expect(stored.filter { $0.id.replica != F.identity.replica } == peerOps)
            let reference = try referenceState(peerOps + ours)
            for id in peerIDs.union(ours.map(\.recordID)) {
                #expect(try await ingester.record(id) == reference[id])
            }
        }
    }

    /// Many laptops' pushes arrive at once and share commits: each batch is stored whole or,
    /// if one of its ops is bad, not at all, whatever the batches it was committed with.
    @Test(.timeLimit(.minutes(1)))
    func batchesCommittedTogetherStayWholeOrAbsent() async throws {
        try await withTemporaryFolder { folder in
            let wall = ManualWallClock()
            let store = try SQLiteReplicaStore.create(in: folder, identity: F.identity, wallClock: wall)
            // Laptop n creates demand n and moves it on; every fifth laptop's last op is bad
            // (a status given as its label, not its key).
            let laptops = 40
            var batches: [(ops: [Op], refused: Bool)] = []
            for laptop in 0..<laptops {
                var replica = Replica(
                    id: ReplicaID(rawValue: UInt64(0x100 + laptop)), author: F.street.workers[1].id,
                    clock: HybridClock(wallClock: wall))
                try replica.create(.demand, id: F.id(500 + laptop), in: F.grid1.scope, F.newDemand)
                try replica.edit(F.id(500 + laptop), .assign("status", "accepted"))
                var ops = replica.ops
                let refused = laptop % 5 == 4
                if refused, let last = ops.last {
                    ops.append(
                        Op(
                            id: OpID(replica: replica.id, sequence: last.id.sequence + 1), clock: last.clock,
                            author: last.author, recordType: .demand, recordID: last.recordID, scope: last.scope,
                            field: "status", payload: .assign(.text("处理中")), parents: [last.id]))
                }
                batches.append((ops, refused))
            }

            let outcomes = await withTaskGroup(of: (Int, StoreError?).self) { group in
                for (index, batch) in batches.enumerated() {
                    group.addTask {
                        do {
                            _ = try await store.ingest(batch.ops, pulledFrom: batch.ops[0].id.replica, through: 1)
                            return (index, nil)
                        } catch {
                            return (index, error as? StoreError)
                        }
                    }
                }
                var outcomes = [StoreError?](repeating: nil, count: batches.count)
                for await (index, error) in group { outcomes[index] = error }
                return outcomes
            }

            for (index, batch) in batches.enumerated() {
                let id = F.id(500 + index)
                if batch.refused {
                    #expect(outcomes[index]?.code == .refused, "laptop \(index)'s bad op was not refused")
                    #expect(try await store.record(id) == nil, "laptop \(index)'s refused batch left a record")
                    #expect(try await store.cursor(for: batch.ops[0].id.replica).pulledThrough == 0)
                } else {
                    #expect(outcomes[index] == nil, "laptop \(index)'s good batch was refused")
                    #expect(try await store.record(id) == (try referenceState(batch.ops))[id])
                    #expect(try await store.cursor(for: batch.ops[0].id.replica).pulledThrough == 1)
                }
            }
            let stored = try await store.ops(after: 0, limit: 10_000)
            let expected = batches.filter { !$0.refused }.flatMap(\.ops)
            #expect(stored.count == expected.count)
            #expect(Set(stored) == Set(expected), "the stored ops are not exactly the good batches'")
        }
    }
}
