import Foundation
import GRDB
import GridMerge
import GridModel

/// Exchanging ops with peers: batches of the op log in a peer's scopes, pulled ops stored
/// with their cursor, what a peer acknowledged, and a record's history. These read and write
/// the op log alone, never the records.
extension SQLiteReplicaStore {
    /// Ops stored after a local sequence number, in local order, at most `limit`: the op log
    /// as it is, for tools and tests that read it whole.
    public func ops(after localSequence: Int64, limit: Int) async throws -> [Op] {
        try await numberedOps(after: localSequence, limit: limit).map(\.op)
    }

    /// The same ops with their local sequence numbers: what a copy of the log into another store
    /// keeps, so that laptops' pull cursors stay right.
    public func numberedOps(after localSequence: Int64, limit: Int) async throws -> [(localSequence: Int64, op: Op)] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(Self.opColumns), local_sequence FROM ops WHERE local_sequence > ?
                    ORDER BY local_sequence LIMIT ?
                    """,
                arguments: [localSequence, limit]
            ).map { row in (row["local_sequence"], try Self.op(from: row)) }
        }
    }

    public func batch(after localSequence: Int64, limit: Int, scopes: [GridScope], writers: OpWriters) async throws
        -> OpBatch
    {
        var writer = ""
        var writerArguments: [(any DatabaseValueConvertible)?] = []
        switch writers {
        case .all: break
        case .only(let replica):
            writer = " AND replica = ?"
            writerArguments = [replica.description]
        case .allBut(let replica):
            writer = " AND replica != ?"
            writerArguments = [replica.description]
        }
        // Every term of the selection is an equality on `scope` (grids), read by seeking to it in
        // `ops_by_scope`, in local order, a batch's worth each; or the log is read in local order
        // from the cursor and filtered (a community reads its grids' scopes, not known here).
        let sql: String
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let seeks = Self.scopeSeeks(scopes) {
            var terms: [String] = []
            for seek in seeks {
                terms.append(
                    """
                    SELECT * FROM (SELECT \(Self.opColumns), local_sequence FROM ops
                    WHERE local_sequence > ? AND \(seek.condition)\(writer) ORDER BY local_sequence LIMIT ?)
                    """)
                arguments += [localSequence] + seek.arguments + writerArguments + [limit]
            }
            sql = terms.joined(separator: " UNION ALL ") + " ORDER BY local_sequence LIMIT ?"
        } else {
            let (filter, scopeArguments) = Self.scopeFilter(scopes)
            arguments = [localSequence] + scopeArguments + writerArguments
            sql = """
                SELECT \(Self.opColumns), local_sequence
                FROM ops WHERE local_sequence > ? AND (\(filter))\(writer) ORDER BY local_sequence LIMIT ?
                """
        }
        arguments.append(limit)
        let bound = StatementArguments(arguments)
        return try await read { db in
            let rows = try Row.fetchAll(db.cachedStatement(sql: sql), arguments: bound)
            let ops = try rows.map { try Self.op(from: $0) }
            if rows.count == limit, let last = rows.last {
                return OpBatch(ops: ops, through: last["local_sequence"], more: true)
            }
            // Fewer than asked: everything stored has been looked at.
            let end = try Int64.fetchOne(db.cachedStatement(sql: "SELECT max(local_sequence) FROM ops")) ?? 0
            return OpBatch(ops: ops, through: max(end, localSequence), more: false)
        }
    }

    /// The selection of `scopes` as equalities on `scope`, each read by seeking in `ops_by_scope`: a
    /// grid's own ops, and its community's reference data (`Sequence<GridScope>.reads`); `nil` if a
    /// community scope is among them, whose grids are not known here (see ``scopeFilter(_:)``).
    private static func scopeSeeks(_ scopes: [GridScope]) -> [(condition: String, arguments: [String])]? {
        let selection = ScopeSelection(scopes)
        guard !selection.grids.isEmpty, selection.communities.isEmpty else { return nil }
        return selection.grids.map { ("scope = ?", [$0]) }
            + selection.referenceCommunities.map { ("scope = ? AND record_type IN (\(Self.referenceTypes))", [$0]) }
    }

    /// The reference types as an SQL list: `'community', 'grid', …`.
    private static let referenceTypes = RecordType.allCases.filter(\.isReference).map { "'\($0.key)'" }
        .joined(separator: ", ")

    /// The SQL condition selecting the ops `scopes` read, and its arguments: a community scope
    /// covers its own records and those of its grids, and a grid its own and its community's
    /// reference data.
    private static func scopeFilter(_ scopes: [GridScope]) -> (String, [(any DatabaseValueConvertible)?]) {
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        for scope in scopes {
            if scope.grid == nil {
                conditions.append("scope = ? OR scope LIKE ?")  // keys hold no LIKE wildcards
                arguments += [scope.description, scope.description + "/%"]
            } else {
                // A grid reads its community's reference data too (`Sequence<GridScope>.reads`).
                conditions.append("scope = ? OR (scope = ? AND record_type IN (\(Self.referenceTypes)))")
                arguments += [scope.description, scope.community.rawValue]
            }
        }
        return (conditions.isEmpty ? "0" : conditions.map { "(\($0))" }.joined(separator: " OR "), arguments)
    }

    public func opCount(after localSequence: Int64, scopes: [GridScope], excluding replica: ReplicaID) async throws
        -> Int
    {
        let (filter, scopeArguments) = Self.scopeFilter(scopes)
        let arguments = StatementArguments([localSequence] + scopeArguments + [replica.description])
        return try await read { db in
            try Int.fetchOne(
                db, sql: "SELECT count(*) FROM ops WHERE local_sequence > ? AND (\(filter)) AND replica != ?",
                arguments: arguments) ?? 0
        }
    }

    public func history(of record: RecordID) async throws -> [Op] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT \(Self.opColumns) FROM ops WHERE record_id = ? ORDER BY local_sequence",
                arguments: [record.description]
            ).map { try Self.op(from: $0) }
        }
    }

    public func ingest(_ ops: [Op], pulledFrom peer: ReplicaID, through: Int64) async throws -> IngestResult {
        let now = Self.timestamp(wallClock)
        return try await writeTransaction(records: .behind) { ledger, writer in
            let stored = try Self.receive(ops, into: &ledger, clock: &writer, vouched: true, appending: true)
            try Self.advance(.pulled, of: peer, to: through, at: now, in: ledger.db)
            return IngestResult(stored: stored)
        }
    }

    public func markPushed(to peer: ReplicaID, through sequence: Int64) async throws {
        let now = Self.timestamp(wallClock)
        try await Self.mapErrors(path: path) {
            try await commits.write { db in try Self.advance(.pushed, of: peer, to: sequence, at: now, in: db) }
        }
    }

    /// Which of a peer's cursors moves.
    private enum PeerCursorColumn: String {
        case pulled = "pulled_through"
        case pushed = "pushed_through"
    }

    /// Moves a peer's cursor forward (never back) and notes the time of the exchange.
    private static func advance(
        _ column: PeerCursorColumn, of peer: ReplicaID, to value: Int64, at time: String, in db: Database
    ) throws {
        let name = column.rawValue
        try db.cachedStatement(
            sql: """
                INSERT INTO peers (replica, \(name), last_sync_at) VALUES (?, ?, ?)
                ON CONFLICT (replica) DO UPDATE SET
                    \(name) = max(\(name), excluded.\(name)), last_sync_at = excluded.last_sync_at
                """
        ).execute(arguments: [peer.description, value, time])
    }

    public func cursor(for peer: ReplicaID) async throws -> PeerCursor {
        try await read { db in
            guard
                let row = try Row.fetchOne(
                    db.cachedStatement(
                        sql: "SELECT pulled_through, pushed_through, last_sync_at FROM peers WHERE replica = ?"),
                    arguments: [peer.description])
            else { return PeerCursor(peer: peer) }
            return PeerCursor(peer: peer, pulledThrough: row[0], pushedThrough: row[1], lastSyncAt: row[2])
        }
    }
}
