import Foundation
import GridMerge
import GridModel
import GridStore
import GridTesting
import Testing

/// Replicas exchanging ops through the store's cursors, as sync will drive them: pushes
/// acknowledged after commit, pulls filtered to the puller's scopes, cursors stored with
/// the ops, interrupted exchanges resumed.
@Suite struct PeerExchangeTests {
    typealias F = StoreFixtures

    /// Pushes `client`'s ops that `server` has not acknowledged, then pulls what `server` holds
    /// in `client`'s scopes, in batches; `stopAfterPulls` interrupts the pull part-way.
    static func exchange(
        _ client: SQLiteReplicaStore, _ server: SQLiteReplicaStore, batchSize: Int = 7, stopAfterPulls: Int? = nil
    ) async throws {
        var cursor = try await client.cursor(for: server.identity.replica)
        var more = true
        while more {
            let batch = try await client.batch(
                after: cursor.pushedThrough, limit: batchSize, scopes: client.identity.scopes,
                writers: .only(client.identity.replica))
            _ = try await server.ingest(batch.ops)
            try await client.markPushed(to: server.identity.replica, through: batch.through)
            cursor.pushedThrough = batch.through
            more = batch.more
        }
        var pulls = 0
        more = true
        while more, pulls != stopAfterPulls {
            let batch = try await server.batch(
                after: cursor.pulledThrough, limit: batchSize, scopes: client.identity.scopes,
                writers: .allBut(client.identity.replica))
            _ = try await client.ingest(batch.ops, pulledFrom: server.identity.replica, through: batch.through)
            cursor.pulledThrough = batch.through
            more = batch.more
            pulls += 1
        }
    }

    static func store(
        _ folder: String, _ name: String, _ replica: UInt64, _ worker: Int, _ scope: GridScope, _ wall: ManualWallClock
    )
        throws -> SQLiteReplicaStore
    {
        try SQLiteReplicaStore.create(
            in: (folder as NSString).appendingPathComponent(name),
            identity: ReplicaIdentity(
                replica: ReplicaID(rawValue: replica), worker: F.street.workers[worker].id, scopes: [scope]),
            wallClock: wall)
    }

    @Test func threeWorkersAndTheOfficeConvergeWithinTheirScopes() async throws {
        try await withTemporaryFolder { folder in
            let wall = ManualWallClock()
            let office = try Self.store(folder, "office", 0xaa, 0, F.community, wall)
            let wang = try Self.store(folder, "wang", 0x01, 1, F.grid1.scope, wall)
            let li = try Self.store(folder, "li", 0x02, 2, F.grid1.scope, wall)
            let zhao = try Self.store(folder, "zhao", 0x03, 3, F.grid2.scope, wall)

            let shared = F.id(1)
            _ = try await wang.write(F.create(shared, .demand, in: F.grid1.scope, F.newDemand))
            _ = try await zhao.write(F.create(F.id(2), .demand, in: F.grid2.scope, F.newDemand))
            for replica in [wang, li, zhao] { try await Self.exchange(replica, office) }
            #expect(try await li.record(shared) != nil)
            #expect(try await zhao.record(shared) == nil, "a grid-2 worker must not receive grid-1 records")

            // Offline, 王 and 李 change the same demand's status; 李 also edits another field.
            wall.advance(by: 1_000)
            _ = try await wang.write(
                RecordChange(record: shared, target: .edit, edits: [.assign("status", "accepted")]))
            wall.advance(by: 1_000)
            _ = try await li.write(
                RecordChange(
                    record: shared, target: .edit, edits: [.assign("status", "resolved"), .change("backers", by: 4)]))
            for _ in 0..<2 {
                for replica in [li, zhao, wang] { try await Self.exchange(replica, office) }
            }

            let grid1Records = try await office.allRecords().filter { $0.scope == F.grid1.scope }
            #expect(try await wang.allRecords() == grid1Records)
            #expect(try await li.allRecords() == grid1Records)
            #expect(try await zhao.allRecords().map(\.id) == [F.id(2)])
            let record = try #require(try await office.record(shared))
            #expect(record.conflictedFields == ["status"])
            #expect(record.counters["backers"]?.value == 4)
            #expect(try await RecordExport.jsonLines(wang.allRecords()) == RecordExport.jsonLines(li.allRecords()))
        }
    }

    @Test func anInterruptedPullResumesWithNothingLostOrTwice() async throws {
        try await withTemporaryFolder { folder in
            let wall = ManualWallClock()
            let office = try Self.store(folder, "office", 0xaa, 0, F.community, wall)
            let wang = try Self.store(folder, "wang", 0x01, 1, F.grid1.scope, wall)
            for number in 1...12 {
                _ = try await office.write(
                    F.create(
                        F.id(number), .demand, in: number.isMultiple(of: 3) ? F.grid2.scope : F.grid1.scope, F.newDemand
                    ))
            }
            try await Self.exchange(wang, office, batchSize: 5, stopAfterPulls: 2)
            let partway = try await wang.cursor(for: office.identity.replica)
            #expect(partway.pulledThrough > 0)
            #expect(try await wang.status().opCount == 10)  // two batches of five, stored with their cursor

            try await Self.exchange(wang, office, batchSize: 5)
            let grid1 = try await office.allRecords().filter { $0.scope == F.grid1.scope }
            #expect(grid1.count == 8)
            #expect(try await wang.allRecords() == grid1)
            #expect(try await wang.status().opCount == 8 * F.newDemand.count)
            let done = try await wang.cursor(for: office.identity.replica)
            #expect(done.pulledThrough == Int64(12 * F.newDemand.count))
            #expect(done.lastSyncAt != nil)
            // Nothing new: an exchange moves no op and no cursor.
            try await Self.exchange(wang, office, batchSize: 5)
            #expect(try await wang.cursor(for: office.identity.replica).pulledThrough == done.pulledThrough)
            #expect(try await wang.status().opCount == 8 * F.newDemand.count)
        }
    }

    @Test func batchesSkipOpsOutsideTheScopesButMovePastThem() async throws {
        try await withTemporaryFolder { folder in
            let office = try Self.store(folder, "office", 0xaa, 0, F.community, ManualWallClock())
            _ = try await office.write(F.create(F.id(1), .demand, in: F.grid2.scope, F.newDemand))
            let empty = try await office.batch(after: 0, limit: 100, scopes: [F.grid1.scope], writers: .all)
            #expect(empty.ops.isEmpty && !empty.more && empty.through == Int64(F.newDemand.count))
            let all = try await office.batch(after: 0, limit: 100, scopes: [F.community], writers: .all)
            #expect(all.ops.count == F.newDemand.count)
            let none = try await office.batch(after: 0, limit: 100, scopes: [], writers: .all)
            #expect(none.ops.isEmpty)
        }
    }
}
