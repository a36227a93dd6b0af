import GridMerge
import GridModel

/// Who a replica is: its id, the worker it records for, and the grids it works in.
public struct ReplicaIdentity: Hashable, Sendable, Codable {
    /// The replica's id, which numbers its ops.
    public let replica: ReplicaID
    /// The worker account whose edits this replica records.
    public let worker: WorkerID
    /// The scopes this replica works in (a grid worker's grids; a community for the office).
    public let scopes: [GridScope]
    /// The replicas whose history this one continues, newest first: a daemon restored from a
    /// backup takes a new id, and its former ids are its lineage.
    public var lineage: [ReplicaID] = []
    /// When this replica was restored from a backup (milliseconds since 1970), if ever.
    public var restoredAt: UInt64?

    /// Creates an identity.
    public init(replica: ReplicaID, worker: WorkerID, scopes: [GridScope]) {
        self.replica = replica
        self.worker = worker
        self.scopes = scopes
    }

    /// Whether a record in `scope` lies in one of this replica's scopes.
    public func covers(_ scope: GridScope) -> Bool {
        scopes.covers(scope)
    }
}
