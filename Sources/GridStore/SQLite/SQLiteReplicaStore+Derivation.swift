import GRDB
import GridMerge
import GridModel

/// The op log first: the records, their typed rows, heads, conflicts and awaited parents are
/// derived from the op log, behind it.
///
/// Storing a peer's batch costs an append to `ops`, its cursor and a commit; the records catch
/// up in larger groups (``derive(atMost:)``), so a record edited in many batches is written once
/// per group rather than once per batch. The `replica` row's `derived_through` says how far they
/// are: every op at or below that local sequence is merged into them, none above. A crash
/// between the two leaves the tail underived, never half-derived (each derivation is one
/// transaction), and opening the replica merges it. Every read of records merges the tail
/// first, so it sees every op stored before it began.
extension SQLiteReplicaStore {
    /// The most ops one transaction merges when a read catches the records up.
    static let catchUpGroup = 200_000

    public func underivedCount() async throws -> Int {
        try await read { db in try Self.underived(db) }
    }

    public func derive(atMost limit: Int) async throws -> Derivation {
        try await derive(atMost: limit, bounds: .standard)
    }

    /// Merges up to `limit` ops of the log's tail into the records in one transaction, holding
    /// at most what `bounds` allows in memory at once (see ``derive(atMost:)``).
    public func derive(atMost limit: Int, bounds: DerivationBounds) async throws -> Derivation {
        try await Self.mapErrors(path: path) {
            try await commits.write { db in try Self.deriveTail(db, atMost: limit, bounds: bounds) }
        }
    }

    /// How many ops of the log are above `derived_through`: the difference of local sequences,
    /// read in constant time however long the tail (the daemon asks every 50 ms). Local
    /// sequences have gaps only where ops were replaced by a reissue, which then rebuilds the
    /// records through the end of the log, so there are none above the watermark.
    static func underived(_ db: Database) throws -> Int {
        let (derived, stored) = try derivation(db)
        return Int(stored - derived)
    }

    /// How far the records are derived, and the last op stored (local sequences).
    static func derivation(_ db: Database) throws -> (derived: Int64, stored: Int64) {
        let row = try Row.fetchOne(
            db.cachedStatement(
                sql: "SELECT derived_through, coalesce((SELECT max(local_sequence) FROM ops), 0) FROM replica"))
        return (row?[0] ?? 0, row?[1] ?? 0)
    }

    /// Merges up to `limit` ops of the log's tail into the records, in local order, inside the
    /// caller's transaction, and moves `derived_through` past them.
    @discardableResult
    static func deriveTail(_ db: Database, atMost limit: Int = .max, bounds: DerivationBounds = .standard) throws
        -> Derivation
    {
        let (from, stored) = try derivation(db)
        // Nothing to merge, almost always for a local write: no ledger, no reads.
        guard from < stored, limit > 0 else {
            return Derivation(ops: 0, conflictsOpened: 0, remaining: Int(stored - from))
        }
        var ledger = try SQLiteLedger(db: db, replayingAfter: from)
        var through = from
        var merged = 0
        while merged < limit {
            let rows = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT \(opColumns), local_sequence FROM ops WHERE local_sequence > ?
                        ORDER BY local_sequence LIMIT ?
                        """), arguments: [through, min(bounds.chunk, limit - merged)])
            guard let last = rows.last else { break }
            let ops = try rows.map { try op(from: $0) }
            ledger.unmerged.formUnion(ops.map(\.id))
            for op in ops { try ledger.merge(op) }
            merged += rows.count
            through = last["local_sequence"]
            ledger.replayed(through: through)
            if ledger.heldRecords > bounds.heldRecords {
                try ledger.flush()
                ledger.letGo()
            }
        }
        try ledger.flush()
        if through != from {
            try db.cachedStatement(sql: "UPDATE replica SET derived_through = ?").execute(arguments: [through])
        }
        return Derivation(ops: merged, conflictsOpened: ledger.conflictsOpened, remaining: try underived(db))
    }

    /// Merges the log's tail into the records through at least local sequence `target`, in
    /// transactions of at most ``catchUpGroup`` ops (so that the pushes waiting for the
    /// daemon's store are not held up by one very long transaction).
    func catchUp(through target: Int64) async throws {
        if readOnly {
            try Self.mapErrors(path: path) { try catchUpFromReadOnly() }
            return
        }
        while try await derive(atMost: Self.catchUpGroup).ops > 0 {
            if try await read({ db in try Self.derivation(db).derived }) >= target { return }
        }
    }

    /// A store opened for reading finds the records behind the log when the daemon serves
    /// (it derives them a moment later) or stopped before it had derived its last batches:
    /// it merges the tail itself through a connection of its own, which changes what the
    /// records say, never the ops.
    private func catchUpFromReadOnly() throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(Self.busyTimeout)
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            defer { try? queue.close() }
            _ = try queue.write { db in try Self.deriveTail(db) }
        } catch let error as DatabaseError
            where [.SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM].contains(error.resultCode)
        {
            throw StoreError(
                .readOnly,
                "the records in \(path) are behind its op log, and this user cannot bring them up to date: "
                    + "run this as the user gridsyncd runs as, or start gridsyncd, which does it",
                cause: error)
        }
    }

    /// Runs `body` in a read transaction that sees the records through every op stored
    /// before it was called: the log's tail, if any, is merged first.
    func readRecords<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        var target: Int64?
        while true {
            let bar = target
            let attempt = try await read { db in
                let (derived, stored) = try Self.derivation(db)
                return derived >= (bar ?? stored) ? RecordsRead.read(try body(db)) : .behind(stored: stored)
            }
            switch attempt {
            case .read(let value):
                return value
            case .behind(let stored):
                target = target ?? stored
                try await catchUp(through: target!)
            }
        }
    }
}

/// One try at reading records: what was read, or how far the log reached when the records were found behind it.
private enum RecordsRead<T: Sendable>: Sendable {
    case read(T)
    case behind(stored: Int64)
}
