import GridMerge
import GridModel
import GridTesting
import PropertyBased
import Testing

/// Replicas that edit shared records offline and exchange ops in random orders, with
/// duplicates and drops repaired later, end with identical state and identical conflicts.
@Suite struct ConvergenceProperties {
    /// What one random schedule produced, for the checks and for the statistics of the run.
    struct Outcome {
        var replicas: [Replica]
        var conflicts: Int
        var edits: Int
    }

    @Test func replicasConvergeUnderRandomSchedules() async {
        var runsWithConflicts = 0
        var runsWithDeleteConflicts = 0
        await propertyCheck(
            count: 400, input: Gen.int(in: 3...6), Gen.int(in: 10...160), Gen.uint64(in: 0...UInt64.max)
        ) { replicaCount, steps, seed in
            let outcome = Self.run(replicas: replicaCount, steps: steps, seed: seed)
            let reference = Self.reference(outcome.replicas)
            for replica in outcome.replicas {
                #expect(replica.state == reference, "replica \(replica.id) differs after repair (seed \(seed))")
                #expect(replica.state.conflicts == reference.conflicts)
            }
            if !reference.conflicts.isEmpty { runsWithConflicts += 1 }
            if reference.conflicts.contains(where: { $0.field == RecordSchema.deletedField }) {
                runsWithDeleteConflicts += 1
            }
        }
        // The schedules must exercise what they claim to: many runs end with open conflicts,
        // some of them between a delete and an edit.
        #expect(runsWithConflicts > 40)
        #expect(runsWithDeleteConflicts > 0)
    }

    /// The state every replica must reach: all ops ever written, applied to one fresh state in id order.
    static func reference(_ replicas: [Replica]) -> ReplicaState {
        var all: [OpID: Op] = [:]
        for replica in replicas {
            for op in replica.ops { all[op.id] = op }
        }
        var state = ReplicaState()
        for id in all.keys.sorted() {
            do { try state.apply(all[id]!) } catch { Issue.record("a written op was refused: \(error)") }
        }
        return state
    }

    /// Plays one schedule: random edits, creations, deliveries that drop, duplicate and
    /// reorder ops, and wall clocks that jump back and forth; then a full repair exchange.
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
        var edits = 0

        func create(on index: Int) {
            let type = RecordType.allCases.randomElement(using: &rng)!
            let edits = generator.newRecord(type, in: grid.scope, using: &rng)
            do {
                try replicas[index].create(type, id: RecordID(using: &rng), in: grid.scope, edits)
            } catch {
                Issue.record("creating a \(type) failed: \(error)")
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
                edits += 1
            } catch let error where error.code == .unknownRecord {
                // The record is deleted here: a worker would restore it first. Not an op.
            } catch {
                Issue.record("a generated edit was refused: \(error)")
            }
        }
        func deliver(from source: Int, to target: Int) {
            var batch = replicas[source].ops.filter { _ in Double.random(in: 0..<1, using: &rng) < 0.6 }
            batch += batch.filter { _ in Int.random(in: 0..<5, using: &rng) == 0 }  // duplicates
            batch.shuffle(using: &rng)
            for op in batch {
                do { try replicas[target].receive(op) } catch { Issue.record("delivery refused \(op.id): \(error)") }
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
        // Repair: everyone eventually receives everything, still shuffled and duplicated.
        for target in 0..<count {
            var all = replicas.indices.filter { $0 != target }.flatMap { replicas[$0].ops }
            all += all.prefix(all.count / 3)
            all.shuffle(using: &rng)
            for op in all {
                do { try replicas[target].receive(op) } catch { Issue.record("repair refused \(op.id): \(error)") }
            }
        }
        return Outcome(replicas: replicas, conflicts: replicas[0].state.conflicts.count, edits: edits)
    }
}
