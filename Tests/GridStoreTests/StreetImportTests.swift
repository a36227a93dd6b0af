import Foundation
import GridMerge
import GridModel
import GridStore
import GridTesting
import Testing

/// The office's sheets onto a replica: what an import writes, what a second one does not,
/// and how names find entries.
@Suite struct StreetImportTests {
    typealias F = StoreFixtures

    /// An office replica that may write every community of the street.
    static let office = ReplicaIdentity(
        replica: ReplicaID(rawValue: 0x0ff1_ce00_0ff1_ce00), worker: WorkerID("o001")!,
        scopes: F.street.communities.map { GridScope(community: $0.id) })

    static func held(_ store: SQLiteReplicaStore) async throws -> [RecordState] {
        var held: [RecordState] = []
        for type in RecordType.allCases where type.isReference {
            var query = RecordQuery(type: type)
            query.includeDeleted = true
            held += try await store.records(query)
        }
        return held
    }

    static func apply(_ plan: StreetImport, to store: SQLiteReplicaStore) async throws {
        for change in plan.changes { _ = try await store.write(change) }
    }

    @Test func anImportMakesOneRecordPerRowAndASecondChangesNothing() async throws {
        try await withTemporaryFolder { folder in
            let store = try SQLiteReplicaStore.create(in: folder, identity: Self.office, wallClock: ManualWallClock())
            let plan = try StreetImport(F.street, held: try await Self.held(store))
            #expect(plan.created[.community] == F.street.communities.count)
            #expect(plan.created[.grid] == F.street.grids.count)
            #expect(plan.created[.compound] == F.street.compounds.count)
            #expect(plan.created[.worker] == F.street.workers.count)
            try await Self.apply(plan, to: store)

            // Each record is where the street puts it, under the id its key makes, and reads back as the row.
            let compound = F.street.compounds[0]
            let record = try #require(try await store.record(RecordID(reference: .compound, key: compound.id.rawValue)))
            let grid = try #require(F.street.grids.first { $0.id == compound.grid })
            #expect(record.scope == grid.scope)
            #expect(record.value("name") == .text(compound.name))
            #expect(record.value("grid") == .text(compound.grid.rawValue))
            #expect(record.value("property-management") == .boolean(compound.hasPropertyManagement))
            #expect(Set(record.sets["buildings"]?.elements ?? []) == Set(compound.buildings))
            let worker = F.street.workers.first { !$0.grids.isEmpty }!
            let workerRecord = try #require(try await store.record(RecordID(reference: .worker, key: worker.id.rawValue)))
            let workerGrid = try #require(F.street.grids.first { $0.id == worker.grids[0] })
            #expect(workerRecord.scope == GridScope(community: workerGrid.community))
            #expect(Set(workerRecord.sets["grids"]?.elements ?? []) == Set(worker.grids.map(\.rawValue)))
            let entries = try await store.streetEntries(.compound)
            #expect(entries.count == F.street.compounds.count)
            #expect(entries.first { $0.key == compound.id.rawValue }?.parent == compound.grid.rawValue)

            let again = try StreetImport(F.street, held: try await Self.held(store))
            #expect(again.changes.isEmpty)
            #expect(again.unchanged[.compound] == F.street.compounds.count)
            #expect(again.unlisted.isEmpty)
        }
    }

    @Test func aChangedRowChangesOnlyItsFieldsAndRestoresADeletedRecord() async throws {
        try await withTemporaryFolder { folder in
            let store = try SQLiteReplicaStore.create(in: folder, identity: Self.office, wallClock: ManualWallClock())
            try await Self.apply(try StreetImport(F.street, held: []), to: store)
            let first = F.street.compounds[0]
            let id = RecordID(reference: .compound, key: first.id.rawValue)
            _ = try await store.write(RecordChange(record: id, target: .edit, edits: [.delete]))

            var compounds = F.street.compounds
            compounds[0].name = "纺织厂宿舍（东院）"
            compounds[0].address = nil
            compounds[0].buildings = ["1号楼"]
            let street = try Street(
                name: F.street.name, communities: F.street.communities, grids: F.street.grids, compounds: compounds,
                workers: F.street.workers)
            let plan = try StreetImport(street, held: try await Self.held(store))
            #expect(plan.changed[.compound] == 1)
            #expect(plan.changes.count == 1)
            try await Self.apply(plan, to: store)
            let record = try #require(try await store.record(id))
            #expect(!record.isDeleted)
            #expect(record.value("name") == .text("纺织厂宿舍（东院）"))
            #expect(record.value("address") == .null)
            #expect(record.sets["buildings"]?.elements == ["1号楼"])
        }
    }

    @Test func rowsMissingFromTheSheetAreKeptAndNamedAndARecordCannotMove() async throws {
        try await withTemporaryFolder { folder in
            let store = try SQLiteReplicaStore.create(in: folder, identity: Self.office, wallClock: ManualWallClock())
            try await Self.apply(try StreetImport(F.street, held: []), to: store)
            var compounds = F.street.compounds
            let dropped = compounds.removeLast()
            let fewer = try Street(
                name: F.street.name, communities: F.street.communities, grids: F.street.grids, compounds: compounds,
                workers: F.street.workers)
            let plan = try StreetImport(fewer, held: try await Self.held(store))
            #expect(plan.changes.isEmpty)
            #expect(plan.unlisted.map(\.key) == [dropped.id.rawValue])

            // The first compound, put in a grid of another community.
            compounds = F.street.compounds
            compounds[0].grid = F.street.grids.last!.id
            let moved = try Street(
                name: F.street.name, communities: F.street.communities, grids: F.street.grids, compounds: compounds,
                workers: F.street.workers)
            let held = try await Self.held(store)
            let refusal = #expect(throws: StoreError.self) { try StreetImport(moved, held: held) }
            #expect(refusal?.message.contains("a record stays where it was made") == true, "\(String(describing: refusal))")
        }
    }

    @Test func namesFindEntriesAndUnknownOnesAreRefusedWithTheNearest() throws {
        let entries = [
            StreetEntry(key: "k001", name: "纺织厂宿舍1号院", parent: "g01"),
            StreetEntry(key: "k002", name: "纺织厂宿舍2号院", parent: "g01"),
            StreetEntry(key: "k003", name: "机械厂家属院", parent: "g02"),
            StreetEntry(key: "k004", name: "机械厂家属院", parent: "g03"),
        ]
        let find = { (text: String) throws(ValidationError) -> String in
            try entries.key(naming: text, type: .compound, domain: .compound, field: "compound")
        }
        #expect(try find("k002") == "k002")
        #expect(try find(" K002 ") == "k002")
        #expect(try find("纺织厂宿舍1号院") == "k001")
        do {
            _ = try find("机械厂家属院")
            Issue.record("a name two compounds share was taken")
        } catch {
            #expect(error.message.contains("机械厂家属院 (k003), 机械厂家属院 (k004)"), "\(error.message)")
        }
        do {
            _ = try find("纺织厂宿舍")
            Issue.record("an unknown name was taken")
        } catch {
            #expect(error.code == .unknownChoice)
            #expect(error.message.contains("the nearest: 纺织厂宿舍1号院 (k001), 纺织厂宿舍2号院 (k002)"), "\(error.message)")
        }
        // A laptop that has not yet received the lists checks keys for form alone.
        #expect(try [StreetEntry]().key(naming: "K999", type: .compound, domain: .compound, field: "compound") == "k999")
        #expect(throws: ValidationError.self) {
            try [StreetEntry]().key(naming: "纺织厂", type: .compound, domain: .compound, field: "compound")
        }
    }
}
