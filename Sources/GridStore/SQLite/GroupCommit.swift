import GRDB
import Synchronization

/// Runs the write transactions that callers ask for at the same time as one SQLite
/// transaction, each inside its own savepoint: group commit.
///
/// When hundreds of laptops push at once, the daemon would otherwise commit (and `fsync`)
/// each push in turn, and the last laptop would wait for all the others. Here every write
/// that arrives while a commit is under way joins the next one. A write that throws rolls
/// back its own savepoint and gets its own error; the others in its group are unaffected.
/// A caller is answered only once its group is committed, so nothing is acknowledged that a
/// crash could still lose.
final class GroupCommit: Sendable {
    /// One caller's write, waiting for its group.
    private struct Request: Sendable {
        /// Runs the write in its savepoint and keeps its outcome.
        let perform: @Sendable (Database) -> Void
        /// Answers the caller: with the kept outcome, or with the error that failed the commit.
        let finish: @Sendable ((any Error)?) -> Void
    }

    private struct Queue {
        var waiting: [Request] = []
        var committing = false
    }

    private let database: DatabasePool
    private let queue = Mutex(Queue())

    init(database: DatabasePool) {
        self.database = database
    }

    /// Runs `body` in a savepoint of the next group's transaction, and returns its result once
    /// that transaction is committed.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let outcome = Mutex<Result<T, any Error>?>(nil)
            let request = Request(
                perform: { db in
                    let result = Result {
                        var value: T?
                        try db.inSavepoint {
                            value = try body(db)
                            return .commit
                        }
                        return value!
                    }
                    outcome.withLock { $0 = result }
                },
                finish: { commitFailure in
                    if let commitFailure {
                        continuation.resume(throwing: commitFailure)
                    } else {
                        continuation.resume(with: outcome.withLock { $0! })
                    }
                })
            let startsCommitting = queue.withLock { queue in
                queue.waiting.append(request)
                defer { queue.committing = true }
                return !queue.committing
            }
            if startsCommitting {
                Task { await commitWaiting() }
            }
        }
    }

    /// Commits the waiting writes, group after group, until none is left.
    private func commitWaiting() async {
        while true {
            let group = queue.withLock { queue in
                defer { queue.waiting = [] }
                if queue.waiting.isEmpty { queue.committing = false }
                return queue.waiting
            }
            guard !group.isEmpty else { return }
            do {
                try await database.write { db in
                    for request in group { request.perform(db) }
                }
                for request in group { request.finish(nil) }
            } catch {
                for request in group { request.finish(error) }
            }
        }
    }
}
