import GridMerge
import GridModel
import GridTesting

// Merges generated ops into an in-memory replica state and compares the rate with a plain
// last-writer-wins baseline that applies the same ops in the same run.
//
// Usage: gridsync-bench [ops] [records]   (defaults: 1000000 ops over 20000 demands)

let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let opCount = arguments.first ?? 1_000_000
let recordCount = arguments.dropFirst().first ?? 20_000
let rounds = 3

/// The best of `rounds` timings of `body`, in seconds.
func bestTime(_ body: () -> Void) -> Double {
    var best = Double.infinity
    for _ in 0..<rounds {
        let start = ContinuousClock.now
        body()
        let elapsed = ContinuousClock.now - start
        best = min(best, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
    return best
}

/// The naive baseline: what a sync layer without causality would do. Registers keep only the
/// value with the highest clock, sets are plain sets, counters a plain sum; no parents, no
/// heads, no conflicts, no validation.
struct LastWriterWins {
    var registers: [RecordID: [String: (Op.Stamp, FieldValue)]] = [:]
    var sets: [RecordID: [String: Set<String>]] = [:]
    var counters: [RecordID: [String: Int64]] = [:]

    mutating func apply(_ op: Op) {
        switch op.payload {
        case .assign(let value):
            let stamp = op.stamp
            registers[op.recordID, default: [:]][op.field, default: (stamp, value)] =
                registers[op.recordID]?[op.field].map { $0.0 < stamp ? (stamp, value) : $0 } ?? (stamp, value)
        case .add(let element): sets[op.recordID, default: [:]][op.field, default: []].insert(element)
        case .remove(let element): sets[op.recordID, default: [:]][op.field, default: []].remove(element)
        case .change(let change): counters[op.recordID, default: [:]][op.field, default: 0] += change
        case .append: break
        }
    }
}

print("GridMerge in-memory merge, \(opCount) edits over \(recordCount) demands, best of \(rounds) rounds")
print("")
print("| merge kind | ops applied | GridMerge ops/s | last-writer-wins ops/s | ratio |")
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
    let row = [
        kind.rawValue, String(ops.count), String(Int(mergedRate)), String(Int(baselineRate)),
        String(Double(Int(mergedRate / baselineRate * 100)) / 100),
    ]
    print("| " + row.joined(separator: " | ") + " |")
}
