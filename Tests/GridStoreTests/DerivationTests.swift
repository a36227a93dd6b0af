import Foundation
import GRDB
import GridMerge
import GridModel
import GridStore
import GridTesting
import Synchronization
import Testing

/// The op log first: ops received from peers are appended to the log, and the records, typed
/// rows, heads, conflicts and awaited parents are derived from it behind. Whatever the
/// interleaving of appends, partial derivations, local writes and reads, the derived tables end
/// equal to those of a replica that merged the same log as it arrived, and to the in-memory
/// state of the same ops; and every read sees every op stored before it.
@Suite struct DerivationTests {
    typealias F = StoreFixtures

    @Test func derivedTablesEqualTheLogMergedAtOnceWhateverTheInterleaving() async throws {
        var master = SeededGenerator(seed: 0x6465_7269_7665)
        var partialDerivations = 0
        var readsThatCaughtUp = 0
        for _ in 0..<16 {
            let seed = master.next()
            let outcome = OfflineSchedule(
                replicas: Int.random(in: 3...4, using: &master), steps: Int.random(in: 60...160, using: &master),
                seed: seed)
            #expect(outcome.failures.isEmpty, "seed \(seed): \(outcome.failures)")
            var rng = SeededGenerator(seed: seed ^ 0xd0d0)
            let all = Array(outcome.ops.values).sorted { $0.id < $1.id }.shuffled(using: &rng)
            let latest = all.map(\.clock.milliseconds).max() ?? 0
            let identity = ReplicaIdentity(
                replica: ReplicaID(rawValue: 0xfeed_0000_0000_0002), worker: WorkerID("office-1")!,
                scopes: [outcome.grid.scope])
            let peer = ReplicaID(rawValue: 0xbeef)
            try await withTemporaryFolder { folder in
                let store = try SQLiteReplicaStore.create(
                    in: folder, identity: identity, wallClock: ManualWallClock(milliseconds: latest))
                // The ops arrive in random batches, in no causal order, some twice; between
                // batches the records catch up partly, a read catches them up, or a batch is
                // merged as it is stored (ops exchanged without a server).
                var start = 0
                var through: Int64 = 0
                while start < all.count {
                    let end = min(all.count, start + Int.random(in: 1...12, using: &rng))
                    var batch = Array(all[start..<end])
                    if start > 0, Bool.random(using: &rng) { batch.append(all[Int.random(in: 0..<start, using: &rng)]) }
                    switch Int.random(in: 0..<10, using: &rng) {
                    case 0: _ = try await store.ingest(batch)
                    default:
                        through += 1
                        _ = try await store.ingest(batch, pulledFrom: peer, through: through)
                    }
                    switch Int.random(in: 0..<6, using: &rng) {
                    case 0:
                        let behind = try await store.underivedCount()
                        let limit = Int.random(in: 1...8, using: &rng)
                        // Tails read in small chunks, with records written and let go part-way.
                        let bounds = DerivationBounds(
                            chunk: Int.random(in: 1...4, using: &rng), heldRecords: Int.random(in: 1...3, using: &rng))
                        let derivation = try await store.derive(atMost: limit, bounds: bounds)
                        #expect(derivation.ops == min(behind, limit) && derivation.ops + derivation.remaining == behind)
                        #expect(derivation.remaining == (try await store.underivedCount()))
                        if derivation.remaining > 0 { partialDerivations += 1 }
                    case 1:
                        let behind = try await store.underivedCount()
                        _ = try await store.record(batch[0].recordID)
                        #expect(try await store.underivedCount() == 0, "a read left the records behind the log")
                        if behind > 0 { readsThatCaughtUp += 1 }
                    default: break
                    }
                    start = end
                }
                // The records as a read sees them: the whole log merged.
                let derived = try await Self.derivedTables(of: store, folder: folder)
                #expect(try await store.underivedCount() == 0)

                // The same log, merged op by op as it is stored, in the first replica's order.
                let log = try await store.ops(after: 0, limit: .max)
                #expect(Set(log) == Set(all))
                try await withTemporaryFolder { other in
                    let merged = try SQLiteReplicaStore.create(
                        in: other, identity: identity, wallClock: ManualWallClock(milliseconds: latest))
                    for op in log { _ = try await merged.ingest([op]) }
                    let expected = try await Self.derivedTables(of: merged, folder: other)
                    for (table, rows) in expected {
                        #expect(derived[table] == rows, "seed \(seed): table \(table) differs")
                    }
                }
                // And the in-memory state of the same ops.
                let reference = outcome.reference
                for id in reference.records.keys {
                    #expect(try await store.record(id) == reference[id], "seed \(seed): record \(id) differs")
                }
            }
        }
        // The interleavings did what they claim: derivations stopped part-way, reads caught up.
        #expect(partialDerivations > 20, "only \(partialDerivations) partial derivations")
        #expect(readsThatCaughtUp > 20, "only \(readsThatCaughtUp) reads found the records behind")
    }

    @Test func aReadSeesAPulledBatchAtOnce() async throws {
        try await withTemporaryFolder { folder in
            let (peerOps, peer) = try await Self.peerDemands(3)
            let store = try SQLiteReplicaStore.create(in: folder, identity: F.identity)
            let result = try await store.ingest(peerOps, pulledFrom: peer, through: 9)
            #expect(result.stored == peerOps.count)
            #expect(try await store.underivedCount() == peerOps.count)
            // Lists, counts and the record itself: every exact read merges the tail first.
            #expect(try await store.records(RecordQuery(type: .demand)).count == 3)
            #expect(try await store.underivedCount() == 0)
            #expect(try await store.status().records["demand"] == 3)
            #expect(try await store.cursor(for: peer).pulledThrough == 9)
        }
    }

    @Test func openingAfterACrashMergesTheTailAndAReaderOnlyStoreCatchesUpToo() async throws {
        try await withTemporaryFolder { folder in
            let (peerOps, peer) = try await Self.peerDemands(4)
            do {
                let store = try SQLiteReplicaStore.create(in: folder, identity: F.identity)
                _ = try await store.ingest(peerOps, pulledFrom: peer, through: 4)
                // The process ends here, as if killed: the records never took the batch in.
            }
            // An office tool reading the folder sees the batch.
            let reader = try SQLiteReplicaStore.openReadOnly(in: folder)
            #expect(try await reader.underivedCount() == peerOps.count)
            #expect(try await reader.records(RecordQuery(type: .demand)).count == 4)
            #expect(try await reader.underivedCount() == 0)

            // Left behind again, the next open merges the tail before anything else.
            let (more, _) = try await Self.peerDemands(2)
            do {
                let store = try SQLiteReplicaStore.open(in: folder)
                _ = try await store.ingest(more, pulledFrom: peer, through: 6)
                #expect(try await store.underivedCount() == more.count)
            }
            let reopened = try SQLiteReplicaStore.open(in: folder)
            #expect(try await reopened.underivedCount() == 0)
            #expect(try await reopened.records(RecordQuery(type: .demand)).count == 6)
        }
    }

    /// A pushed or pulled op that names a record with another type or scope than the log holds
    /// it under is refused whole, even while the records have not taken in the op that made it:
    /// the check reads the log, not the records.
    @Test(arguments: ["pushed", "pulled"])
    func anOpMovingARecordIsRefusedByTheLogWhileTheRecordsAreBehind(_ path: String) async throws {
        try await withTemporaryFolder { folder in
            let (made, peer) = try await Self.peerDemands(1)
            let store = try SQLiteReplicaStore.create(in: folder, identity: F.identity)
            func receive(_ ops: [Op], through: Int64) async throws {
                if path == "pushed" {
                    _ = try await store.admit(ops, pushedBy: peer)
                } else {
                    _ = try await store.ingest(ops, pulledFrom: peer, through: through)
                }
            }
            try await receive(made, through: 1)
            #expect(try await store.underivedCount() == made.count)
            let last = try #require(made.last)
            // Each a valid op of its type, but for a record the log holds as a demand in grid 1.
            for (type, scope, field, value) in [
                (RecordType.demand, F.grid2.scope, "urgency", "urgent"), (.visit, F.grid1.scope, "household", "3-201"),
            ] {
                let moved = Op(
                    id: OpID(replica: peer, sequence: last.id.sequence + 1), clock: last.clock, author: last.author,
                    recordType: type, recordID: last.recordID, scope: scope, field: field,
                    payload: .assign(.text(value)), parents: [])
                let error = await storeError { try await receive([moved], through: 2) }
                #expect(error?.merge?.code == .recordMismatch, "\(path) \(type.key) in \(scope): \(String(describing: error))")
            }
            // Nothing of the refused batches was stored, and the cursor did not move.
            #expect(try await store.underivedCount() == made.count)
            #expect(try await store.cursor(for: peer).pulledThrough == (path == "pulled" ? 1 : 0))
            #expect(try await store.records(RecordQuery(type: .demand)).map(\.scope) == [F.grid1.scope])
        }
    }

    @Test func aLocalWriteMergesTheTailBeforeItsOwnOps() async throws {
        try await withTemporaryFolder { folder in
            let (peerOps, peer) = try await Self.peerDemands(1)
            let store = try SQLiteReplicaStore.create(in: folder, identity: F.identity)
            _ = try await store.ingest(peerOps, pulledFrom: peer, through: 1)
            // The worker edits the demand the peer made: the edit must see it, and name its heads.
            let ops = try await store.write(F.edit(peerOps[0].recordID, .assign("status", "accepted")))
            #expect(try await store.underivedCount() == 0)
            let status = try #require(peerOps.first { $0.field == "status" })
            #expect(ops[0].parents.contains(status.id))
            #expect(try await store.record(peerOps[0].recordID)?.value("status") == .text("accepted"))
            #expect(try await store.conflictedRecords().isEmpty)
        }
    }

    @Test func theLoopKeepsUpAndLeavesNothingBehindWhenStopped() async throws {
        try await withTemporaryFolder { folder in
            let store = try SQLiteReplicaStore.create(in: folder, identity: F.identity)
            var policy = DerivationLoop.Policy()
            policy.poll = .milliseconds(5)
            policy.quiet = .milliseconds(20)
            let loop = DerivationLoop(store: store, policy: policy)
            let merged = Mutex(0)
            let running = Task {
                await loop.run { event in
                    switch event {
                    case .derived(let derivation): merged.withLock { $0 += derivation.ops }
                    case .failed(let error): Issue.record("the loop failed to merge: \(error)")
                    case .behind: break
                    }
                }
            }
            let (first, peer) = try await Self.peerDemands(5)
            _ = try await store.ingest(first, pulledFrom: peer, through: 1)
            // Quiet after the batch: the loop merges it without any read asking, and says so. (Within
            // five minutes: in the whole suite, on two cores, the tests that wait for the real
            // programs hold the threads that run tasks, and the loop can wait for one until they end;
            // it reports a merge after its commit, so the count, not the store, is waited for.)
            let deadline = ContinuousClock.now + .seconds(300)
            while merged.withLock({ $0 }) < first.count, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(merged.withLock { $0 } == first.count)
            #expect(try await store.underivedCount() == 0)
            // A batch stored just before the loop is stopped is merged as it stops.
            let (second, _) = try await Self.peerDemands(5)
            _ = try await store.ingest(second, pulledFrom: peer, through: 2)
            running.cancel()
            await running.value
            #expect(try await store.underivedCount() == 0)
            #expect(merged.withLock { $0 } == first.count + second.count)
        }
    }

    /// A merge that fails (the daemon's disk full, as a trigger plays it here) is reported, leaves
    /// nothing half-merged, and is tried again until it goes through: the loop does not end, and
    /// the ops wait safely in the log.
    @Test func aMergeThatFailsIsReportedAndTriedAgain() async throws {
        try await withTemporaryFolder { folder in
            let store = try SQLiteReplicaStore.create(in: folder, identity: F.identity)
            let other = try DatabaseQueue(path: (folder as NSString).appendingPathComponent(SQLiteReplicaStore.fileName))
            defer { try? other.close() }
            try await other.write { db in
                try db.execute(
                    sql: """
                        CREATE TRIGGER full_disk BEFORE INSERT ON records
                        BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END
                        """)
            }
            var policy = DerivationLoop.Policy()
            policy.poll = .milliseconds(5)
            policy.quiet = .milliseconds(20)
            let loop = DerivationLoop(store: store, policy: policy)
            let failures = Mutex(0)
            let merged = Mutex(0)
            let running = Task {
                await loop.run { event in
                    switch event {
                    case .derived(let derivation): merged.withLock { $0 += derivation.ops }
                    case .failed: failures.withLock { $0 += 1 }
                    case .behind: break
                    }
                }
            }
            let (ops, peer) = try await Self.peerDemands(5)
            _ = try await store.ingest(ops, pulledFrom: peer, through: 1)
            // Five minutes at most, as for the loop above: its task can wait that long for a thread.
            let deadline = ContinuousClock.now + .seconds(300)
            while failures.withLock({ $0 }) < 2, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(failures.withLock { $0 } >= 2, "the failed merge was not reported, or not tried again")
            #expect(merged.withLock { $0 } == 0)
            #expect(try await store.underivedCount() == ops.count, "a failed merge left part of the tail merged")

            try await other.write { db in try db.execute(sql: "DROP TRIGGER full_disk") }
            while merged.withLock({ $0 }) < ops.count, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(merged.withLock { $0 } == ops.count)
            #expect(try await store.underivedCount() == 0)
            #expect(try await store.records(RecordQuery(type: .demand)).count == 5, "five demands were made")
            running.cancel()
            await running.value
        }
    }

    // MARK: - Support

    /// `count` demands written by a peer replica in ``StoreFixtures/grid1``, and that replica's id.
    static func peerDemands(_ count: Int) async throws -> ([Op], ReplicaID) {
        try await withTemporaryFolder { folder in
            let peer = ReplicaIdentity(replica: .random(), worker: F.street.workers[1].id, scopes: [F.community])
            let store = try SQLiteReplicaStore.create(in: folder, identity: peer)
            for _ in 0..<count { _ = try await store.write(F.create(RecordID(), F.newDemand)) }
            return (try await store.ops(after: 0, limit: .max), peer.replica)
        }
    }

    /// Every derived table of the replica in `folder`, row by row as text, in key order.
    static func derivedTables(of store: SQLiteReplicaStore, folder: String) async throws -> [String: [String]] {
        _ = try await store.status()  // brings the records up to date with the log
        let queue = try DatabaseQueue(path: (folder as NSString).appendingPathComponent(SQLiteReplicaStore.fileName))
        defer { try? queue.close() }
        return try await queue.read { db in
            var tables: [String: [String]] = [:]
            for (table, order) in [
                ("records", "id"), ("demands", "record_id"), ("visits", "record_id"), ("projects", "record_id"),
                ("street", "record_id"), ("heads", "record_id, field, op_replica, op_sequence"),
                ("conflicts", "record_id, field"), ("awaited", "op_replica, op_sequence, record_id, field, element"),
            ] {
                tables[table] = try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY \(order)").map(\.description)
            }
            return tables
        }
    }
}
