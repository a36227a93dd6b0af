import GridMerge
import GridModel

/// A run of a replica's ops that a peer asked for, and where to ask from next time.
public struct OpBatch: Hashable, Sendable {
    /// The ops, in the replica's local order.
    public let ops: [Op]
    /// The local sequence to ask after next: past every op this batch looked at, including
    /// those outside the asker's scopes.
    public let through: Int64
    /// Whether more ops may follow after `through`.
    public let more: Bool

    /// Creates a batch.
    public init(ops: [Op], through: Int64, more: Bool) {
        self.ops = ops
        self.through = through
        self.more = more
    }
}

/// Whose ops a batch holds.
public enum OpWriters: Hashable, Sendable {
    /// Every replica's.
    case all
    /// Only this replica's.
    case only(ReplicaID)
    /// Every replica's but this one's.
    case allBut(ReplicaID)
}

/// What a replica has exchanged with one peer.
public struct PeerCursor: Hashable, Sendable, Codable {
    /// The peer.
    public let peer: ReplicaID
    /// The peer's local sequence up to which this replica has stored the peer's ops.
    public var pulledThrough: Int64
    /// This replica's local sequence up to which the peer has acknowledged this replica's ops.
    public var pushedThrough: Int64
    /// When the last exchange with the peer finished (ISO 8601), if ever.
    public var lastSyncAt: String?

    /// Creates a cursor.
    public init(peer: ReplicaID, pulledThrough: Int64 = 0, pushedThrough: Int64 = 0, lastSyncAt: String? = nil) {
        self.peer = peer
        self.pulledThrough = pulledThrough
        self.pushedThrough = pushedThrough
        self.lastSyncAt = lastSyncAt
    }
}

/// What storing a batch of a peer's ops did. The ops are in the op log; the records take
/// them in behind it (``ReplicaStore/derive(atMost:)``).
public struct IngestResult: Hashable, Sendable {
    /// Ops that were new to the replica.
    public var stored: Int
    /// Ops given back that were left out, each refused on its own (see ``ReplicaStore/admitGivenBack(_:by:)``).
    public var skipped: Int

    /// Creates a result.
    public init(stored: Int, skipped: Int = 0) {
        self.stored = stored
        self.skipped = skipped
    }
}

/// What bringing the records up to date with the op log did.
public struct Derivation: Hashable, Sendable {
    /// Ops of the log merged into the records.
    public var ops: Int
    /// Register fields that became conflicted.
    public var conflictsOpened: Int
    /// Ops of the log still to merge after this derivation.
    public var remaining: Int

    /// Creates a result.
    public init(ops: Int, conflictsOpened: Int, remaining: Int) {
        self.ops = ops
        self.conflictsOpened = conflictsOpened
        self.remaining = remaining
    }
}
