import GridMerge

/// What giving up a replica identity did.
public struct Reissue: Hashable, Sendable {
    /// The identity given up.
    public var former: ReplicaID
    /// The new identity.
    public var identity: ReplicaIdentity
    /// Own ops issued again under the new identity.
    public var count: Int

    /// Creates a result.
    public init(former: ReplicaID, identity: ReplicaIdentity, count: Int) {
        self.former = former
        self.identity = identity
        self.count = count
    }
}
