import GridMerge
import GridModel

/// What every replica store does, whatever keeps the data: SQLite on a field laptop or an
/// office server, PostgreSQL for several daemons sharing one database.
///
/// Every method is one transaction: it does all of its work or, when it throws, none of it.
/// Stores follow the merge rules of ``MergeLedger/merge(_:)``, so a store holding a set of
/// ops has the same records and conflicts as an in-memory ``ReplicaState`` holding them.
///
/// **The op log first.** Ops received from peers (``ingest(_:pulledFrom:through:)``,
/// ``admit(_:pushedBy:)``, ``admitGivenBack(_:by:)``) are checked as the merge would check
/// them and appended to the op log; the records, their typed rows, heads and conflicts are
/// derived from the log behind it (``derive(atMost:)``), in larger groups. Every method that
/// reads records sees them through the last op stored: it merges the log's tail first.
public protocol ReplicaStore: ServerStore {
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

    /// When each of these records was made and changed, and its statuses or stages, from the
    /// op log; records not held are left out.
    func timelines(of ids: [RecordID]) async throws -> [RecordID: RecordTimeline]

    /// The live records whose fields name `id` now (a project answering a demand, the visit a
    /// demand came from), found from the records, not stored twice.
    func records(naming id: RecordID) async throws -> [RecordState]

    /// The street's entries of a reference type held here and not deleted, by key.
    func streetEntries(_ type: RecordType) async throws -> [StreetEntry]

    /// The names of every entry of the street's lists held here and not deleted.
    func streetNames() async throws -> StreetNames

    /// The monthly report's figures (两会一报), computed where the records are.
    func monthlyReport(_ request: MonthlyReport.Request) async throws -> MonthlyReport

    /// Counts for `status`.
    func status() async throws -> ReplicaStatus

    /// Every op of one record, in local order: its history.
    func history(of record: RecordID) async throws -> [Op]

    /// Every record with at least one register field in conflict, by id.
    func conflictedRecords() async throws -> [RecordState]

    // MARK: Exchanging ops with peers

    /// Stores ops pulled from a peer and, in the same transaction, the peer's local
    /// sequence up to which they were pulled: interrupted at any point, the next pull
    /// resumes after the last batch stored, with nothing lost and nothing applied twice.
    /// The peer is the time reference: it bounded every op's clock when it took the op in,
    /// so the ops' clocks are not checked against this replica's own.
    func ingest(_ ops: [Op], pulledFrom peer: ReplicaID, through: Int64) async throws -> IngestResult

    /// Records that a peer holds this replica's own ops up to the op sequence `sequence`.
    func markPushed(to peer: ReplicaID, through sequence: Int64) async throws

    /// What this replica has exchanged with a peer (all zero for a peer never met).
    func cursor(for peer: ReplicaID) async throws -> PeerCursor

    // MARK: The op log first

    /// How many ops the op log holds that the records do not reflect yet.
    func underivedCount() async throws -> Int

    /// Merges up to `limit` ops of the op log's tail into the records, in the log's order, in
    /// one transaction.
    func derive(atMost limit: Int) async throws -> Derivation

    // MARK: Keeping one history

    /// Records the offset of this replica's wall clock from the server's, measured at a sync:
    /// later ops are written with the corrected clock.
    func recordClockOffset(_ milliseconds: Int64) async throws

    /// Gives new clock readings, in the same order, to this replica's own ops above sequence
    /// `sentThrough` from the first one stamped after `limit` on, and rebuilds the records
    /// from the op log; lowers the replica's clock to what its ops say.
    func restampUnsent(after sentThrough: UInt64, beyond limit: HybridTimestamp) async throws -> Restamp

    /// Compares the server's copies of this replica's own ops with the replica's: stores the
    /// ones it lacks (a laptop restored from a backup gets them back), and returns the ones
    /// that differ from its own (the sign of a copied or restored data folder).
    func reconcile(ownOps serverCopies: [Op]) async throws -> Reconciliation

    /// Gives up this replica's identity after its numbering collided with the server's: the
    /// server's copies replace the replica's ops under the same ids, and every own op the
    /// server does not hold is issued again, in order, as an op of `newReplica`.
    ///
    /// - Returns: the new identity and the number of ops issued again.
    func reissue(replacing serverCopies: [Op], above sentThrough: UInt64, as newReplica: ReplicaID, reason: String)
        async throws -> Reissue

    // MARK: A server restored from a backup

    /// What this replica still has to give back to `server`, which continues the history of
    /// the replicas in `lineage` (it was restored from a backup and took a new id): at the
    /// first meeting, everything this replica held then, if it synced with one of them.
    ///
    /// - Returns: the local sequences still to give back, or `nil` if there is nothing.
    func giveBack(to server: ReplicaID, lineage: [ReplicaID]) async throws -> ClosedRange<Int64>?

    /// Records that `server` took back this replica's ops up to the local sequence `through`.
    func markGivenBack(to server: ReplicaID, through: Int64) async throws

    /// Every file some record names (its photos), deleted records included: the files this
    /// replica keeps.
    func namedFiles() async throws -> Set<FileID>

    /// The records that name `file`: the scope of each (who may read the file, and who may
    /// send it), and how many files each names.
    func records(naming file: FileID) async throws -> [(scope: GridScope, files: Int)]
}
