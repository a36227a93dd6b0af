import Foundation
import GRDB
import GridAccounts
import GridMerge
import GridModel
import Testing

/// The accounts as the daemon uses them: tokens that grant, tokens that do not, and rows
/// that cannot be read, which are errors, never skipped.
@Suite struct AccountStoreTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gridsync-acc-\(UUID().uuidString)")
    let laptop = ReplicaID(rawValue: 0xa1)

    @Test func aTokenGrantsItsWorkerAndNothingElse() async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let accounts = try AccountStore.open(in: folder.path)
        let worker = WorkerID("w001")!
        let (_, token) = try await accounts.add(worker: worker, role: .worker, scopes: [GridScope("c01/g01")!])
        let (_, other) = try await accounts.add(
            worker: WorkerID("w002")!, role: .worker, scopes: [GridScope("c01/g02")!])
        #expect(try await accounts.authorize(replica: laptop, token: token).worker == worker)
        await Self.expectRefused("not known") { try await accounts.authorize(replica: laptop, token: "gst_guess") }
        // The laptop is w001's now: w002's token cannot sync it.
        await Self.expectRefused("syncs for w001") { try await accounts.authorize(replica: laptop, token: other) }
        _ = try await accounts.revoke(worker: worker)
        await Self.expectRefused("was revoked") { try await accounts.authorize(replica: laptop, token: token) }
    }

    @Test func anUnreadableRowIsAnErrorThatNamesIt() async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let accounts = try AccountStore.open(in: folder.path)
        let (_, token) = try await accounts.add(
            worker: WorkerID("w001")!, role: .worker, scopes: [GridScope("c01/g01")!])
        // Another program (or a bad disk) leaves a role this version does not know.
        let database = try DatabaseQueue(path: folder.appendingPathComponent(AccountStore.fileName).path)
        try await database.write { db in try db.execute(sql: "UPDATE accounts SET role = 'chief' WHERE worker = 'w001'") }
        for attempt in [
            { _ = try await accounts.list() }, { _ = try await accounts.authorize(replica: laptop, token: token) },
        ] as [@Sendable () async throws -> Void] {
            do {
                try await attempt()
                Issue.record("an unreadable account was read")
            } catch let error as AccountError {
                #expect(error.code == .unreadable)
                #expect(error.message.contains("'w001'") && error.message.contains("unknown role 'chief'"), "\(error)")
            }
        }
    }

    private static func expectRefused(_ words: String, _ body: () async throws -> Account) async {
        do {
            _ = try await body()
            Issue.record("the token was accepted")
        } catch let error as AccountError {
            #expect(error.code == .tokenRefused && error.message.contains(words), "\(error)")
        } catch {
            Issue.record("\(error)")
        }
    }
}
