import GridMerge

/// What comparing the server's copies of a replica's own ops with the replica's found.
public struct Reconciliation: Hashable, Sendable {
    /// Copies the replica lacked, now stored.
    public var stored: Int
    /// Copies that differ from the replica's ops of the same ids.
    public var differing: [Op]

    /// Creates a result.
    public init(stored: Int, differing: [Op]) {
        self.stored = stored
        self.differing = differing
    }
}
