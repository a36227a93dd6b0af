import Foundation
import GridAccounts
import GridMerge
import GridModel
import Testing

/// An accounts file made by the first schema (kept in Fixtures/) opens, upgrades, and keeps
/// its accounts and devices.
@Suite struct AccountMigrationTests {
    @Test func theFirstSchemasAccountsOpenWithTheirDevices() async throws {
        let fixtures = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gridsync-acc-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: fixtures.appendingPathComponent("accounts-v1.sqlite"),
            to: folder.appendingPathComponent(AccountStore.fileName))

        let accounts = try AccountStore.open(in: folder.path)
        let devices = try await accounts.devices()
        #expect(devices.map(\.worker.rawValue) == ["w001"])
        #expect(devices.first?.lastSyncAt == nil)
        let replica = try #require(ReplicaID("54e690ed23254df8"))
        try await accounts.recordSync(of: replica, ending: "bye", pushed: 4, pulled: 2, pulledThrough: 9)
        try await accounts.recordSync(of: replica, ending: "cut", pushed: 0, pulled: 0, pulledThrough: nil)
        let synced = try #require(try await accounts.devices().first)
        #expect(synced.lastEnding == "cut")
        #expect(synced.lastPushed == 4 && synced.lastPulled == 2 && synced.pulledThrough == 9)
        #expect(try await accounts.account(WorkerID("w001")!)?.scopes.map(\.description) == ["c01/g01"])
    }
}
