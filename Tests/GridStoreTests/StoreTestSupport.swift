import Foundation
import GridMerge
import GridModel
import GridStore
import GridTesting
import Testing

/// Shared fixtures for the store tests: a street, an identity, readable record ids and a
/// fresh data folder per test.
enum StoreFixtures {
    static let street = StreetFixture.xStreet
    /// `c01/g01`.
    static let grid1 = street.grids[0]
    /// `c01/g02`, in the same community as ``grid1``.
    static let grid2 = street.grids[1]
    /// The community of ``grid1`` and ``grid2``.
    static let community = GridScope(community: grid1.community)
    /// A grid in another community, outside ``identity``'s scopes.
    static let foreignScope = street.grids.last!.scope

    /// A grid worker's replica that works in the first community.
    static let identity = ReplicaIdentity(
        replica: ReplicaID(rawValue: 0x00c0_ffee_00c0_ffee), worker: street.workers[0].id, scopes: [community])

    /// The edits of a fresh demand about a blocked stairwell.
    static let newDemand: [Edit] = [
        .assign("title", "楼道堆物清理"),
        .assign("category", "fire-safety"),
        .assign("status", "raised"),
        .assign("urgency", "normal"),
    ]

    /// The edits of a demand with a chosen category and status.
    static func demand(_ title: String, category: Category, status: DemandStatus) -> [Edit] {
        [
            .assign("title", title),
            .assign("category", category.key),
            .assign("status", status.key),
            .assign("urgency", "normal"),
        ]
    }

    /// The edits of a visit.
    static let newVisit: [Edit] = [
        .assign("visited-on", "2026-11-01"),
        .assign("worker", street.workers[0].id.rawValue),
        .assign("purpose", VisitPurpose.allCases[0].key),
    ]

    /// A readable record id, `00000000-0000-4000-8000-00000000000N`.
    static func id(_ number: Int) -> RecordID {
        let digits = String(number)
        return RecordID("00000000-0000-4000-8000-" + String(repeating: "0", count: 12 - digits.count) + digits)!
    }

    /// A change that creates a record.
    static func create(_ id: RecordID, _ type: RecordType, in scope: GridScope, _ edits: [Edit]) -> RecordChange {
        RecordChange(record: id, target: .create(type, in: scope), edits: edits)
    }

    /// A change that creates a demand in ``grid1``.
    static func create(_ id: RecordID, _ edits: [Edit]) -> RecordChange { create(id, .demand, in: grid1.scope, edits) }

    /// A change that creates a demand in `scope`.
    static func create(_ id: RecordID, in scope: GridScope, _ edits: [Edit]) -> RecordChange {
        create(id, .demand, in: scope, edits)
    }

    /// A change that creates a record of `type` in ``grid1``.
    static func create(_ id: RecordID, _ type: RecordType, _ edits: [Edit]) -> RecordChange {
        create(id, type, in: grid1.scope, edits)
    }

    /// A change that edits a record.
    static func edit(_ id: RecordID, _ edits: Edit...) -> RecordChange {
        RecordChange(record: id, target: .edit, edits: edits)
    }
}

/// Runs `body` with the path of a data folder that does not exist yet, in the system's
/// temporary directory, and removes the folder afterwards.
func withTemporaryFolder<T>(_ body: (String) async throws -> T) async throws -> T {
    let folder = FileManager.default.temporaryDirectory
        .appendingPathComponent("gridstore-tests-\(UUID().uuidString)", isDirectory: true).path
    defer { try? FileManager.default.removeItem(atPath: folder) }
    return try await body(folder)
}

/// The store error that `body` throws; records an issue if it throws nothing or something else.
@discardableResult
func storeError<T>(
    sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> T
) async -> StoreError? {
    do {
        _ = try await body()
        Issue.record("expected a StoreError, but nothing was thrown", sourceLocation: sourceLocation)
        return nil
    } catch let error as StoreError {
        return error
    } catch {
        Issue.record("expected a StoreError, got \(type(of: error)): \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// Everything a store shows, to check that a refused call changed nothing.
struct StoreSnapshot: Equatable {
    var ops: [Op]
    var records: [RecordState]
    var status: ReplicaStatus

    init(_ store: SQLiteReplicaStore) async throws {
        ops = try await store.ops(after: 0, limit: .max)
        records = try await store.allRecords()
        status = try await store.status()
    }
}

/// A `ReplicaState` that applied `ops`, in the order given.
func referenceState(_ ops: some Sequence<Op>) throws -> ReplicaState {
    var state = ReplicaState()
    for op in ops { try state.apply(op) }
    return state
}
