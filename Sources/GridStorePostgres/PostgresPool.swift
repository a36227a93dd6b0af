import GridStore
import Logging
import PostgresNIO

/// One daemon's connections to the database: each use leases a connection, waits no longer
/// than the patience, and turns every failure into a ``StoreError``.
struct PostgresPool: Sendable {
    let client: PostgresClient
    let patience: Patience
    let logger: Logger

    /// Runs `body` on a leased connection, within the patience.
    func withConnection<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T)
        async throws -> T
    {
        try await withConnection(patience: patience, body)
    }

    /// Runs `body` on a leased connection, within `patience`: background work that may take
    /// minutes (a first round of the record tables on a year of a district) gives itself more.
    func withConnection<T: Sendable>(
        patience: Patience, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        do {
            return try await patience.run { [client] in try await client.withConnection { try await body($0) } }
        } catch {
            throw PostgresServerStore.storeError(error)
        }
    }

    /// The rows of `query`, read whole and decoded by `decode`.
    func rows<T: Sendable>(_ query: PostgresQuery, _ decode: @escaping @Sendable (PostgresRow) throws -> T)
        async throws -> [T]
    {
        let logger = self.logger
        return try await withConnection { connection in
            var values: [T] = []
            for try await row in try await connection.query(query, logger: logger) { values.append(try decode(row)) }
            return values
        }
    }
}
