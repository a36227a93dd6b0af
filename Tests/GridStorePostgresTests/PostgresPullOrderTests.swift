import GridMerge
import GridModel
import GridStore
import GridStorePostgres
import GridTesting
import Synchronization
import Testing

/// The pull cursor with several daemons writing: laptops push through two daemons whose
/// commits are slow (a pause between taking their numbers and committing), while laptops
/// pull through a third. A pull that read past a number still being committed would never
/// see that op; every puller must end with every op its scopes read, each once.
@Suite(.enabled(if: PostgresTestDatabase.available, "GRIDSYNC_TEST_POSTGRES is not set"))
struct PostgresPullOrderTests {
    @Test func pullsRacingSlowCommitsOnOtherDaemonsSkipNothing() async throws {
        var options = PostgresServerStore.Options()
        options.pauseBeforeCommit = .zero ... .milliseconds(40)
        try await PostgresTestDatabase.with { database in
            try await database.withDaemons(3, options: options) { daemons in
                let generator = EditGenerator()
                let grids = generator.street.grids.map(\.scope)
                let communities = generator.street.communities.map { GridScope(community: $0.id) }
                // Two laptops in each of five grids.
                let laptops = (0..<10).map { ReplicaID(rawValue: 0x2b00 + UInt64($0)) }
                let writing = Writers(laptops.count)
                // The office pulls everything; a laptop of the first grid pulls its grid, but for its own.
                let pullers: [(scopes: [GridScope], writers: OpWriters)] = [
                    (communities, .all), ([grids[0]], .allBut(laptops[0])),
                ]
                var pushed: [Op] = []
                var pulled: [[Op]] = Array(repeating: [], count: pullers.count)
                var midway = 0
                try await withThrowingTaskGroup(of: Outcome.self) { group in
                    for (index, laptop) in laptops.enumerated() {
                        group.addTask {
                            defer { writing.done() }
                            let ops = try await Self.record(
                                as: laptop, in: grids[index % 5], through: Array(daemons[0...1]),
                                generator: generator, seed: 0x7261_6365 + UInt64(index))
                            return .pushed(ops)
                        }
                    }
                    for (index, puller) in pullers.enumerated() {
                        group.addTask {
                            var rng = SeededGenerator(seed: 0x7075_6c6c + UInt64(index))
                            var cursor: Int64 = 0
                            var ops: [Op] = []
                            var midway = 0
                            while true {
                                // Read before the batch: writers done by then have committed all they will.
                                let done = writing.allDone
                                let batch = try await daemons[2].batch(
                                    after: cursor, limit: Int.random(in: 1...30, using: &rng), scopes: puller.scopes,
                                    writers: puller.writers)
                                #expect(batch.through >= cursor, "a cursor never goes back")
                                ops += batch.ops
                                cursor = batch.through
                                if !done { midway += 1 }
                                if done && !batch.more { break }
                                if !batch.more {
                                    try await Task.sleep(for: .milliseconds(Int.random(in: 0...5, using: &rng)))
                                }
                            }
                            return .pulled(index, ops, midway: midway)
                        }
                    }
                    for try await outcome in group {
                        switch outcome {
                        case .pushed(let ops): pushed += ops
                        case .pulled(let index, let ops, let count):
                            pulled[index] = ops
                            midway += count
                        }
                    }
                }
                #expect(midway > 50, "pulls ran while the daemons committed: \(midway)")
                for (index, puller) in pullers.enumerated() {
                    let expected = pushed.filter { op in
                        puller.scopes.reads(op.recordType, in: op.scope)
                            && (puller.writers != .allBut(laptops[0]) || op.id.replica != laptops[0])
                    }
                    let ids = pulled[index].map(\.id)
                    #expect(Set(ids).count == ids.count, "puller \(index) was sent an op twice")
                    let missing = Set(expected.map(\.id)).subtracting(ids)
                    #expect(
                        missing.isEmpty,
                        "puller \(index) never received \(missing.count) of \(expected.count) ops, such as \(missing.prefix(3))"
                    )
                    let foreign = Set(ids).subtracting(expected.map(\.id))
                    #expect(
                        foreign.isEmpty, "puller \(index) received \(foreign.count) ops outside its scopes or writers")
                }
                #expect(pulled[1].count > 0 && pulled[1].count < pulled[0].count)
            }
        }
    }

    /// How many writers are still recording.
    final class Writers: Sendable {
        private let left: Atomic<Int>
        init(_ count: Int) { left = Atomic(count) }
        func done() { left.subtract(1, ordering: .sequentiallyConsistent) }
        var allDone: Bool { left.load(ordering: .sequentiallyConsistent) == 0 }
    }

    /// What a task of the race ended with.
    enum Outcome: Sendable {
        case pushed([Op])
        case pulled(Int, [Op], midway: Int)
    }

    /// A laptop recording demands and edits in `grid` and pushing them, a dozen times,
    /// each time through one of `daemons`; returns every op it wrote.
    static func record(
        as id: ReplicaID, in grid: GridScope, through daemons: [PostgresServerStore], generator: EditGenerator,
        seed: UInt64
    ) async throws -> [Op] {
        var rng = SeededGenerator(seed: seed)
        var laptop = Replica(
            id: id, author: generator.street.workers[0].id, clock: HybridClock(wallClock: SystemWallClock()))
        var sent = 0
        for _ in 0..<12 {
            for _ in 0..<Int.random(in: 1...6, using: &rng) {
                if laptop.state.records.isEmpty || Bool.random(using: &rng) {
                    try laptop.create(
                        .demand, id: RecordID(using: &rng), in: grid,
                        generator.newRecord(.demand, in: grid, using: &rng))
                } else if let record = laptop.state.records.values.randomElement(using: &rng),
                    let edit = generator.edit(of: record, kind: .register, using: &rng)
                {
                    _ = try laptop.edit(record.id, edit)
                }
            }
            let daemon = daemons.randomElement(using: &rng)!
            let result = try await daemon.admit(Array(laptop.ops[sent...]), pushedBy: laptop.id)
            #expect(result.stored == laptop.ops.count - sent)
            sent = laptop.ops.count
        }
        return laptop.ops
    }
}
