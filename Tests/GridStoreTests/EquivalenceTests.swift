import Foundation
import GRDB
import GridMerge
import GridModel
import GridStore
import GridTesting
import Testing

/// The SQLite store follows the merge rules of the in-memory core: holding the same ops, it
/// has the same records and the same conflicts as a `ReplicaState`, and writing the same
/// edits, it writes the same ops as an in-memory `Replica`.
@Suite struct EquivalenceTests {
    typealias F = StoreFixtures

    /// A (record, field) pair, for comparing conflicts.
    struct ConflictSlot: Hashable, CustomStringConvertible {
        var record: String
        var field: String
        var description: String { "\(record)/\(field)" }
    }

    /// A register head, for comparing the `heads` table.
    struct Head: Hashable {
        var record: String
        var field: String
        var op: String
    }

    @Test func ingestingScheduledOpsInAnyOrderMatchesTheInMemoryState() async throws {
        var master = SeededGenerator(seed: 0x6772_6964_7379_6e63)
        var withConflicts = 0
        var withDeleteConflicts = 0
        var withLateParents = 0
        let schedules = 24
        for _ in 0..<schedules {
            let replicas = Int.random(in: 3...4, using: &master)
            let steps = Int.random(in: 40...140, using: &master)
            let seed = master.next()
            let outcome = OfflineSchedule(replicas: replicas, steps: steps, seed: seed)
            #expect(outcome.failures.isEmpty, "seed \(seed): \(outcome.failures)")
            let reference = outcome.reference
            let context = "replicas \(replicas), steps \(steps), seed \(seed)"
            let lateParents = try await checkIngest(outcome, reference: reference, seed: seed, context: context)
            if !reference.conflicts.isEmpty { withConflicts += 1 }
            if reference.conflicts.contains(where: { $0.field == RecordSchema.deletedField }) {
                withDeleteConflicts += 1
            }
            if lateParents { withLateParents += 1 }
        }
        // The schedules exercise what they claim to: open conflicts, some between a delete
        // and an edit, and batches in which a child arrived before its parent.
        #expect(withConflicts >= schedules / 2, "only \(withConflicts) schedules ended in conflicts")
        #expect(withDeleteConflicts >= 3)
        #expect(withLateParents >= schedules * 3 / 4)
    }

    /// Ingests a schedule's ops into a fresh store in a random order, in random batches with
    /// duplicates, and compares the store with `reference`. Returns whether some op arrived
    /// before one of its parents.
    private func checkIngest(
        _ outcome: OfflineSchedule, reference: ReplicaState, seed: UInt64, context: String
    ) async throws -> Bool {
        var rng = SeededGenerator(seed: seed ^ 0x5eed)
        let all = Array(outcome.ops.values)
        let latest = all.map(\.clock.milliseconds).max() ?? 0
        let identity = ReplicaIdentity(
            replica: ReplicaID(rawValue: 0xfeed_0000_0000_0001), worker: WorkerID("office-1")!,
            scopes: [outcome.grid.scope])
        return try await withTemporaryFolder { folder in
            let store = try SQLiteReplicaStore.create(
                in: folder, identity: identity, wallClock: ManualWallClock(milliseconds: latest))

            var feed = all.sorted { $0.id < $1.id }.shuffled(using: &rng)
            feed += feed.filter { _ in Int.random(in: 0..<4, using: &rng) == 0 }
            feed.shuffle(using: &rng)
            var seen: Set<OpID> = []
            var lateParents = false
            var stored = 0
            var start = 0
            while start < feed.count {
                let end = min(feed.count, start + Int.random(in: 1...40, using: &rng))
                let batch = Array(feed[start..<end])
                for op in batch {
                    if op.parents.contains(where: { !seen.contains($0) }) { lateParents = true }
                    seen.insert(op.id)
                }
                stored += try await store.ingest(batch)
                start = end
            }
            #expect(stored == all.count, "ingest counted \(stored) new ops of \(all.count) (\(context))")

            // Records: every one equal to the in-memory state's.
            let records = try await store.allRecords()
            let expected = reference.records.values.sorted { ($0.type, $0.id) < ($1.type, $1.id) }
            #expect(records.map(\.id) == expected.map(\.id), "record ids differ (\(context))")
            for id in reference.records.keys.sorted() {
                let record = try await store.record(id)
                #expect(record == reference[id], "record \(id) differs (\(context))")
            }

            // Conflicts: the same (record, field) pairs, in the states and in the conflicts table.
            let referenceConflicts = Set(
                reference.conflicts.map { ConflictSlot(record: $0.recordID.description, field: $0.field) })
            let storeConflicts = Set(
                records.flatMap { record in
                    record.conflictedFields.map { ConflictSlot(record: record.id.description, field: $0) }
                })
            #expect(storeConflicts == referenceConflicts, "conflicts differ (\(context))")

            let path = (folder as NSString).appendingPathComponent(SQLiteReplicaStore.fileName)
            let queue = try DatabaseQueue(path: path)
            let (tableConflicts, tableHeads, opsInTable) = try await queue.read { db in
                let conflicts = try Row.fetchAll(db, sql: "SELECT record_id, field FROM conflicts").map {
                    ConflictSlot(record: $0[0], field: $0[1])
                }
                let heads = try Row.fetchAll(db, sql: "SELECT record_id, field, op_replica, op_sequence FROM heads").map
                {
                    Head(record: $0[0], field: $0[1], op: "\($0[2] as String).\($0[3] as Int64)")
                }
                let ops = try Int.fetchOne(db, sql: "SELECT count(*) FROM ops") ?? 0
                return (Set(conflicts), Set(heads), ops)
            }
            #expect(tableConflicts == referenceConflicts, "the conflicts table differs (\(context))")
            let referenceHeads = Set(
                reference.records.values.flatMap { record in
                    record.registers.flatMap { field, register in
                        register.heads.map { Head(record: record.id.description, field: field, op: $0.op.description) }
                    }
                })
            #expect(tableHeads == referenceHeads, "the heads table differs (\(context))")
            #expect(opsInTable == all.count)
            #expect(Set(try await store.ops(after: 0, limit: .max)) == Set(all))

            // Status and lists agree with the reference too.
            let status = try await store.status()
            #expect(status.opCount == all.count && status.ownOpCount == 0)
            #expect(status.conflictCount == reference.conflicts.count, "conflict count differs (\(context))")
            // (Lists come newest first; which records they hold is compared here, as sorted ids.)
            for type in RecordType.allCases {
                let live = expected.filter { $0.type == type && !$0.isDeleted }.map(\.id).sorted()
                #expect(status.records[type.key, default: 0] == live.count)
                #expect(
                    try await store.records(RecordQuery(type: type)).map(\.id).sorted() == live,
                    "\(type) list (\(context))")
                var everything = RecordQuery(type: type)
                everything.includeDeleted = true
                #expect(
                    try await store.records(everything).map(\.id).sorted()
                        == expected.filter { $0.type == type }.map(\.id).sorted())
            }
            // The typed columns follow the merged values (the shown winner of each register).
            let demands = expected.filter { $0.type == .demand && !$0.isDeleted }
            for status in DemandStatus.allCases {
                var query = RecordQuery(type: .demand)
                query.status = status
                #expect(
                    try await store.records(query).map(\.id).sorted()
                        == demands.filter { $0.value("status") == .text(status.key) }.map(\.id).sorted(),
                    "demands with status \(status.key) (\(context))")
            }
            for category in Category.allCases {
                var query = RecordQuery(type: .demand)
                query.category = category
                #expect(
                    try await store.records(query).map(\.id).sorted()
                        == demands.filter { $0.value("category") == .text(category.key) }.map(\.id).sorted())
            }
            var open = RecordQuery(type: .demand)
            open.openOnly = true
            #expect(
                try await store.records(open).map(\.id).sorted()
                    == demands.filter {
                        DemandStatus(rawValue: $0.value("status").text ?? "")?.isOpen ?? false
                    }.map(\.id).sorted())
            let projects = expected.filter { $0.type == .project && !$0.isDeleted }
            for stage in ProjectStage.allCases {
                var query = RecordQuery(type: .project)
                query.stage = stage
                #expect(
                    try await store.records(query).map(\.id).sorted()
                        == projects.filter { $0.value("stage") == .text(stage.key) }.map(\.id).sorted())
            }
            return lateParents
        }
    }

    /// A SQLite replica and an in-memory `Replica` with the same identity and wall clock,
    /// given the same edits and the same peer ops, write equal ops and hold equal state.
    @Test(arguments: [UInt64(1), 2, 3, 4, 5, 6, 7, 8])
    func writingMatchesTheInMemoryReplica(seed: UInt64) async throws {
        var rng = SeededGenerator(seed: seed)
        let generator = EditGenerator()
        let grid = F.street.grids.randomElement(using: &rng)!
        let identity = ReplicaIdentity(
            replica: .random(using: &rng), worker: F.street.workers[0].id, scopes: [grid.scope])
        var highestWall: UInt64 = 1_793_491_200_000
        let wall = ManualWallClock(milliseconds: highestWall)
        let peerWall = ManualWallClock(milliseconds: highestWall)
        var replica = Replica(id: identity.replica, author: identity.worker, clock: HybridClock(wallClock: wall))
        var peer = Replica(
            id: .random(using: &rng), author: F.street.workers[1].id, clock: HybridClock(wallClock: peerWall))

        try await withTemporaryFolder { folder in
            let store = try SQLiteReplicaStore.create(in: folder, identity: identity, wallClock: wall)

            func write(_ id: RecordID, create type: RecordType?, _ edits: [Edit]) async throws {
                let change = RecordChange(
                    record: id, target: type.map { .create($0, in: grid.scope) } ?? .edit, edits: edits)
                let expected: Result<[Op], MergeError>
                do {
                    if let type {
                        expected = .success(try replica.create(type, id: id, in: grid.scope, edits))
                    } else {
                        expected = .success([try replica.edit(id, edits[0])])
                    }
                } catch {
                    expected = .failure(error)
                }
                do {
                    let ops = try await store.write(change)
                    #expect(expected == .success(ops), "seed \(seed): the store wrote other ops for \(edits)")
                } catch let error as StoreError {
                    guard case .failure(let refusal) = expected else {
                        Issue.record("seed \(seed): the store refused \(edits) that the replica took: \(error)")
                        return
                    }
                    #expect(refusal.code == .unknownRecord && error.code == .unknownRecord)
                }
            }

            for _ in 0..<80 {
                switch Int.random(in: 0..<100, using: &rng) {
                case 0..<10:
                    let type = EditGenerator.fieldTypes.randomElement(using: &rng)!
                    try await write(
                        RecordID(using: &rng), create: type, generator.newRecord(type, in: grid.scope, using: &rng))
                case 10..<50:
                    guard let id = replica.state.records.keys.sorted().randomElement(using: &rng),
                        let record = replica.state[id]
                    else { continue }
                    let edit = generator.workerEdit(of: record, using: &rng)
                    if let edit { try await write(id, create: nil, [edit]) }
                case 50..<65:
                    // The peer works on what it has received (or creates something).
                    if let id = peer.state.records.keys.sorted().randomElement(using: &rng),
                        let record = peer.state[id],
                        !record.isDeleted, let edit = generator.edit(of: record, using: &rng)
                    {
                        try peer.edit(id, edit)
                    } else {
                        let type = EditGenerator.fieldTypes.randomElement(using: &rng)!
                        try peer.create(
                            type, id: RecordID(using: &rng), in: grid.scope,
                            generator.newRecord(type, in: grid.scope, using: &rng))
                    }
                case 65..<80:
                    // The peer's ops arrive, some twice, in the order sent.
                    var batch = peer.ops.filter { _ in Int.random(in: 0..<3, using: &rng) > 0 }
                    batch += batch.filter { _ in Int.random(in: 0..<4, using: &rng) == 0 }
                    batch.shuffle(using: &rng)
                    var new = 0
                    for op in batch {
                        if try replica.receive(op) { new += 1 }
                    }
                    #expect(try await store.ingest(batch) == new, "seed \(seed)")
                case 80..<90:
                    for op in replica.ops { try peer.receive(op) }
                default:
                    // Wall clocks move, sometimes back, but stay within the drift bound of each other.
                    let next = Int64(highestWall) + Int64.random(in: -60_000...600_000, using: &rng)
                    wall.set(UInt64(next))
                    highestWall = max(highestWall, UInt64(next))
                    peerWall.set(UInt64(next + Int64.random(in: -60_000...60_000, using: &rng)))
                }
            }
            #expect(try await store.ops(after: 0, limit: .max) == replica.ops, "seed \(seed): op logs differ")
            #expect(
                try await store.allRecords()
                    == replica.state.records.values.sorted { ($0.type, $0.id) < ($1.type, $1.id) })
            #expect(try await store.status().conflictCount == replica.state.conflicts.count)
            #expect(try await store.status().ownOpCount == Int(replica.lastSequence))
        }
    }
}
