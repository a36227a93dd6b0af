import GridMerge
import GridModel

/// What every replica store does, whatever keeps the data: SQLite on a field laptop or an
/// office server, PostgreSQL for several daemons sharing one database.
///
/// Every method is one transaction: it does all of its work or, when it throws, none of it.
/// Stores follow the merge rules of ``MergeLedger/merge(_:)``, so a store holding a set of
/// ops has the same records and conflicts as an in-memory ``ReplicaState`` holding them.
public protocol ReplicaStore: Sendable {
    /// Who this replica is.
    var identity: ReplicaIdentity { get }

    /// Writes one user action: its ops and the records they change, together.
    ///
    /// - Returns: the ops written, in order.
    /// - Throws: ``StoreError/Code/refused`` for an edit the schema or merge rules refuse,
    ///   ``StoreError/Code/unknownRecord`` for an edit of a record the replica does not hold.
    func write(_ change: RecordChange) async throws -> [Op]

    /// Writes one user action on behalf of `author`, an account allowed to write `scopes`
    /// (the office settling a conflict through the daemon's replica): the ops are this
    /// replica's, their author is `author`.
    ///
    /// - Throws: as ``write(_:)``, and ``StoreError/Code/outOfScope`` for a record outside `scopes`.
    func write(_ change: RecordChange, as author: WorkerID, within scopes: [GridScope]) async throws -> [Op]

    /// Stores ops received from a peer; ops already held are skipped.
    ///
    /// - Returns: the number of ops that were new.
    /// - Throws: ``StoreError/Code/refused`` if any op is refused; then none is stored.
    func ingest(_ ops: [Op]) async throws -> Int

    /// The merged state of one record, or `nil`.
    func record(_ id: RecordID) async throws -> RecordState?

    /// The record whose id is, or starts with, `text` (at least 4 characters).
    func findRecord(_ text: String, type: RecordType?) async throws -> RecordID

    /// The records a query selects, newest first (visits by visit date, then newest first).
    func records(_ query: RecordQuery) async throws -> [RecordState]

    /// Every record, sorted by type then id (for exports).
    func allRecords() async throws -> [RecordState]

    /// Ops stored after a local sequence number, in local order, at most `limit`.
    func ops(after localSequence: Int64, limit: Int) async throws -> [Op]

    /// Counts for `status`.
    func status() async throws -> ReplicaStatus

    /// Every op of one record, in local order: its history.
    func history(of record: RecordID) async throws -> [Op]

    /// Every record with at least one register field in conflict, by id.
    func conflictedRecords() async throws -> [RecordState]

    /// How many ops stored after `localSequence` lie in `scopes` and were not written by
    /// `replica`: what a peer that pulled up to there has not received yet.
    func opCount(after localSequence: Int64, scopes: [GridScope], excluding replica: ReplicaID) async throws -> Int

    // MARK: Exchanging ops with peers

    /// Up to `limit` ops stored after `localSequence` whose records lie in `scopes` and that
    /// were written by `writers` (a client pushes only its own ops; a server sends a client
    /// every op but the client's own).
    func batch(after localSequence: Int64, limit: Int, scopes: [GridScope], writers: OpWriters) async throws -> OpBatch

    /// Stores ops pulled from a peer and, in the same transaction, the peer's local
    /// sequence up to which they were pulled: interrupted at any point, the next pull
    /// resumes after the last batch stored, with nothing lost and nothing applied twice.
    func ingest(_ ops: [Op], pulledFrom peer: ReplicaID, through: Int64) async throws -> IngestResult

    /// Records that a peer acknowledged this replica's ops up to `localSequence`.
    func markPushed(to peer: ReplicaID, through localSequence: Int64) async throws

    /// What this replica has exchanged with a peer (all zero for a peer never met).
    func cursor(for peer: ReplicaID) async throws -> PeerCursor
}
