import GridModel
import GridStore
import Logging
import PostgresNIO

/// A program's connections to one PostgreSQL database: a pool run in the background from the
/// start, closed when the program is done with it.
public final class PostgresConnections: Sendable {
    /// Where the database is.
    public let address: PostgresAddress
    /// The pool.
    public let client: PostgresClient
    private let running: Task<Void, Never>
    private let logger: Logger

    /// Starts a pool of at most `connections` connections to `address`.
    public init(_ address: PostgresAddress, connections: Int, logger: Logger) {
        self.address = address
        self.logger = logger
        let client = PostgresClient(configuration: address.configuration(connections: connections))
        self.client = client
        running = Task { await client.run() }
    }

    /// Opens the op log as a daemon does, bringing its schema up to date and making the
    /// server's identity, recorded for `worker`, if no daemon has yet.
    public func open(worker: WorkerID) async throws -> PostgresServerStore {
        try await reaching { [client, logger] in
            try await PostgresServerStore.open(client: client, worker: worker, logger: logger)
        }
    }

    /// Opens the op log that daemons made, as the office's tools do: nothing is migrated or made.
    public func openExisting() async throws -> PostgresServerStore {
        try await reaching { [client, logger] in
            try await PostgresServerStore.openExisting(client: client, logger: logger)
        }
    }

    /// Runs `body`, saying what to check when the database cannot be reached.
    private func reaching<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as StoreError where error.code == .unavailable {
            throw StoreError(
                .unavailable,
                "cannot reach PostgreSQL at \(address): check that it runs, that the address, user and password are "
                    + "right, and that pg_hba.conf lets this machine in",
                cause: error)
        }
    }

    /// Closes every connection.
    public func close() {
        running.cancel()
    }
}
