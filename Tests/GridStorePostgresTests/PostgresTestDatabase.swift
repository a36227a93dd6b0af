import Foundation
import GridMerge
import GridModel
import GridStore
import GridStorePostgres
import Logging
import PostgresNIO
import Testing

/// A database of its own for one test, in the PostgreSQL that `tools/test` starts
/// (`GRIDSYNC_TEST_POSTGRES`, a `postgres://` URL whose user may create databases).
///
/// Without the variable the tests of this target are skipped, as on a laptop without
/// PostgreSQL; `tools/test` sets `GRIDSYNC_REQUIRE_POSTGRES=1` as well, and then a missing
/// or unreachable server fails them instead.
struct PostgresTestDatabase {
    /// The server's address, if tests may use one.
    static let server: PostgresAddress? = {
        let environment = ProcessInfo.processInfo.environment
        guard let text = environment["GRIDSYNC_TEST_POSTGRES"] else {
            precondition(
                environment["GRIDSYNC_REQUIRE_POSTGRES"] != "1",
                "GRIDSYNC_REQUIRE_POSTGRES=1 but GRIDSYNC_TEST_POSTGRES is not set: run the tests through tools/test")
            return nil
        }
        return try? PostgresAddress(text)
    }()

    /// Whether the PostgreSQL tests run here.
    static var available: Bool { server != nil }

    /// The test's own database.
    let address: PostgresAddress

    /// Runs `body` with a new, empty database, dropped afterwards.
    static func with<T>(_ body: (PostgresTestDatabase) async throws -> T) async throws -> T {
        let server = try #require(server, "GRIDSYNC_TEST_POSTGRES is not set")
        var address = server
        address.database = "gridsync_test_\(UUID().uuidString.prefix(8).lowercased())"
        // From template0, which nobody connects to: tests creating databases at once from
        // template1 may find it "being accessed by other users" (another CREATE copying it).
        do {
            try await withClient(server) { client in
                _ = try await client.query(
                    PostgresQuery(unsafeSQL: "CREATE DATABASE \(address.database) TEMPLATE template0"))
            }
        } catch let error as PSQLError {
            Issue.record("PostgreSQL, creating the test's database: \(String(reflecting: error))")
            throw error
        }
        let result: Result<T, any Error>
        do {
            result = .success(try await body(PostgresTestDatabase(address: address)))
        } catch let error as PSQLError {
            // PostgreSQL's own words (a full server, a dropped connection), which the error's
            // description keeps back.
            Issue.record("PostgreSQL: \(String(reflecting: error))")
            result = .failure(error)
        } catch {
            result = .failure(error)
        }
        try await withClient(server) { client in
            _ = try await client.query(PostgresQuery(unsafeSQL: "DROP DATABASE \(address.database) WITH (FORCE)"))
        }
        return try result.get()
    }

    /// Runs `body` with a running client of `address`'s database, pooling up to `connections`.
    static func withClient<T: Sendable>(
        _ address: PostgresAddress, connections: Int = 4, _ body: (PostgresClient) async throws -> T
    ) async throws -> T {
        let client = PostgresClient(configuration: address.configuration(connections: connections))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    /// Runs `body` with `count` daemons' stores on this database, each with its own client
    /// and connections, as separate `gridsyncd` processes would have.
    func withDaemons<T: Sendable>(
        _ count: Int, options: PostgresServerStore.Options = .init(), wallClock: any WallClock = SystemWallClock(),
        _ body: ([PostgresServerStore]) async throws -> T
    ) async throws -> T {
        let clients = (0..<count).map { _ in PostgresClient(configuration: address.configuration(connections: 4)) }
        return try await withThrowingTaskGroup(of: Void.self) { group in
            for client in clients { group.addTask { await client.run() } }
            defer { group.cancelAll() }
            var stores: [PostgresServerStore] = []
            for client in clients {
                stores.append(
                    try await PostgresServerStore.open(
                        client: client, worker: WorkerID("gridsyncd")!, wallClock: wallClock, options: options))
            }
            return try await body(stores)
        }
    }
}
