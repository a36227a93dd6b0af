import GridMerge
import GridModel
import GridStore
import GridStorePostgres
import PostgresNIO
import Testing

/// Opening the daemons' database: the schema made once, one server identity for every
/// daemon, a database from a newer GridSync refused untouched, an address refused clearly.
@Suite(.enabled(if: PostgresTestDatabase.available, "GRIDSYNC_TEST_POSTGRES is not set"))
struct PostgresOpeningTests {
    @Test func daemonsStartingAtOnceShareOneSchemaAndOneIdentity() async throws {
        try await PostgresTestDatabase.with { database in
            try await database.withDaemons(3) { daemons in
                #expect(Set(daemons.map(\.identity.replica)).count == 1, "every daemon is the same server")
                #expect(daemons[0].identity.worker == WorkerID("gridsyncd"))
            }
            // Started again, they keep the identity and apply nothing twice.
            let first = try await database.withDaemons(1) { $0[0].identity }
            let again = try await database.withDaemons(2) { $0.map(\.identity) }
            #expect(again.allSatisfy { $0 == first })
            let versions = try await PostgresTestDatabase.withClient(database.address) { client in
                try await client.query("SELECT version FROM gridsync_migrations ORDER BY version")
                    .collect().map { try $0.decode(Int.self) }
            }
            #expect(versions == [1, 2, 3, 4, 5])
        }
    }

    @Test func aDatabaseFromANewerGridSyncIsRefusedUntouched() async throws {
        try await PostgresTestDatabase.with { database in
            try await database.withDaemons(1) { _ in }
            try await PostgresTestDatabase.withClient(database.address) { client in
                _ = try await client.query(
                    "INSERT INTO gridsync_migrations (version, name) VALUES (99, 'from the future')")
            }
            await #expect {
                try await database.withDaemons(1) { _ in }
            } throws: { error in
                let error = try #require(error as? StoreError)
                return error.code == .newerVersion && error.message.contains("newer GridSync")
            }
        }
    }

    @Test func anUnreachableDatabaseIsUnavailableNotAnInternalError() async throws {
        var address = try #require(PostgresTestDatabase.server)
        address.port = 1  // nothing listens there
        await #expect {
            try await PostgresTestDatabase.withClient(address) { client in
                var options = PostgresServerStore.Options()
                options.patience = .seconds(2)
                _ = try await PostgresServerStore.open(client: client, worker: WorkerID("gridsyncd")!, options: options)
            }
        } throws: { error in
            (error as? StoreError)?.code == .unavailable
        }
    }

    @Test func addressesAreReadAsOperatorsWriteThem() throws {
        let address = try PostgresAddress(
            "postgres://gridsync:s3cret@db.office.lan:6543/street?sslmode=require", environment: [:])
        #expect(address.host == "db.office.lan" && address.port == 6543 && address.database == "street")
        #expect(address.username == "gridsync" && address.password == "s3cret" && address.tls == .require)
        #expect(!address.description.contains("s3cret"), "a password never reaches a log")
        let fromEnvironment = try PostgresAddress(
            "postgresql://gridsync@db/gridsync", environment: ["PGPASSWORD": "pw"])
        #expect(fromEnvironment.password == "pw" && fromEnvironment.port == 5432 && fromEnvironment.tls == .prefer)
        for bad in [
            "mysql://u@h/d", "postgres://h/d", "postgres://u@/d", "postgres://u@h", "postgres://u@h/d?sslmode=maybe",
            "postgres://u:pw@h/d?pool=3",
        ] {
            #expect(throws: StoreError.self, "\(bad)") { try PostgresAddress(bad, environment: [:]) }
            do {
                _ = try PostgresAddress(bad, environment: [:])
            } catch {
                #expect(!"\(error)".contains(":pw@"), "the message hides the password")
            }
        }
    }
}
