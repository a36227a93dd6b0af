import GridMerge
import GridModel
import GridTesting

/// Small helpers for building replicas and records in merge tests.
enum Fixtures {
    static let street = StreetFixture.xStreet
    static let scope = street.grids[0].scope
    static let demandID = RecordID("5f0e2a1c-3b4d-4e5f-8a9b-0c1d2e3f4a5b")!

    /// A replica with a readable id (`000000000000000N`) writing as grid worker `w00N`.
    static func replica(_ number: UInt64, wall: ManualWallClock = ManualWallClock()) -> Replica {
        Replica(
            id: ReplicaID(rawValue: number), author: WorkerID("w00\(number)")!,
            clock: HybridClock(wallClock: wall))
    }

    /// The edits of a fresh demand about a blocked stairwell.
    static let newDemand: [Edit] = [
        .assign("title", "楼道堆物清理"),
        .assign("category", "fire-safety"),
        .assign("status", "raised"),
        .assign("urgency", "normal"),
    ]

    /// Delivers every op of `source` to `target`.
    static func sync(_ source: Replica, into target: inout Replica) throws {
        for op in source.ops { try target.receive(op) }
    }
}
