import Foundation
import GRDB
import GridMerge
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

    /// A laptop that synced under gridsync/2 was not sent the street's lists: upgrading its replica sets every pull
    /// cursor back to the start, so that its next sync receives them (and skips what it holds); its push cursor stays.
    @Test func upgradingAReplicaPullsEveryServerFromTheStartAgain() async throws {
        let fixtures = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gridsync-v1-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent(SQLiteReplicaStore.fileName)
        try FileManager.default.copyItem(at: fixtures.appendingPathComponent("replica-v1.sqlite"), to: file)
        let server = ReplicaID(rawValue: 0x5e)
        try await DatabaseQueue(path: file.path).write { db in
            try db.execute(
                sql: "INSERT INTO peers (replica, pulled_through, pushed_through) VALUES (?, 412, 18)",
                arguments: [server.description])
        }

        let store = try SQLiteReplicaStore.open(in: folder.path)
        let cursor = try await store.cursor(for: server)
        #expect(cursor.pulledThrough == 0)
        #expect(cursor.pushedThrough == 18)
    }
}
