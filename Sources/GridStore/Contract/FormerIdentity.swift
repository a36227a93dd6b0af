import GridMerge

/// An identity a replica gave up, and why.
public struct FormerIdentity: Hashable, Sendable, Codable {
    /// The replica id given up.
    public let replica: ReplicaID
    /// When (ISO 8601).
    public let replacedAt: String
    /// Why, for the worker.
    public let reason: String
    /// How many unsent ops were issued again under the new identity.
    public let reissued: Int

    /// Creates a record of a former identity.
    public init(replica: ReplicaID, replacedAt: String, reason: String, reissued: Int) {
        self.replica = replica
        self.replacedAt = replacedAt
        self.reason = reason
        self.reissued = reissued
    }
}
