import Foundation
import GridMerge
import GridModel
import GridStore
import GridTesting
import Testing

/// Changes the store refuses write nothing, and records are found by id or id prefix.
@Suite struct RefusalTests {
    typealias F = StoreFixtures

    /// A store holding one demand, `F.id(1)`, written as 4 ops.
    private func withDemandStore(_ body: (SQLiteReplicaStore) async throws -> Void) async throws {
        try await withTemporaryFolder { folder in
            let store = try SQLiteReplicaStore.create(in: folder, identity: F.identity, wallClock: ManualWallClock())
            _ = try await store.write(F.create(F.id(1), F.newDemand))
            try await body(store)
        }
    }

    /// Checks that `change` is refused with `code` and leaves the store as it was, and that the
    /// next good write continues the sequence without a gap.
    private func expectRefused(
        _ change: RecordChange, code: StoreError.Code, merge: MergeError.Code? = nil, in store: SQLiteReplicaStore,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let before = try await StoreSnapshot(store)
        let error = await storeError(sourceLocation: sourceLocation) { try await store.write(change) }
        #expect(error?.code == code, sourceLocation: sourceLocation)
        if let merge {
            #expect(error?.merge?.code == merge, sourceLocation: sourceLocation)
        }
        #expect(error?.message.isEmpty == false, sourceLocation: sourceLocation)
        #expect(
            try await StoreSnapshot(store) == before, "a refused change wrote something", sourceLocation: sourceLocation
        )
        #expect(
            try await store.record(change.record) == before.records.first { $0.id == change.record },
            sourceLocation: sourceLocation)
    }

    @Test func aNewRecordMissingARequiredFieldWritesNothing() async throws {
        try await withDemandStore { store in
            let change = F.create(
                F.id(2), [.assign("title", "路灯不亮"), .assign("status", "raised"), .assign("urgency", "normal")])
            try await expectRefused(change, code: .refused, merge: .invalidOp, in: store)
            let error = await storeError { try await store.write(change) }
            #expect(error?.merge?.validation?.code == .missingRequired)
            #expect(error?.merge?.validation?.field == "category")
        }
    }

    @Test func aBadChoiceWritesNothing() async throws {
        try await withDemandStore { store in
            // A label instead of a key, an unknown key, and a bad value after good ones.
            try await expectRefused(
                F.create(F.id(2), F.newDemand.filter { $0.field != "status" } + [.assign("status", "处理中")]),
                code: .refused, merge: .invalidOp, in: store)
            try await expectRefused(
                F.create(F.id(2), F.newDemand + [.assign("urgency", "asap")]), code: .refused, merge: .invalidOp,
                in: store)
            try await expectRefused(
                F.edit(F.id(1), .assign("status", "处理中")), code: .refused, merge: .invalidOp, in: store)
            try await expectRefused(
                F.edit(F.id(1), .assign("category", "no-such-category")), code: .refused, merge: .invalidOp, in: store)
        }
    }

    /// An edit change is one transaction: a bad second edit undoes the good first one.
    @Test func aChangeWithAGoodAndABadEditWritesNothing() async throws {
        try await withDemandStore { store in
            try await expectRefused(
                F.edit(F.id(1), .assign("status", "accepted"), .add("tags", "消防"), .assign("urgency", "asap")),
                code: .refused, merge: .invalidOp, in: store)
            try await expectRefused(
                F.edit(F.id(1), .change("backers", by: 3), .remove("tags", "不存在")), code: .refused, merge: .invalidOp,
                in: store)
            try await expectRefused(
                F.edit(F.id(1), .assign("title", "新标题"), .assign("colour", "red")), code: .refused, in: store)
            #expect(try await store.record(F.id(1))?.value("status") == .text("raised"))
            // The next good write continues the sequence.
            let ops = try await store.write(F.edit(F.id(1), .assign("status", "accepted")))
            #expect(ops.map(\.id.sequence) == [5])
        }
    }

    @Test func aRecordOutsideTheReplicasScopesWritesNothing() async throws {
        try await withDemandStore { store in
            #expect(!F.identity.covers(F.foreignScope))
            try await expectRefused(F.create(F.id(2), in: F.foreignScope, F.newDemand), code: .outOfScope, in: store)
            // A community scope is wider than a grid's: a grid worker cannot create in it.
            let gridWorker = ReplicaIdentity(
                replica: ReplicaID(rawValue: 9), worker: F.street.workers[0].id, scopes: [F.grid1.scope])
            try await withTemporaryFolder { folder in
                let narrow = try SQLiteReplicaStore.create(
                    in: folder, identity: gridWorker, wallClock: ManualWallClock())
                try await expectRefused(F.create(F.id(3), in: F.community, F.newDemand), code: .outOfScope, in: narrow)
                try await expectRefused(
                    F.create(F.id(3), in: F.grid2.scope, F.newDemand), code: .outOfScope, in: narrow)
                let ops = try await narrow.write(F.create(F.id(3), in: F.grid1.scope, F.newDemand))
                #expect(ops.count == 4)
            }
        }
    }

    @Test func creatingAnExistingIdWritesNothing() async throws {
        try await withDemandStore { store in
            try await expectRefused(F.create(F.id(1), F.newDemand), code: .refused, merge: .recordMismatch, in: store)
            try await expectRefused(
                F.create(F.id(1), .visit, F.newVisit), code: .refused, merge: .recordMismatch, in: store)
        }
    }

    @Test func editingAnUnknownOrDeletedRecordThrowsUnknownRecord() async throws {
        try await withDemandStore { store in
            try await expectRefused(F.edit(F.id(99), .assign("status", "accepted")), code: .unknownRecord, in: store)
            try await expectRefused(F.edit(F.id(99), .delete), code: .unknownRecord, in: store)
            _ = try await store.write(F.edit(F.id(1), .delete))
            try await expectRefused(F.edit(F.id(1), .assign("status", "accepted")), code: .unknownRecord, in: store)
            try await expectRefused(F.edit(F.id(1), .add("tags", "消防")), code: .unknownRecord, in: store)
        }
    }

    @Test func findRecordByIdOrPrefix() async throws {
        try await withTemporaryFolder { folder in
            let store = try SQLiteReplicaStore.create(in: folder, identity: F.identity, wallClock: ManualWallClock())
            let demand = RecordID("abcd0000-1111-4222-8333-444455556666")!
            let visit = RecordID("abcd1111-1111-4222-8333-444455556666")!
            let other = RecordID("12345678-9abc-4def-8012-3456789abcde")!
            _ = try await store.write(F.create(demand, F.newDemand))
            _ = try await store.write(F.create(visit, .visit, F.newVisit))
            _ = try await store.write(F.create(other, F.newDemand))

            #expect(try await store.findRecord(demand.description, type: nil) == demand)
            #expect(try await store.findRecord(demand.description.uppercased(), type: .demand) == demand)
            #expect(try await store.findRecord("abcd0", type: nil) == demand)
            #expect(try await store.findRecord("abcd1", type: nil) == visit)
            #expect(try await store.findRecord("abcd0000-1111", type: nil) == demand)
            #expect(try await store.findRecord(" ABCD0 ", type: nil) == demand)
            #expect(try await store.findRecord("1234", type: nil) == other)
            #expect(try await store.findRecord("1234", type: .demand) == other)
            // The type narrows a shared prefix.
            #expect(try await store.findRecord("abcd", type: .demand) == demand)
            #expect(try await store.findRecord("abcd", type: .visit) == visit)

            #expect(await storeError { try await store.findRecord("abcd", type: nil) }?.code == .ambiguousRecord)
            #expect(await storeError { try await store.findRecord("abcd", type: .project) }?.code == .unknownRecord)
            #expect(await storeError { try await store.findRecord("1234", type: .visit) }?.code == .unknownRecord)
            #expect(await storeError { try await store.findRecord("abc", type: nil) }?.code == .unknownRecord)
            #expect(await storeError { try await store.findRecord("", type: nil) }?.code == .unknownRecord)
            #expect(await storeError { try await store.findRecord("wxyz", type: nil) }?.code == .unknownRecord)
            #expect(await storeError { try await store.findRecord("abcd%", type: nil) }?.code == .unknownRecord)
            #expect(await storeError { try await store.findRecord("楼道堆物", type: nil) }?.code == .unknownRecord)
            #expect(await storeError { try await store.findRecord("9999", type: nil) }?.code == .unknownRecord)
            #expect(await storeError { try await store.findRecord("abcd2", type: nil) }?.code == .unknownRecord)
            // A prefix matches the start of an id only.
            #expect(await storeError { try await store.findRecord("1111-4222", type: nil) }?.code == .unknownRecord)
        }
    }
}
