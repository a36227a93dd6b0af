import GridMerge
import GridModel

/// A replica that has synced with the daemon: whose it is, and how its last sync went.
public struct Device: Hashable, Sendable, Codable {
    /// The replica.
    public var replica: ReplicaID
    /// The account it syncs for.
    public var worker: WorkerID
    /// When it first and last connected (ISO 8601).
    public var firstSeen: String
    public var lastSeen: String
    /// When its last sync ended, if one has.
    public var lastSyncAt: String?
    /// How its last sync ended: `bye`, an error code, `cut`, `closed`.
    public var lastEnding: String?
    /// Ops it pushed at its last sync: what it had not sent before.
    public var lastPushed: Int
    /// Ops it pulled at its last sync.
    public var lastPulled: Int
    /// The daemon's local sequence up to which it has pulled.
    public var pulledThrough: Int64
    /// Ops it gave back that the daemon had lost when it was restored from a backup.
    public var givenBack: Int
    /// Ops of its own the daemon gave back to it (the laptop was restored from a backup, or copied).
    public var recovered: Int

    /// Describes a device.
    public init(
        replica: ReplicaID, worker: WorkerID, firstSeen: String, lastSeen: String, lastSyncAt: String?,
        lastEnding: String?, lastPushed: Int, lastPulled: Int, pulledThrough: Int64, givenBack: Int, recovered: Int
    ) {
        self.replica = replica
        self.worker = worker
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.lastSyncAt = lastSyncAt
        self.lastEnding = lastEnding
        self.lastPushed = lastPushed
        self.lastPulled = lastPulled
        self.pulledThrough = pulledThrough
        self.givenBack = givenBack
        self.recovered = recovered
    }
}
