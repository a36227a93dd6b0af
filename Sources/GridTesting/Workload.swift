import GridMerge
import GridModel

/// Seeded streams of ops, written by real ``Replica`` values, for benchmarks and simulations.
public enum Workload {
    /// Ops that create `records` demands and then edit them, `count` edits in all, written
    /// by one replica (so each edit names real parents, as a field client's would).
    ///
    /// - Parameters:
    ///   - kind: the merge kind of the edits after creation (`register`, `set` or `counter`),
    ///     or `nil` for any kind.
    ///   - seed: equal seeds give equal ops.
    /// - Returns: the creating ops followed by the edits, in the order they were written.
    public static func demandEdits(
        count: Int, records: Int, kind: MergeKind?, seed: UInt64
    ) -> [Op] {
        var rng = SeededGenerator(seed: seed)
        let generator = EditGenerator()
        let street = generator.street
        let wall = ManualWallClock()
        var replica = Replica(
            id: .random(using: &rng), author: street.workers[0].id,
            clock: HybridClock(wallClock: wall))
        var ids: [RecordID] = []
        do {
            for index in 0..<records {
                let id = RecordID(using: &rng)
                let grid = street.grids[index % street.grids.count]
                try replica.create(
                    .demand, id: id, in: grid.scope, generator.newRecord(.demand, in: grid.scope, using: &rng))
                ids.append(id)
            }
            var written = 0
            while written < count {
                wall.advance(by: Int64.random(in: 0...3, using: &rng))
                let id = ids.randomElement(using: &rng)!
                guard let edit = generator.edit(of: replica.state[id]!, kind: kind, using: &rng) else { continue }
                try replica.edit(id, edit)
                written += 1
            }
        } catch {
            fatalError("the workload wrote an invalid edit: \(error)")
        }
        return replica.ops
    }
}
