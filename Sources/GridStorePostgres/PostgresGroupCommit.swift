import GridMerge
import GridModel
import GridStore
import Logging
import PostgresNIO

/// One daemon's pushes, committed together: while a group is committing, the pushes that
/// arrive wait, and go in the next group, in one transaction and one numbered insert.
///
/// A push the rules refuse is refused alone; the others of its group are stored. A group
/// that lost a race to another daemon (it holds an op that daemon committed first) is tried
/// again from the start, and then sees those ops as held.
actor PostgresGroupCommit {
    private struct Push {
        let ops: [Op]
        /// For ops given back to a restored server: the client, and the latest clock another
        /// replica's op may carry.
        let givenBack: (client: ReplicaID, latest: UInt64)?
        let answer: CheckedContinuation<IngestResult, any Error>
    }

    private let pool: PostgresPool
    private let wallClock: any WallClock
    private let options: PostgresServerStore.Options
    private let identity: ReplicaIdentity
    private var waiting: [Push] = []
    private var committing = false

    init(pool: PostgresPool, identity: ReplicaIdentity, wallClock: any WallClock, options: PostgresServerStore.Options)
    {
        self.pool = pool
        self.identity = identity
        self.wallClock = wallClock
        self.options = options
    }

    /// Stores one client's push with the group of the moment; returns when it is committed.
    /// (That a client pushes only its own ops is the session's check, before the store.)
    func admit(_ ops: [Op]) async throws -> IngestResult {
        try await enqueue(ops, givenBack: nil)
    }

    /// Stores what `client` gives back to a restored server with the group of the moment
    /// (``PostgresAdmission/admitGivenBack(_:by:writtenBy:)``); returns when it is committed.
    func admitGivenBack(_ ops: [Op], by client: ReplicaID, writtenBy latest: UInt64) async throws -> IngestResult {
        try await enqueue(ops, givenBack: (client, latest))
    }

    /// Queues a push for the next group, starting the commits if none is under way.
    private func enqueue(_ ops: [Op], givenBack: (client: ReplicaID, latest: UInt64)?) async throws -> IngestResult {
        try await withCheckedThrowingContinuation { answer in
            waiting.append(Push(ops: ops, givenBack: givenBack, answer: answer))
            if !committing {
                committing = true
                Task { await self.commitWaiting() }
            }
        }
    }

    /// Commits groups until no push waits.
    private func commitWaiting() async {
        while !waiting.isEmpty {
            var group: [Push] = []
            var count = 0
            while let push = waiting.first, group.isEmpty || count + push.ops.count <= options.groupOps {
                group.append(waiting.removeFirst())
                count += push.ops.count
            }
            await commit(group)
        }
        committing = false
    }

    /// Commits one group, answering each of its pushes.
    private func commit(_ group: [Push]) async {
        var attempt = 1
        while true {
            do {
                let outcomes = try await pool.withConnection { [self] connection in
                    try await Self.transaction(
                        group.map { ($0.ops, $0.givenBack) }, identity: identity, wallClock: wallClock,
                        options: options,
                        on: connection, logger: pool.logger)
                }
                for (push, outcome) in zip(group, outcomes) { push.answer.resume(with: outcome) }
                return
            } catch let error as StoreError where error.code == .busy && attempt < options.attempts {
                // Another daemon committed one of these ops first: read again, and they are held.
                attempt += 1
            } catch {
                for push in group { push.answer.resume(throwing: error) }
                return
            }
        }
    }

    /// Admits the group's pushes, numbers what they stored and commits, in one transaction.
    private static func transaction(
        _ group: [(ops: [Op], givenBack: (client: ReplicaID, latest: UInt64)?)], identity: ReplicaIdentity,
        wallClock: any WallClock,
        options: PostgresServerStore.Options, on connection: PostgresConnection, logger: Logger
    ) async throws -> [Result<IngestResult, any Error>] {
        try await connection.query("BEGIN", logger: logger)
        do {
            var admission = PostgresAdmission(server: identity, wallClock: wallClock)
            try await admission.prefetch(group.map(\.ops), on: connection, logger: logger)
            var outcomes: [Result<IngestResult, any Error>] = []
            for (ops, givenBack) in group {
                do {
                    if let givenBack {
                        outcomes.append(
                            .success(
                                try admission.admitGivenBack(ops, by: givenBack.client, writtenBy: givenBack.latest)))
                    } else {
                        outcomes.append(.success(IngestResult(stored: try admission.admit(ops))))
                    }
                } catch let error as MergeError {
                    outcomes.append(.failure(PostgresServerStore.storeError(error)))
                }
            }
            if !admission.admitted.isEmpty {
                try await Self.insert(admission.admitted, on: connection, logger: logger)
            }
            if let pause = options.pauseBeforeCommit {
                try await Task.sleep(
                    for: .nanoseconds(Int64.random(in: pause.lowerBound.nanoseconds...pause.upperBound.nanoseconds)))
            }
            try await connection.query("COMMIT", logger: logger)
            return outcomes
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
    }

    /// Takes the next numbers of the log (holding its head's lock until the commit) and
    /// inserts `ops` under them, in one statement.
    private static func insert(_ ops: [Op], on connection: PostgresConnection, logger: Logger) async throws {
        try await insert(ops, numbers: nil, on: connection, logger: logger)
    }

    /// Inserts `ops` under `numbers` (a copy of another log keeps its numbers), or, for `nil`,
    /// under the log's next numbers, taken from its head in the same statement.
    static func insert(_ ops: [Op], numbers: [Int64]?, on connection: PostgresConnection, logger: Logger) async throws {
        let rows = ops.map(OpRow.init)
        let communities = ops.map(\.scope.community.rawValue)
        try await connection.query(
            """
            WITH taken AS (
                UPDATE op_log_head SET last = last + \(Int64(rows.count)) WHERE \(numbers == nil)
                RETURNING last - \(Int64(rows.count)) AS base)
            INSERT INTO ops (local_sequence, replica, sequence, clock, author, record_type, record_id, scope, community,
                field, payload, parents)
            SELECT coalesce((\(numbers ?? [])::bigint[])[r.n], (SELECT base FROM taken) + r.n), r.replica, r.sequence, r.clock, r.author, r.record_type, r.record_id, r.scope,
                r.community, r.field, r.payload, r.parents
            FROM unnest(\(rows.map(\.replica))::text[], \(rows.map(\.sequence))::bigint[],
                \(rows.map(\.clock))::bigint[], \(rows.map(\.author))::text[], \(rows.map(\.recordType))::text[],
                \(rows.map(\.recordID))::text[], \(rows.map(\.scope))::text[], \(communities)::text[],
                \(rows.map(\.field))::text[], \(rows.map(\.payload))::text[], \(rows.map(\.parents))::text[])
                WITH ORDINALITY AS r(replica, sequence, clock, author, record_type, record_id, scope, community, field,
                    payload, parents, n)
            """, logger: logger)
    }
}

extension Duration {
    /// The duration in whole nanoseconds.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
