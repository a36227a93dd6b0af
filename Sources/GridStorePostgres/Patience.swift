/// How long a daemon waits for PostgreSQL before it tells the laptop to come back later:
/// a database that restarts or a network that drops must not hold a sync, or a daemon's
/// whole pool, for the minute a connection attempt can take.
struct Patience: Sendable {
    /// The database did not answer within the patience.
    struct Exhausted: Error {
        let waited: Duration
    }

    /// The longest wait.
    let limit: Duration

    /// Runs `body`, cancelling it and throwing ``Exhausted`` if it has not finished within the limit.
    func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await body() }
            group.addTask { [limit] in
                try await Task.sleep(for: limit)
                throw Exhausted(waited: limit)
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }
}
