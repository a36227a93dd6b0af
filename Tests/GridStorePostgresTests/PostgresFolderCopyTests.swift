import GridAccounts
import GridMerge
import GridModel
import GridStore
import GridStorePostgres
import GridTesting
import PostgresNIO
import Testing

/// The copy behind `gridsyncd migrate`: faithful, numbered as the folder was, and its check
/// finds a copy that was changed afterwards.
@Suite(.enabled(if: PostgresTestDatabase.available, "GRIDSYNC_TEST_POSTGRES is not set"))
struct PostgresFolderCopyTests {
    @Test func aCopyKeepsNumbersAndIdentityAndItsCheckFindsTampering() async throws {
        try await withTemporaryFolder { folder in
            let generator = EditGenerator()
            let grid = generator.street.grids[0].scope
            var identity = ReplicaIdentity(replica: .random(), worker: WorkerID("gridsyncd")!, scopes: [])
            identity.lineage = [ReplicaID(rawValue: 0x01d)]
            let replica = try SQLiteReplicaStore.create(in: folder, identity: identity)
            var laptop = Replica(
                id: ReplicaID(rawValue: 0x1a), author: generator.street.workers[0].id,
                clock: HybridClock(wallClock: SystemWallClock()))
            var rng = SeededGenerator(seed: 0x636f_7079)
            for _ in 0..<30 {
                try laptop.create(
                    .demand, id: RecordID(using: &rng), in: grid, generator.newRecord(.demand, in: grid, using: &rng))
            }
            _ = try await replica.admit(laptop.ops, pushedBy: laptop.id)
            let accounts = try AccountStore.open(in: folder)
            let (_, token) = try await accounts.add(worker: WorkerID("w001")!, role: .worker, scopes: [grid])
            _ = try await accounts.authorize(replica: laptop.id, token: token)

            try await PostgresTestDatabase.with { database in
                try await PostgresTestDatabase.withClient(database.address) { client in
                    let copy = PostgresFolderCopy(client: client)
                    let counts = try await copy.copy(from: replica, accounts: accounts)
                    #expect(counts.ops == laptop.ops.count && counts.accounts == 1 && counts.devices == 1)
                    #expect(try await copy.verify(against: replica, accounts: accounts).isEmpty)
                    // A second copy into it is refused, and changes nothing.
                    await #expect(throws: StoreError.self) { try await copy.copy(from: replica, accounts: accounts) }
                    #expect(try await copy.verify(against: replica, accounts: accounts).isEmpty)

                    _ = try await client.query("UPDATE ops SET payload = '{\"assign\":\"x\"}' WHERE local_sequence = 7")
                    _ = try await client.query("UPDATE accounts SET token_hash = 'ab'")
                    let differences = try await copy.verify(against: replica, accounts: accounts)
                    #expect(differences.contains { $0.contains("local sequence 7") }, "\(differences)")
                    #expect(differences.contains { $0.contains("accounts differ") }, "\(differences)")
                }
                // Daemons on the copy are the folder's server, and its tokens open it.
                try await database.withDaemons(1) { daemons in
                    #expect(daemons[0].identity == replica.identity)
                    let held = try await daemons[0].heldThrough(of: laptop.id)
                    #expect(held == UInt64(laptop.ops.count))
                }
            }
        }
    }
}
