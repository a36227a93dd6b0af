import GridMerge
import GridModel
import GridTesting
import Testing

/// Random schedules of in-memory replicas that edit shared records offline and exchange ops,
/// as in `GridMergeTests/ConvergenceProperties`: the ops they write are what the store
/// tests feed a SQLite replica.
enum Schedules {
    /// What one schedule produced.
    struct Outcome {
        /// The grid every record of the schedule lies in.
        var grid: Grid
        /// The in-memory replicas at the end (not repaired: each holds what it received).
        var replicas: [Replica]
        /// Every distinct op written by any replica, by id.
        var ops: [OpID: Op]
    }

    /// Plays one schedule: random creations and edits (registers, sets, counters, logs,
    /// deletes, restores, resolutions), deliveries that drop, duplicate and reorder ops, and
    /// wall clocks that jump back and forth.
    static func run(replicas count: Int, steps: Int, seed: UInt64) -> Outcome {
        var rng = SeededGenerator(seed: seed)
        let generator = EditGenerator()
        let street = generator.street
        let grid = street.grids.randomElement(using: &rng)!
        let walls = (0..<count).map { _ in
            ManualWallClock(milliseconds: 1_793_491_200_000 + UInt64.random(in: 0...60_000, using: &rng))
        }
        var replicas = (0..<count).map { index in
            Replica(
                id: .random(using: &rng), author: street.workers[index].id,
                clock: HybridClock(wallClock: walls[index], maximumDrift: 24 * 3_600_000))
        }

        func create(on index: Int) {
            let type = RecordType.allCases.randomElement(using: &rng)!
            let edits = generator.newRecord(type, in: grid.scope, using: &rng)
            do {
                try replicas[index].create(type, id: RecordID(using: &rng), in: grid.scope, edits)
            } catch {
                Issue.record("creating a \(type) failed (seed \(seed)): \(error)")
            }
        }
        func edit(on index: Int) {
            let ids = replicas[index].state.records.keys.sorted()
            guard let id = ids.randomElement(using: &rng), let record = replicas[index].state[id] else {
                return create(on: index)
            }
            let chosen: Edit?
            switch Int.random(in: 0..<20, using: &rng) {
            case 0: chosen = .delete
            case 1: chosen = .restore
            case 2, 3:
                // Settle a conflict, as the office would, by rewriting one of the competing values.
                if let field = record.conflictedFields.first,
                    let value = record.registers[field]?.heads.randomElement(using: &rng)?.value
                {
                    chosen = .assign(field, value)
                } else {
                    chosen = generator.edit(of: record, using: &rng)
                }
            default: chosen = generator.edit(of: record, using: &rng)
            }
            guard let chosen else { return }
            do {
                try replicas[index].edit(id, chosen)
            } catch let error where error.code == .unknownRecord {
                // The record is deleted here: a worker would restore it first. Not an op.
            } catch {
                Issue.record("a generated edit was refused (seed \(seed)): \(error)")
            }
        }
        func deliver(from source: Int, to target: Int) {
            var batch = replicas[source].ops.filter { _ in Double.random(in: 0..<1, using: &rng) < 0.6 }
            batch += batch.filter { _ in Int.random(in: 0..<5, using: &rng) == 0 }  // duplicates
            batch.shuffle(using: &rng)
            for op in batch {
                do {
                    try replicas[target].receive(op)
                } catch {
                    Issue.record("delivery refused \(op.id) (seed \(seed)): \(error)")
                }
            }
        }

        for _ in 0..<steps {
            let index = Int.random(in: 0..<count, using: &rng)
            switch Int.random(in: 0..<100, using: &rng) {
            case 0..<6: create(on: index)
            case 6..<55: edit(on: index)
            case 55..<90:
                var other = Int.random(in: 0..<count - 1, using: &rng)
                if other >= index { other += 1 }
                deliver(from: index, to: other)
            default:
                walls[index].advance(by: Int64.random(in: -120_000...600_000, using: &rng))
            }
        }
        var ops: [OpID: Op] = [:]
        for replica in replicas {
            for op in replica.ops { ops[op.id] = op }
        }
        return Outcome(grid: grid, replicas: replicas, ops: ops)
    }

    /// The state every replica must reach: all ops applied to one fresh state in id order.
    static func reference(_ ops: [OpID: Op]) -> ReplicaState {
        var state = ReplicaState()
        for id in ops.keys.sorted() {
            do { try state.apply(ops[id]!) } catch { Issue.record("a written op was refused: \(error)") }
        }
        return state
    }
}
