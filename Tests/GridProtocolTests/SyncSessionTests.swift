import Foundation
import GridMerge
import GridModel
import GridProtocol
import GridStore
import GridTesting
import Testing

/// The client and server sessions driving real SQLite replicas through every message's
/// lines: convergence within scopes, cuts at every message, refusals that store nothing.
@Suite struct SyncSessionTests {
    static let street = StreetFixture.xStreet
    static let grid1 = street.grids[0].scope
    static let grid2 = street.grids[1].scope
    static let community = GridScope(community: street.grids[0].community)

    static func store(_ folder: URL, _ name: String, _ replica: UInt64, _ scope: GridScope, _ wall: ManualWallClock)
        throws -> SQLiteReplicaStore
    {
        try SQLiteReplicaStore.create(
            in: folder.appendingPathComponent(name).path,
            identity: ReplicaIdentity(
                replica: ReplicaID(rawValue: replica), worker: street.workers[Int(replica % 100)].id, scopes: [scope]),
            wallClock: wall)
    }

    static func demand(_ id: RecordID, in scope: GridScope, _ title: String) -> RecordChange {
        RecordChange(
            record: id, target: .create(.demand, in: scope),
            edits: [
                .assign("title", title), .assign("category", "fire-safety"), .assign("status", "raised"),
                .assign("urgency", "normal"),
            ])
    }

    static func withFolder<T>(_ body: (URL) async throws -> T) async throws -> T {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gridsync-sync-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        return try await body(folder)
    }

    let sync = InProcessSync(tokens: ["wang-token": [grid1], "li-token": [grid1], "zhao-token": [grid2]])

    @Test func workersAndTheOfficeConvergeWithinTheirGrids() async throws {
        try await Self.withFolder { folder in
            let wall = ManualWallClock()
            let office = try Self.store(folder, "office", 0xaa00, Self.community, wall)
            let wang = try Self.store(folder, "wang", 1, Self.grid1, wall)
            let li = try Self.store(folder, "li", 2, Self.grid1, wall)
            let zhao = try Self.store(folder, "zhao", 3, Self.grid2, wall)
            let shared = RecordID("5f0e2a1c-3b4d-4e5f-8a9b-0c1d2e3f4a5b")!
            _ = try await wang.write(Self.demand(shared, in: Self.grid1, "楼道堆物清理"))
            _ = try await zhao.write(Self.demand(RecordID(), in: Self.grid2, "路灯不亮"))
            let first = try await sync.run(client: wang, server: office, token: "wang-token")
            #expect(first.pushed == 4 && first.pulled == 0)
            _ = try await sync.run(client: zhao, server: office, token: "zhao-token")
            let liFirst = try await sync.run(client: li, server: office, token: "li-token")
            #expect(liFirst.pulled == 4, "li pulls wang's demand, not zhao's")

            wall.advance(by: 1_000)
            _ = try await wang.write(
                RecordChange(record: shared, target: .edit, edits: [.assign("status", "accepted")]))
            wall.advance(by: 1_000)
            _ = try await li.write(RecordChange(record: shared, target: .edit, edits: [.assign("status", "resolved")]))
            for (store, token) in [(li, "li-token"), (wang, "wang-token"), (li, "li-token"), (zhao, "zhao-token")] {
                _ = try await sync.run(client: store, server: office, token: token)
            }
            let grid1Records = try await office.allRecords().filter { $0.scope == Self.grid1 }
            #expect(try await wang.allRecords() == grid1Records)
            #expect(try await li.allRecords() == grid1Records)
            #expect(try await zhao.allRecords().allSatisfy { $0.scope == Self.grid2 })
            #expect(try await office.record(shared)?.conflictedFields == ["status"])
            #expect(
                try await RecordExport.jsonLines(wang.allRecords()) == RecordExport.jsonLines(li.allRecords()))
        }
    }

    /// What a cut-sync scenario starts from: an office server holding a seeder laptop's demands.
    struct CutScene {
        let folder: URL
        let wall: ManualWallClock
        let office: SQLiteReplicaStore
        let seeder: SQLiteReplicaStore
        /// Syncs with no cut.
        let sync: InProcessSync
        /// Syncs cut after this scene's number of messages.
        let cutSync: InProcessSync
        let cut: Int
    }

    /// Plays `scenario` in a fresh scene for a cut after 1, 2, 3, … messages, until the cut
    /// sync completes (`scenario` returns whether it did); returns the last cut tried.
    static func cuttingAfterEveryMessage(
        limits: Limits, seeded demands: Int, _ scenario: (CutScene) async throws -> Bool
    ) async throws -> Int {
        let sync = InProcessSync(tokens: ["t": [grid1]], limits: limits)
        var cut = 0
        var completed = false
        while !completed {
            cut += 1
            guard cut < 200 else {
                Issue.record("a sync never completed within 200 messages")
                break
            }
            completed = try await withFolder { folder in
                let wall = ManualWallClock()
                let office = try store(folder, "office", 0xaa00, community, wall)
                let seeder = try store(folder, "seeder", 9, grid1, wall)
                for number in 0..<demands { _ = try await seeder.write(demand(RecordID(), in: grid1, "诉求\(number)")) }
                _ = try await sync.run(client: seeder, server: office, token: "t")
                var cutSync = sync
                cutSync.cutAfterMessages = cut
                return try await scenario(
                    CutScene(
                        folder: folder, wall: wall, office: office, seeder: seeder, sync: sync, cutSync: cutSync,
                        cut: cut))
            }
        }
        return cut
    }

    /// A sync cut after any number of messages, then run again, ends as if never cut.
    @Test func aSyncCutAtAnyMessageResumesWithoutLossOrDuplicates() async throws {
        // Small batches, so that one sync is many messages long; every cut point is tried.
        let cuts = try await Self.cuttingAfterEveryMessage(limits: Limits(opsPerBatch: 7), seeded: 10) { scene in
            let wang = try Self.store(scene.folder, "wang", 1, Self.grid1, scene.wall)
            for number in 0..<5 { _ = try await wang.write(Self.demand(RecordID(), in: Self.grid1, "王\(number)")) }

            let completed = (try? await scene.cutSync.run(client: wang, server: scene.office, token: "t")) != nil
            _ = try await scene.sync.run(client: wang, server: scene.office, token: "t")

            #expect(try await wang.allRecords() == scene.office.allRecords(), "cut after \(scene.cut) messages")
            let ops = try await wang.ops(after: 0, limit: .max)
            #expect(Set(ops.map(\.id)).count == ops.count && ops.count == 15 * 4)
            #expect(try await scene.office.status().opCount == 15 * 4)
            return completed
        }
        #expect(cuts > 12, "a sync of 15 demands in batches of 7 ops is more than 12 messages long")
    }

    @Test func aServerRestoredFromABackupGetsBackWhatItLostEvenWhenTheSyncIsCutAnywhere() async throws {
        let cuts = try await Self.cuttingAfterEveryMessage(limits: Limits(opsPerBatch: 5), seeded: 3) { scene in
            let (office, wall, sync) = (scene.office, scene.wall, scene.sync)
            // Last night's backup.
            let backup = scene.folder.appendingPathComponent("backup")
            try FileManager.default.copyItem(at: scene.folder.appendingPathComponent("office"), to: backup)
            // After it: wang's demands, and the office's resolution written on the server.
            let wang = try Self.store(scene.folder, "wang", 1, Self.grid1, wall)
            for number in 0..<2 { _ = try await wang.write(Self.demand(RecordID(), in: Self.grid1, "王\(number)")) }
            _ = try await sync.run(client: wang, server: office, token: "t")
            let settled = try #require(try await scene.seeder.allRecords().first?.id)
            _ = try await office.write(
                RecordChange(record: settled, target: .edit, edits: [.assign("status", "accepted")]),
                as: WorkerID("office-1")!, within: [Self.community])
            _ = try await sync.run(client: wang, server: office, token: "t")
            let lost = try await office.allRecords()

            let restoredIdentity = try SQLiteReplicaStore.continueAfterRestore(
                in: backup.path, as: ReplicaID(rawValue: 0xbb00), replacing: office.identity, wallClock: wall)
            #expect(restoredIdentity.lineage == [office.identity.replica])
            let restored = try SQLiteReplicaStore.open(in: backup.path, wallClock: wall)
            wall.advance(by: 60_000)
            let completed = (try? await scene.cutSync.run(client: wang, server: restored, token: "t")) != nil
            let resumed = try await sync.run(client: wang, server: restored, token: "t")

            #expect(try await restored.allRecords() == lost, "cut after \(scene.cut) messages")
            #expect(try await wang.allRecords() == lost)
            #expect(try await restored.status().opCount == 5 * 4 + 1)
            #expect(try await restored.record(settled)?.value("status") == .text("accepted"))
            if completed { #expect(resumed.givenBack == 0, "a whole sync leaves nothing to give back") }
            return completed
        }
        #expect(cuts > 8, "a give-back of 21 ops in batches of 5 is more than 8 messages long")
    }

    @Test func aWrongTokenIsRefusedAndNothingIsStored() async throws {
        try await Self.withFolder { folder in
            let wall = ManualWallClock()
            let office = try Self.store(folder, "office", 0xaa00, Self.community, wall)
            let wang = try Self.store(folder, "wang", 1, Self.grid1, wall)
            _ = try await wang.write(Self.demand(RecordID(), in: Self.grid1, "楼道堆物清理"))
            await #expect {
                _ = try await sync.run(client: wang, server: office, token: "stolen")
            } throws: { error in
                (error as? ProtocolError)?.code == .unauthorized
            }
            #expect(try await office.status().opCount == 0)
        }
    }

    @Test func opsOutsideTheTokensGridsAreRefusedAndNothingIsStored() async throws {
        try await Self.withFolder { folder in
            let wall = ManualWallClock()
            let office = try Self.store(folder, "office", 0xaa00, Self.community, wall)
            let wang = try Self.store(folder, "wang", 1, Self.grid1, wall)
            _ = try await wang.write(Self.demand(RecordID(), in: Self.grid1, "楼道堆物清理"))
            // A grid-2 token: the push is refused whole, the pull still runs.
            let summary = try await sync.run(client: wang, server: office, token: "zhao-token")
            #expect(summary.pushRefusal?.code == .outOfScope)
            #expect(summary.pushed == 0)
            #expect(try await office.status().opCount == 0)
            #expect(try await wang.cursor(for: office.identity.replica).pushedThrough == 0)
        }
    }
}
