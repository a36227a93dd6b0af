import Foundation
import GridMerge
import GridModel
import GridStore
import GridStorePostgres
import GridTesting
import Testing

/// What the daemons on PostgreSQL take from laptops: the same as one daemon on SQLite, push
/// for push, for honest laptops and for pushes an attacker or a broken laptop would make.
@Suite(.enabled(if: PostgresTestDatabase.available, "GRIDSYNC_TEST_POSTGRES is not set"))
struct PostgresAdmissionTests {
    /// What a store answered to one push.
    enum Outcome: Hashable, CustomStringConvertible {
        case stored(Int)
        case refused(String)

        init(_ body: () async throws -> IngestResult) async {
            do {
                self = .stored(try await body().stored)
            } catch let error as StoreError {
                self = .refused(error.merge.map { "\($0.code)" } ?? "\(error.code)")
            } catch {
                self = .refused("unexpected \(error)")
            }
        }

        var description: String {
            switch self {
            case .stored(let count): "stored \(count)"
            case .refused(let reason): "refused (\(reason))"
            }
        }
    }

    /// The ways a push is forged from a laptop's honest ops.
    enum Forgery: CaseIterable {
        case none, replay, futureParent, ownLaterOp, otherRecord, gap, editOnADelete, tooManyParents, reusedID
        case clockAYearAhead, otherType
    }

    @Test func everyPushIsAnsweredAsOneDaemonOnSQLiteAnswersIt() async throws {
        try await PostgresTestDatabase.with { database in
            try await withTemporaryFolder { folder in
                let wall = ManualWallClock()
                let generator = EditGenerator()
                let street = generator.street
                let sqlite = try SQLiteReplicaStore.create(
                    in: folder,
                    identity: ReplicaIdentity(
                        replica: .random(), worker: WorkerID("gridsyncd")!,
                        scopes: street.communities.map { GridScope(community: $0.id) }),
                    wallClock: wall)
                try await database.withDaemons(2, wallClock: wall) { daemons in
                    var rng = SeededGenerator(seed: 0x6164_6d69)
                    var laptops = (0..<4).map { index in
                        Replica(
                            id: ReplicaID(rawValue: 0x1a00 + UInt64(index)), author: street.workers[index].id,
                            clock: HybridClock(wallClock: wall))
                    }
                    var pushed = [Int](repeating: 0, count: laptops.count)
                    var seen: [Forgery: Int] = [:]
                    for step in 0..<160 {
                        wall.advance(by: Int64.random(in: 1...60_000, using: &rng))
                        let index = Int.random(in: 0..<laptops.count, using: &rng)
                        try Self.work(&laptops[index], generator: generator, using: &rng)
                        let laptop = laptops[index]
                        // An id can be reused only once the laptop has pushed one.
                        let forgery = Forgery.allCases.filter { pushed[index] > 0 || $0 != .reusedID }
                            .randomElement(using: &rng)!
                        let push = Self.forge(
                            forgery, honest: Array(laptop.ops[pushed[index]...]), all: laptop.ops, using: &rng)
                        let expected = await Outcome { try await sqlite.admit(push, pushedBy: laptop.id) }
                        // Through either daemon: they are one server.
                        let daemon = daemons.randomElement(using: &rng)!
                        let answered = await Outcome { try await daemon.admit(push, pushedBy: laptop.id) }
                        #expect(
                            answered == expected, "step \(step), \(forgery): PostgreSQL \(answered), SQLite \(expected)"
                        )
                        switch (forgery, expected) {
                        case (.none, _), (.replay, _):
                            #expect(
                                expected == .stored(push.count - (forgery == .replay ? pushed[index] : 0))
                                    || push.isEmpty)
                            pushed[index] = laptop.ops.count
                        case (_, .refused):
                            seen[forgery, default: 0] += 1
                        case (_, .stored):
                            Issue.record("step \(step): the forgery \(forgery) was stored")
                        }
                        let writer = laptop.id
                        #expect(
                            try await daemons[0].ops(of: writer, after: 0, limit: .max)
                                == (try await sqlite.ops(of: writer, after: 0, limit: .max)))
                        #expect(
                            try await daemons[1].heldThrough(of: writer) == (try await sqlite.heldThrough(of: writer)))
                    }
                    #expect(seen.count == Forgery.allCases.count - 2, "every forgery was tried and refused: \(seen)")

                    // How far behind a laptop that never pulled is, scope by scope, as SQLite counts it (the two
                    // logs number their ops differently: a refused push leaves a gap in PostgreSQL's numbers).
                    let grid = street.grids[0]
                    let scopeSets: [[GridScope]] =
                        [[]] + street.grids.prefix(3).map { [$0.scope] }
                        + street.communities.prefix(2).map { [GridScope(community: $0.id)] }
                        + [[grid.scope, GridScope(community: grid.community)]]
                    for scopes in scopeSets {
                        for laptop in laptops {
                            let counted = try await daemons[1].opCount(after: 0, scopes: scopes, excluding: laptop.id)
                            let expected = try await sqlite.opCount(after: 0, scopes: scopes, excluding: laptop.id)
                            #expect(counted == expected, "\(scopes), all but \(laptop.id)")
                        }
                    }
                    #expect(
                        try await daemons[0].opCount(
                            after: 0, scopes: street.communities.map { GridScope(community: $0.id) },
                            excluding: ReplicaID(rawValue: 1)) == (try await sqlite.ops(after: 0, limit: .max).count))
                }
            }
        }
    }

    @Test func whatALaptopGivesBackAfterARestoreIsTakenAsOneDaemonOnSQLiteTakesIt() async throws {
        try await PostgresTestDatabase.with { database in
            try await withTemporaryFolder { folder in
                let wall = ManualWallClock()
                let generator = EditGenerator()
                let street = generator.street
                var sqlite = try SQLiteReplicaStore.create(
                    in: folder,
                    identity: ReplicaIdentity(replica: .random(), worker: WorkerID("gridsyncd")!, scopes: []),
                    wallClock: wall)
                var rng = SeededGenerator(seed: 0x6769_7665)
                // Two laptops of one grid (the laptop id picks the grid): the second holds the first's ops.
                var first = Replica(
                    id: ReplicaID(rawValue: 0x1b00), author: street.workers[0].id, clock: HybridClock(wallClock: wall))
                var second = Replica(
                    id: ReplicaID(rawValue: 0x1b00 + UInt64(street.grids.count)), author: street.workers[1].id,
                    clock: HybridClock(wallClock: wall))
                try await PostgresTestDatabase.withClient(database.address) { client in
                    var postgres = try await PostgresServerStore.open(
                        client: client, worker: WorkerID("gridsyncd")!, wallClock: wall)
                    // What both servers took in before the backup.
                    for _ in 0..<3 {
                        wall.advance(by: 60_000)
                        try Self.work(&first, generator: generator, using: &rng)
                        try Self.work(&second, generator: generator, using: &rng)
                    }
                    for laptop in [first, second] {
                        let own = laptop.ops.filter { $0.id.replica == laptop.id }
                        _ = try await sqlite.admit(own, pushedBy: laptop.id)
                        _ = try await postgres.admit(own, pushedBy: laptop.id)
                    }
                    // After it, lost by the restore: more work, the second laptop holding all of the first's.
                    for _ in 0..<3 {
                        wall.advance(by: 60_000)
                        try Self.work(&first, generator: generator, using: &rng)
                        try Self.work(&second, generator: generator, using: &rng)
                        for op in first.ops where op.id.replica == first.id { _ = try second.receive(op) }
                    }
                    // Refused before any restore, on both.
                    let (beforeSQLite, beforePostgres) = (sqlite, postgres)
                    let early = await Outcome { try await beforeSQLite.admitGivenBack(second.ops, by: second.id) }
                    let earlyAnswer = await Outcome {
                        try await beforePostgres.admitGivenBack(second.ops, by: second.id)
                    }
                    #expect(early == earlyAnswer && early == .refused("refused"))

                    // Both servers restored: new ids continuing the former ones.
                    wall.advance(by: 3_600_000)
                    _ = try SQLiteReplicaStore.continueAfterRestore(in: folder, as: .random(), wallClock: wall)
                    sqlite = try SQLiteReplicaStore.open(in: folder, wallClock: wall)
                    _ = try await PostgresServerStore.continueAfterRestore(
                        client: client, as: .random(), wallClock: wall)
                    postgres = try await PostgresServerStore.openExisting(client: client, wallClock: wall)
                    #expect(postgres.identity.restoredAt == sqlite.identity.restoredAt)

                    // The second laptop gives back all it holds, with the first's ops, and forgeries among
                    // them: one of the first's written after the restore, one reusing an id the first wrote
                    // with other content, and the first's last op built on that forgery.
                    let others = second.ops.filter { $0.id.replica == first.id }
                    let late = others[others.count - 2]
                    let lateOp = Op(
                        id: late.id, clock: HybridTimestamp(rawValue: late.clock.rawValue + (7_200_000 << 16)),
                        author: late.author, recordType: late.recordType, recordID: late.recordID, scope: late.scope,
                        field: late.field, payload: late.payload, parents: late.parents)
                    let reused = others[0]
                    let reusedOp = Op(
                        id: reused.id, clock: reused.clock, author: reused.author, recordType: reused.recordType,
                        recordID: reused.recordID, scope: reused.scope, field: "description",
                        payload: .assign(.text("改过的描述")), parents: [])
                    let forged = second.ops.map { op in
                        op.id == late.id ? lateOp : op.id == reused.id ? reusedOp : op
                    }
                    func given(_ push: [Op], to store: any ServerStore) async -> String {
                        do {
                            let result = try await store.admitGivenBack(push, by: second.id)
                            return "stored \(result.stored), skipped \(result.skipped)"
                        } catch let error as StoreError {
                            return "refused (\(error.merge.map { "\($0.code)" } ?? "\(error.code)"))"
                        } catch {
                            return "unexpected \(error)"
                        }
                    }
                    var answers: [String] = []
                    for push in [forged, second.ops, second.ops] {
                        let expected = await given(push, to: sqlite)
                        let answered = await given(push, to: postgres)
                        #expect(answered == expected, "PostgreSQL \(answered), SQLite \(expected)")
                        answers.append(answered)
                    }
                    // The two forgeries are left out (with the first's last op when it names the late one
                    // as a parent), or refuse the push when the laptop's own ops build on one; the honest
                    // push brings the rest; a repeat brings nothing.
                    #expect(
                        answers[0].hasSuffix("skipped 2") || answers[0].hasSuffix("skipped 3")
                            || answers[0] == "refused (bad-parents)", "\(answers)")
                    #expect(answers[1].hasPrefix("stored ") && answers[1] != "stored 0, skipped 0", "\(answers)")
                    #expect(answers[2] == "stored 0, skipped 0", "\(answers)")
                    for writer in [first.id, second.id] {
                        #expect(
                            try await postgres.ops(of: writer, after: 0, limit: .max)
                                == (try await sqlite.ops(of: writer, after: 0, limit: .max)))
                    }
                    // The honest copy of the late op, written before the restore after all, came back.
                    let firstsOps = try await postgres.ops(of: first.id, after: 0, limit: .max)
                    #expect(firstsOps.contains(late) && !firstsOps.contains(reusedOp))
                }
            }
        }
    }

    /// The laptop records a few things: new demands, edits of what it holds.
    static func work(_ laptop: inout Replica, generator: EditGenerator, using rng: inout SeededGenerator) throws {
        let grid = generator.street.grids[Int(laptop.id.rawValue % UInt64(generator.street.grids.count))].scope
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let held = laptop.state.records.values.filter { !$0.isDeleted }
            if held.isEmpty || Bool.random(using: &rng) {
                try laptop.create(
                    .demand, id: RecordID(using: &rng), in: grid, generator.newRecord(.demand, in: grid, using: &rng))
            } else if let record = held.randomElement(using: &rng),
                let edit = generator.edit(of: record, kind: nil, using: &rng)
            {
                _ = try laptop.edit(record.id, edit)
            }
        }
    }

    /// The push a laptop makes of its unsent ops, forged as `forgery` says.
    static func forge(_ forgery: Forgery, honest: [Op], all: [Op], using rng: inout SeededGenerator) -> [Op] {
        guard let last = all.last else { return honest }
        let me = last.id.replica
        let next = last.id.sequence + 1
        func op(
            _ sequence: UInt64, from base: Op, parents: [OpID]? = nil, field: String? = nil, clock: UInt64? = nil,
            type: RecordType? = nil
        ) -> Op {
            Op(
                id: OpID(replica: me, sequence: sequence),
                clock: clock.map(HybridTimestamp.init(rawValue:)) ?? base.clock,
                author: base.author, recordType: type ?? base.recordType, recordID: base.recordID, scope: base.scope,
                field: field ?? base.field, payload: base.payload, parents: parents ?? base.parents)
        }
        switch forgery {
        case .none: return honest
        case .replay: return all
        case .futureParent:
            return honest + [op(next, from: last, parents: [OpID(replica: ReplicaID(rawValue: 0x77), sequence: 9)])]
        case .ownLaterOp: return honest + [op(next, from: last, parents: [OpID(replica: me, sequence: next + 1)])]
        case .otherRecord:
            guard let other = all.first(where: { $0.recordID != last.recordID }) else {
                return honest + [op(next + 5, from: last)]
            }
            return honest + [op(next, from: last, parents: [other.id])]
        case .gap: return honest + [op(next + 1, from: last, parents: [])]
        case .editOnADelete:
            let delete = Op(
                id: OpID(replica: me, sequence: next), clock: last.clock, author: last.author,
                recordType: last.recordType,
                recordID: last.recordID, scope: last.scope, field: RecordSchema.deletedField,
                payload: .assign(.boolean(true)), parents: [])
            return honest + [delete, op(next + 1, from: last, parents: [delete.id], field: "title")]
        case .tooManyParents:
            let parents = (1...OpAdmission.maximumParents + 1).map {
                OpID(replica: ReplicaID(rawValue: UInt64($0) + 0x100), sequence: 1)
            }
            return honest + [op(next, from: last, parents: parents)]
        case .reusedID:
            // One of the ops the server holds already: those before the honest push.
            let held = all[Int.random(in: 0..<(all.count - honest.count), using: &rng)]
            return [op(held.id.sequence, from: held, field: held.field == "title" ? "description" : "title")]
        case .clockAYearAhead:
            return honest + [op(next, from: last, parents: [], clock: last.clock.rawValue + (365 * 86_400_000 << 16))]
        case .otherType:
            return honest + [op(next, from: last, parents: [], type: .visit)]
        }
    }
}

/// Runs `body` with the path of a folder that does not exist yet, removed afterwards.
func withTemporaryFolder<T>(_ body: (String) async throws -> T) async throws -> T {
    let folder = FileManager.default.temporaryDirectory
        .appendingPathComponent("gridsync-postgres-tests-\(UUID().uuidString)", isDirectory: true).path
    defer { try? FileManager.default.removeItem(atPath: folder) }
    return try await body(folder)
}
