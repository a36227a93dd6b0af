import Foundation
import GRDB
import GridMerge
import GridModel
import GridStore
import GridTesting
import Testing

/// Creating and opening a replica's data folder, and the errors a damaged or foreign folder gives.
@Suite struct OpeningTests {
    typealias F = StoreFixtures

    @Test func openingACreatedReplicaGivesTheSameIdentity() async throws {
        try await withTemporaryFolder { folder in
            let identity = ReplicaIdentity(
                replica: ReplicaID(rawValue: 0x0123_4567_89ab_cdef), worker: F.street.workers[3].id,
                scopes: [F.grid1.scope, F.grid2.scope, F.foreignScope])
            let created = try SQLiteReplicaStore.create(in: folder, identity: identity, wallClock: ManualWallClock())
            #expect(created.identity == identity)
            #expect(created.path == (folder as NSString).appendingPathComponent(SQLiteReplicaStore.fileName))
            #expect(FileManager.default.fileExists(atPath: created.path))

            let opened = try SQLiteReplicaStore.open(in: folder, wallClock: ManualWallClock())
            #expect(opened.identity == identity)
            #expect(try await opened.status().identity == identity)
            #expect(try await opened.status().opCount == 0)
            #expect(try await opened.allRecords().isEmpty)
        }
    }

    @Test func aCommunityScopeSurvivesReopening() async throws {
        try await withTemporaryFolder { folder in
            let identity = ReplicaIdentity(
                replica: ReplicaID(rawValue: 1), worker: WorkerID("office-1")!, scopes: [F.community])
            _ = try SQLiteReplicaStore.create(in: folder, identity: identity, wallClock: ManualWallClock())
            let opened = try SQLiteReplicaStore.open(in: folder, wallClock: ManualWallClock())
            #expect(opened.identity == identity)
            #expect(opened.identity.covers(F.grid2.scope))
        }
    }

    @Test func creatingTwiceInOneFolderThrowsAlreadyExists() async throws {
        try await withTemporaryFolder { folder in
            let first = try SQLiteReplicaStore.create(in: folder, identity: F.identity, wallClock: ManualWallClock())
            _ = try await first.write(F.create(F.id(1), F.newDemand))
            let other = ReplicaIdentity(replica: ReplicaID(rawValue: 2), worker: F.street.workers[1].id, scopes: [])
            let error = await storeError {
                try SQLiteReplicaStore.create(in: folder, identity: other, wallClock: ManualWallClock())
            }
            #expect(error?.code == .alreadyExists)
            // The first replica is untouched.
            let reopened = try SQLiteReplicaStore.open(in: folder, wallClock: ManualWallClock())
            #expect(reopened.identity == F.identity)
            #expect(try await reopened.status().opCount == F.newDemand.count)
        }
    }

    @Test func openingAnEmptyFolderThrowsNotAReplica() async throws {
        try await withTemporaryFolder { folder in
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let error = await storeError { try SQLiteReplicaStore.open(in: folder, wallClock: ManualWallClock()) }
            #expect(error?.code == .notAReplica)
            #expect(error?.message.contains("gridsync init") == true)
            // Opening does not create a database as a side effect.
            #expect(
                !FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent("replica.sqlite")))
        }
    }

    @Test func openingAMissingFolderThrowsNotAReplica() async throws {
        try await withTemporaryFolder { folder in
            let error = await storeError { try SQLiteReplicaStore.open(in: folder, wallClock: ManualWallClock()) }
            #expect(error?.code == .notAReplica)
            #expect(error?.message.contains("gridsync init") == true)
            #expect(!FileManager.default.fileExists(atPath: folder))
        }
    }

    @Test func aFileOfGarbageThrowsCorrupt() async throws {
        try await withTemporaryFolder { folder in
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            var rng = SeededGenerator(seed: 42)
            let garbage = Data((0..<8192).map { _ in UInt8.random(in: 0...255, using: &rng) })
            let path = (folder as NSString).appendingPathComponent(SQLiteReplicaStore.fileName)
            try garbage.write(to: URL(fileURLWithPath: path))
            let error = await storeError { try SQLiteReplicaStore.open(in: folder, wallClock: ManualWallClock()) }
            #expect(error?.code == .corrupt)
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == garbage, "opening changed the damaged file")
        }
    }

    @Test func aTextFileNamedReplicaThrowsCorrupt() async throws {
        try await withTemporaryFolder { folder in
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let path = (folder as NSString).appendingPathComponent(SQLiteReplicaStore.fileName)
            try Data(String(repeating: "这不是数据库 not a database\n", count: 200).utf8).write(
                to: URL(fileURLWithPath: path))
            let error = await storeError { try SQLiteReplicaStore.open(in: folder, wallClock: ManualWallClock()) }
            #expect(error?.code == .corrupt)
        }
    }

    /// A SQLite database of some other program is not a replica.
    @Test func anotherProgramsDatabaseThrowsCorrupt() async throws {
        try await withTemporaryFolder { folder in
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let path = (folder as NSString).appendingPathComponent(SQLiteReplicaStore.fileName)
            do {
                let queue = try DatabaseQueue(path: path)
                try await queue.write { db in
                    try db.execute(
                        sql:
                            "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes (text) VALUES ('x')"
                    )
                }
            }
            let error = await storeError { try SQLiteReplicaStore.open(in: folder, wallClock: ManualWallClock()) }
            #expect(error?.code == .corrupt)
        }
    }

    /// A store error means "nothing was written" (see `StoreError`): refusing to open another
    /// program's database must not add GridSync's tables to it.
    @Test func refusingAnotherProgramsDatabaseLeavesItUnchanged() async throws {
        try await withTemporaryFolder { folder in
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let path = (folder as NSString).appendingPathComponent(SQLiteReplicaStore.fileName)
            func tables() async throws -> [String] {
                let queue = try DatabaseQueue(path: path)
                return try await queue.read { db in
                    try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
                }
            }
            do {
                let queue = try DatabaseQueue(path: path)
                try await queue.write { db in
                    try db.execute(sql: "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
                    try db.execute(sql: "INSERT INTO notes (text) VALUES ('x')")
                }
            }
            #expect(try await tables() == ["notes"])
            let error = await storeError { try SQLiteReplicaStore.open(in: folder, wallClock: ManualWallClock()) }
            #expect(error?.code == .corrupt)
            #expect(try await tables() == ["notes"], "opening wrote GridSync's schema into a database it then refused")
        }
    }

    /// An empty file (as an interrupted copy might leave) is no replica either.
    @Test func anEmptyFileThrowsCorrupt() async throws {
        try await withTemporaryFolder { folder in
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let path = (folder as NSString).appendingPathComponent(SQLiteReplicaStore.fileName)
            #expect(FileManager.default.createFile(atPath: path, contents: Data()))
            let error = await storeError { try SQLiteReplicaStore.open(in: folder, wallClock: ManualWallClock()) }
            #expect(error?.code == .corrupt)
        }
    }

    @Test func aReplicaFromANewerGridSyncThrowsNewerVersion() async throws {
        try await withTemporaryFolder { folder in
            do {
                let store = try SQLiteReplicaStore.create(
                    in: folder, identity: F.identity, wallClock: ManualWallClock())
                _ = try await store.write(F.create(F.id(1), F.newDemand))
            }
            let path = (folder as NSString).appendingPathComponent(SQLiteReplicaStore.fileName)
            do {
                let queue = try DatabaseQueue(path: path)
                try await queue.write { db in
                    try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99: from the future')")
                }
            }
            let error = await storeError { try SQLiteReplicaStore.open(in: folder, wallClock: ManualWallClock()) }
            #expect(error?.code == .newerVersion)
            // The newer replica is left as it was: its migration is still recorded.
            let queue = try DatabaseQueue(path: path)
            let identifiers = try await queue.read { db in
                try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier")
            }
            #expect(identifiers.contains("v99: from the future"))
            #expect(
                try await queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM ops") }
                    == F.newDemand.count)
        }
    }

    /// Root ignores file permissions, so this only runs as an ordinary user.
    @Test(.enabled(if: geteuid() != 0, "root ignores file permissions"))
    func aReadOnlyReplicaThrowsReadOnly() async throws {
        try await withTemporaryFolder { folder in
            do {
                let store = try SQLiteReplicaStore.create(
                    in: folder, identity: F.identity, wallClock: ManualWallClock())
                _ = try await store.write(F.create(F.id(1), F.newDemand))
            }
            let path = (folder as NSString).appendingPathComponent(SQLiteReplicaStore.fileName)
            let manager = FileManager.default
            try manager.setAttributes([.posixPermissions: 0o444], ofItemAtPath: path)
            try manager.setAttributes([.posixPermissions: 0o555], ofItemAtPath: folder)
            defer {
                try? manager.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder)
                try? manager.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
            }
            // Either opening or the first write must say that the replica cannot be written.
            do {
                let store = try SQLiteReplicaStore.open(in: folder, wallClock: ManualWallClock())
                let error = await storeError { try await store.write(F.create(F.id(2), F.newDemand)) }
                #expect(error?.code == .readOnly)
            } catch let error as StoreError {
                #expect(error.code == .readOnly)
            }
        }
    }
}
