import Foundation
import GridMerge
import GridModel
import GridStore
import GridTesting
import Testing

/// Ingesting ops from peers: duplicates are skipped, and a batch with one bad op stores nothing.
@Suite struct IngestTests {
    typealias F = StoreFixtures

    /// A colleague's in-memory replica that created a demand and edited it.
    private func colleagueOps(wall: ManualWallClock) throws -> (Replica, [Op]) {
        var colleague = Replica(
            id: ReplicaID(rawValue: 0x0000_0000_0000_0002), author: F.street.workers[1].id,
            clock: HybridClock(wallClock: wall))
        try colleague.create(.demand, id: F.id(1), in: F.grid1.scope, F.newDemand)
        try colleague.edit(F.id(1), .assign("status", "accepted"))
        return (colleague, colleague.ops)
    }

    /// An op by `replica` that sets a demand's status to a label instead of a key.
    private func labelledStatusOp(replica: ReplicaID, sequence: UInt64, clock: HybridTimestamp, parents: [OpID]) -> Op {
        Op(
            id: OpID(replica: replica, sequence: sequence), clock: clock, author: F.street.workers[1].id,
            recordType: .demand, recordID: F.id(1), scope: F.grid1.scope, field: "status",
            payload: .assign(.text("处理中")), parents: parents)
    }

    @Test func ingestStoresNewOpsAndSkipsDuplicates() async throws {
        try await withTemporaryFolder { folder in
            let wall = ManualWallClock()
            let store = try SQLiteReplicaStore.create(in: folder, identity: F.identity, wallClock: wall)
            let (colleague, ops) = try colleagueOps(wall: wall)
            #expect(try await store.ingest(Array(ops.prefix(2))) == 2)
            #expect(try await store.ingest(ops + ops) == ops.count - 2)
            #expect(try await store.ingest(ops.reversed()) == 0)
            #expect(try await store.ingest([]) == 0)
            #expect(try await store.ops(after: 0, limit: 100) == ops)
            #expect(try await store.record(F.id(1)) == colleague.state[F.id(1)])
            let status = try await store.status()
            #expect(status.opCount == ops.count && status.ownOpCount == 0)
            #expect(status.records["demand"] == 1)
        }
    }

    @Test func aBatchWithAnInvalidOpStoresNothing() async throws {
        try await withTemporaryFolder { folder in
            let wall = ManualWallClock()
            let store = try SQLiteReplicaStore.create(in: folder, identity: F.identity, wallClock: wall)
            let (_, ops) = try colleagueOps(wall: wall)
            let last = ops.last!
            let bad = labelledStatusOp(
                replica: last.id.replica, sequence: last.id.sequence + 1, clock: last.clock, parents: [last.id])
            let before = try await StoreSnapshot(store)
            let error = await storeError { try await store.ingest(ops + [bad]) }
            #expect(error?.code == .refused)
            #expect(error?.merge?.code == .invalidOp)
            #expect(try await StoreSnapshot(store) == before)
            #expect(try await store.record(F.id(1)) == nil)
            #expect(try await store.ops(after: 0, limit: 100).isEmpty)

            // The good ops alone are stored; the bad one is still refused afterwards, and
            // refusing it leaves what was stored as it was.
            #expect(try await store.ingest(ops) == ops.count)
            let stored = try await StoreSnapshot(store)
            #expect(await storeError { try await store.ingest([bad]) }?.code == .refused)
            #expect(try await StoreSnapshot(store) == stored)
        }
    }

    @Test func aValidOpFollowedByAnInvalidOneStoresNeither() async throws {
        try await withTemporaryFolder { folder in
            let wall = ManualWallClock()
            let store = try SQLiteReplicaStore.create(in: folder, identity: F.identity, wallClock: wall)
            let (colleague, ops) = try colleagueOps(wall: wall)
            #expect(try await store.ingest(Array(ops.prefix(4))) == 4)
            let before = try await StoreSnapshot(store)
            // The status edit is valid; the op after it is not.
            let valid = ops[4]
            let bad = labelledStatusOp(
                replica: colleague.id, sequence: valid.id.sequence + 1, clock: valid.clock, parents: [valid.id])
            let error = await storeError { try await store.ingest([valid, bad]) }
            #expect(error?.code == .refused)
            #expect(error?.merge?.code == .invalidOp)
            #expect(try await StoreSnapshot(store) == before)
            #expect(try await store.record(F.id(1))?.value("status") == .text("raised"))
        }
    }

    @Test func anOpForAKnownRecordWithAnotherScopeIsRefused() async throws {
        try await withTemporaryFolder { folder in
            let wall = ManualWallClock()
            let store = try SQLiteReplicaStore.create(in: folder, identity: F.identity, wallClock: wall)
            let (colleague, ops) = try colleagueOps(wall: wall)
            #expect(try await store.ingest(ops) == ops.count)
            let before = try await StoreSnapshot(store)
            let good = Op(
                id: OpID(replica: colleague.id, sequence: 6),
                clock: HybridTimestamp(milliseconds: wall.millisecondsSince1970(), counter: 9),
                author: colleague.author, recordType: .demand, recordID: F.id(1), scope: F.grid1.scope,
                field: "urgency", payload: .assign(.text("urgent")), parents: [])
            let moved = Op(
                id: OpID(replica: colleague.id, sequence: 7),
                clock: HybridTimestamp(milliseconds: wall.millisecondsSince1970(), counter: 10),
                author: colleague.author, recordType: .demand, recordID: F.id(1), scope: F.grid2.scope,
                field: "status", payload: .assign(.text("closed")), parents: [])
            let error = await storeError { try await store.ingest([good, moved]) }
            #expect(error?.code == .refused)
            #expect(error?.merge?.code == .recordMismatch)
            #expect(try await StoreSnapshot(store) == before)
        }
    }

    @Test func aBatchWithAClockFarAheadStoresNothing() async throws {
        try await withTemporaryFolder { folder in
            let wall = ManualWallClock()
            let store = try SQLiteReplicaStore.create(in: folder, identity: F.identity, wallClock: wall)
            let (colleague, ops) = try colleagueOps(wall: wall)
            let last = ops.last!
            // Written by a laptop whose clock is an hour ahead: valid in every other way.
            let ahead = HybridTimestamp(milliseconds: wall.millisecondsSince1970() + 3_600_000, counter: 0)
            let future = Op(
                id: OpID(replica: colleague.id, sequence: last.id.sequence + 1), clock: ahead, author: colleague.author,
                recordType: .demand, recordID: F.id(1), scope: F.grid1.scope, field: "urgency",
                payload: .assign(.text("urgent")), parents: [last.id])
            let before = try await StoreSnapshot(store)
            let error = await storeError { try await store.ingest(ops + [future]) }
            #expect(error?.code == .refused)
            #expect(error?.merge?.code == .clockTooFarAhead)
            #expect(try await StoreSnapshot(store) == before)
            #expect(try await store.record(F.id(1)) == nil)

            // The refused clock did not move this replica's clock into the future.
            let written = try await store.write(F.create(F.id(2), F.newDemand))
            #expect(written.allSatisfy { $0.clock < ahead })
            #expect(written[0].clock.milliseconds == wall.millisecondsSince1970())

            // Once the wall clock has caught up, the same op is accepted.
            wall.advance(by: 3_600_000)
            #expect(try await store.ingest(ops + [future]) == ops.count + 1)
            #expect(try await store.record(F.id(1))?.value("urgency") == .text("urgent"))
            let next = try await store.write(F.edit(F.id(2), .assign("status", "accepted")))
            #expect(next[0].clock > ahead)
        }
    }

    /// Ops within the drift bound move the clock: this replica's next op comes after them.
    @Test func ingestedClocksOrderLaterWrites() async throws {
        try await withTemporaryFolder { folder in
            let wall = ManualWallClock()
            let store = try SQLiteReplicaStore.create(in: folder, identity: F.identity, wallClock: wall)
            let colleagueWall = ManualWallClock(milliseconds: wall.millisecondsSince1970() + 4 * 60_000)
            var colleague = Replica(
                id: ReplicaID(rawValue: 2), author: F.street.workers[1].id, clock: HybridClock(wallClock: colleagueWall)
            )
            try colleague.create(.demand, id: F.id(1), in: F.grid1.scope, F.newDemand)
            #expect(try await store.ingest(colleague.ops) == 4)
            let ours = try await store.write(F.edit(F.id(1), .assign("status", "accepted")))
            #expect(ours[0].clock > colleague.ops.last!.clock)
            #expect(Set(ours[0].parents) == [colleague.ops[2].id, colleague.ops[3].id])
        }
    }

    /// Parents that arrive after their children never become heads (the `awaited` table).
    @Test func childrenBeforeParentsGiveTheSameState() async throws {
        try await withTemporaryFolder { folder in
            let wall = ManualWallClock()
            let store = try SQLiteReplicaStore.create(in: folder, identity: F.identity, wallClock: wall)
            var colleague = Replica(
                id: ReplicaID(rawValue: 2), author: F.street.workers[1].id, clock: HybridClock(wallClock: wall))
            try colleague.create(.demand, id: F.id(1), in: F.grid1.scope, F.newDemand)
            try colleague.edit(F.id(1), .assign("status", "accepted"))
            try colleague.edit(F.id(1), .add("tags", "消防"))
            try colleague.edit(F.id(1), .remove("tags", "消防"))
            try colleague.edit(F.id(1), .assign("status", "in-progress"))
            try colleague.edit(F.id(1), .delete)
            let ops = colleague.ops
            // Newest first, one op per batch: every parent arrives after its children.
            for op in ops.reversed() {
                #expect(try await store.ingest([op]) == 1)
            }
            let record = try #require(try await store.record(F.id(1)))
            #expect(record == colleague.state[F.id(1)])
            #expect(record.registers["status"]?.heads.count == 1)
            #expect(record.sets["tags"]?.elements == [])
            #expect(record.isDeleted)
            #expect(try await store.status().conflictCount == 0)
        }
    }
}
