import GridMerge
import GridModel
import GridTesting

/// Merges generated ops into an in-memory replica state and compares the rate with a plain
/// last-writer-wins baseline that applies the same ops in the same run.
enum MergeBenchmark {
    /// The naive baseline: what a sync layer without causality would do. Registers keep only
    /// the value with the highest clock, sets are plain sets, counters a plain sum; no
    /// parents, no heads, no conflicts, no validation.
    struct LastWriterWins {
        var registers: [RecordID: [String: (Op.Stamp, FieldValue)]] = [:]
        var sets: [RecordID: [String: Set<String>]] = [:]
        var counters: [RecordID: [String: Int64]] = [:]

        mutating func apply(_ op: Op) {
            switch op.payload {
            case .assign(let value):
                let stamp = op.stamp
                if let current = registers[op.recordID]?[op.field], stamp < current.0 { return }
                registers[op.recordID, default: [:]][op.field] = (stamp, value)
            case .add(let element): sets[op.recordID, default: [:]][op.field, default: []].insert(element)
            case .remove(let element): sets[op.recordID, default: [:]][op.field, default: []].remove(element)
            case .change(let change): counters[op.recordID, default: [:]][op.field, default: 0] += change
            case .append: break
            }
        }
    }

    static func run(ops opCount: Int, records recordCount: Int) {
        print("GridMerge in-memory merge: \(opCount) edits over \(recordCount) demands, best of 3 rounds")
        print("")
        print(row(["merge kind", "ops applied", "GridMerge ops/s", "last-writer-wins ops/s", "ratio"]))
        print("|---|---:|---:|---:|---:|")
        for kind in [MergeKind.register, .set, .counter] {
            let ops = Workload.demandEdits(count: opCount, records: recordCount, kind: kind, seed: 20_261_129)
            var conflicts = 0
            let merged = bestTime {
                var state = ReplicaState()
                for op in ops {
                    do { try state.apply(op) } catch { fatalError("a generated op was refused: \(error)") }
                }
                conflicts = state.conflicts.count
            }
            var sink = 0
            let baseline = bestTime {
                var state = LastWriterWins()
                for op in ops { state.apply(op) }
                sink &+= state.registers.count
            }
            precondition(conflicts == 0 && sink > 0, "one writer never conflicts")
            let mergedRate = Double(ops.count) / merged
            let baselineRate = Double(ops.count) / baseline
            print(
                row([
                    kind.rawValue, String(ops.count), String(Int(mergedRate)), String(Int(baselineRate)),
                    twoDecimals(mergedRate / baselineRate),
                ]))
        }
    }
}
