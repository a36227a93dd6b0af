import GridMerge
import GridModel

/// A seeded, random day of offline work: in-memory replicas that create and edit shared
/// records (registers, sets, counters, logs, deletes, restores, resolutions), exchange ops
/// in random subsets and orders with duplicates and drops, while their wall clocks jump
/// forwards and backwards. Property tests and store tests replay it from its seed.
public struct OfflineSchedule {
    /// The grid every record of the schedule lies in.
    public private(set) var grid: Grid
    /// The replicas; each holds what it wrote and what it received.
    public private(set) var replicas: [Replica]
    /// Edits and deliveries the merge core refused although they were valid; must stay empty.
    public private(set) var failures: [String] = []
    /// How many edits were written.
    public private(set) var edits = 0

    private var rng: SeededGenerator
    private let walls: [ManualWallClock]
    private let generator = EditGenerator()

    /// Plays a schedule of `steps` random steps for `count` replicas.
    public init(replicas count: Int, steps: Int, seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        let street = generator.street
        grid = street.grids.randomElement(using: &random)!
        let walls = (0..<count).map { _ in
            ManualWallClock(milliseconds: 1_793_491_200_000 + UInt64.random(in: 0...60_000, using: &random))
        }
        replicas = walls.indices.map { index in
            Replica(
                id: .random(using: &random), author: street.workers[index].id,
                clock: HybridClock(wallClock: walls[index], maximumDrift: 24 * 3_600_000))
        }
        self.walls = walls
        rng = random
        for _ in 0..<steps {
            let index = Int.random(in: 0..<count, using: &rng)
            switch Int.random(in: 0..<100, using: &rng) {
            case 0..<6: create(on: index)
            case 6..<55: edit(on: index)
            case 55..<90:
                var other = Int.random(in: 0..<count - 1, using: &rng)
                if other >= index { other += 1 }
                deliver(replicas[index].ops.filter { _ in Double.random(in: 0..<1, using: &rng) < 0.6 }, to: other)
            default:
                walls[index].advance(by: Int64.random(in: -120_000...600_000, using: &rng))
            }
        }
    }

    /// Every distinct op written by any replica, by id.
    public var ops: [OpID: Op] {
        var ops: [OpID: Op] = [:]
        for replica in replicas {
            for op in replica.ops { ops[op.id] = op }
        }
        return ops
    }

    /// The state every replica must reach: all ops applied to one fresh state in id order.
    public var reference: ReplicaState {
        var state = ReplicaState()
        let all = ops
        for id in all.keys.sorted() {
            do { try state.apply(all[id]!) } catch { preconditionFailure("a written op was refused: \(error)") }
        }
        return state
    }

    /// Delivers everything to everyone, still shuffled and with duplicates: the repair after
    /// which all replicas must agree.
    public mutating func repair() {
        for target in replicas.indices {
            let all = replicas.indices.filter { $0 != target }.flatMap { replicas[$0].ops }
            deliver(all, to: target)
        }
    }

    private mutating func create(on index: Int) {
        let type = EditGenerator.fieldTypes.randomElement(using: &rng)!
        let edits = generator.newRecord(type, in: grid.scope, using: &rng)
        do {
            try replicas[index].create(type, id: RecordID(using: &rng), in: grid.scope, edits)
        } catch {
            failures.append("creating a \(type) failed: \(error)")
        }
    }

    private mutating func edit(on index: Int) {
        let ids = replicas[index].state.records.keys.sorted()
        guard let id = ids.randomElement(using: &rng), let record = replicas[index].state[id] else {
            return create(on: index)
        }
        let chosen = generator.workerEdit(of: record, using: &rng)
        guard let chosen else { return }
        do {
            try replicas[index].edit(id, chosen)
            edits += 1
        } catch let error where error.code == .unknownRecord {
            // The record is deleted here: a worker would restore it first. Not an op.
        } catch {
            failures.append("a generated edit was refused: \(error)")
        }
    }

    private mutating func deliver(_ ops: [Op], to target: Int) {
        var batch = ops
        batch += batch.filter { _ in Int.random(in: 0..<5, using: &rng) == 0 }  // duplicates
        batch.shuffle(using: &rng)
        for op in batch {
            do {
                try replicas[target].receive(op)
            } catch {
                failures.append("delivery of \(op.id) refused: \(error)")
            }
        }
    }
}
