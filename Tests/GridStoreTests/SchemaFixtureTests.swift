import Foundation
import GridStore
import Testing

/// A replica made by the first schema (kept in Fixtures/) must open, upgrade and keep every record.
@Suite struct SchemaFixtureTests {
    @Test func theFirstSchemasDatabaseOpensWithEveryRecord() async throws {
        let fixtures = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gridsync-v1-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: fixtures.appendingPathComponent("replica-v1.sqlite"),
            to: folder.appendingPathComponent(SQLiteReplicaStore.fileName))

        let store = try SQLiteReplicaStore.open(in: folder.path)
        #expect(store.identity.replica.description == "bfc35b047dddf7ad")
        #expect(store.identity.worker.rawValue == "w001")
        let exported = try RecordExport.jsonLines(await store.allRecords())
        let expected = try String(
            contentsOf: fixtures.appendingPathComponent("replica-v1.export.jsonl"), encoding: .utf8)
        #expect(exported == expected)
        #expect(try await store.status().opCount == 18)
    }
}
