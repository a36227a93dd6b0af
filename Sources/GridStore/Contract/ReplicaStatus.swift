import GridMerge

/// What `gridsync status` shows: who the replica is and how much it holds.
public struct ReplicaStatus: Hashable, Sendable, Codable {
    /// Who the replica is.
    public let identity: ReplicaIdentity
    /// Ops stored, from every replica.
    public let opCount: Int
    /// Ops this replica wrote.
    public let ownOpCount: Int
    /// Ops this replica wrote that no peer has acknowledged yet.
    public let unsyncedOpCount: Int
    /// Live records by type key.
    public let records: [String: Int]
    /// Open conflicts.
    public let conflictCount: Int
    /// When the last sync finished, if ever (ISO 8601).
    public let lastSync: String?
    /// Milliseconds to add to this machine's clock to read the server's, as measured at the
    /// last sync (negative when this clock is fast), if it ever synced.
    public var clockOffset: Int64?
    /// When ``clockOffset`` was measured (ISO 8601).
    public var clockMeasuredAt: String?
    /// Identities this replica gave up after a copied or restored data folder, oldest first.
    public var formerIdentities: [FormerIdentity] = []

    /// Creates a status.
    public init(
        identity: ReplicaIdentity, opCount: Int, ownOpCount: Int, unsyncedOpCount: Int, records: [String: Int],
        conflictCount: Int, lastSync: String?
    ) {
        self.identity = identity
        self.opCount = opCount
        self.ownOpCount = ownOpCount
        self.unsyncedOpCount = unsyncedOpCount
        self.records = records
        self.conflictCount = conflictCount
        self.lastSync = lastSync
    }
}
