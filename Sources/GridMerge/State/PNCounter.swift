/// A counter of per-replica increments and decrements (a PN-counter).
///
/// Each replica's contribution is kept apart, so the office can see who added what; the
/// value is the sum. Duplicate ops are filtered before they reach the counter (by
/// ``ReplicaState``), so changes simply add up, in any order.
public struct PNCounter: Hashable, Sendable, Codable {
    /// What one replica has added and taken away.
    public struct Contribution: Hashable, Sendable, Codable {
        /// The sum of the replica's positive changes.
        public var increments: Int64 = 0
        /// The sum of the magnitudes of the replica's negative changes.
        public var decrements: Int64 = 0

        /// Creates a contribution.
        public init(increments: Int64 = 0, decrements: Int64 = 0) {
            self.increments = increments
            self.decrements = decrements
        }
    }

    /// Each replica's contribution.
    public internal(set) var contributions: [ReplicaID: Contribution] = [:]

    /// Creates a counter at zero.
    public init() {}

    /// The total: every replica's increments less its decrements.
    public var value: Int64 {
        contributions.values.reduce(0) { $0 &+ $1.increments &- $1.decrements }
    }

    /// Adds one replica's change.
    public mutating func apply(_ change: Int64, from replica: ReplicaID) {
        if change >= 0 {
            contributions[replica, default: Contribution()].increments &+= change
        } else {
            contributions[replica, default: Contribution()].decrements &+= 0 &- change
        }
    }
}
