import GridModel

/// The ops a list of scopes reads, as equalities a store can seek in its op log by scope:
/// each grid's own records, the reference data of each grid's community, and the whole of
/// each community named (as `Sequence<GridScope>.reads(_:in:)` says).
public struct ScopeSelection: Hashable, Sendable {
    /// Grids read whole, as scope keys (`community/grid`).
    public let grids: [String]
    /// Communities whose reference data is read (those of ``grids``).
    public let referenceCommunities: [String]
    /// Communities read whole, with every grid in them.
    public let communities: [String]

    /// The selection of `scopes`.
    public init(_ scopes: [GridScope]) {
        let grids = scopes.filter { $0.grid != nil }
        self.grids = Set(grids.map(\.description)).sorted()
        referenceCommunities = Set(grids.map(\.community.rawValue)).sorted()
        communities = Set(scopes.filter { $0.grid == nil }.map(\.community.rawValue)).sorted()
    }
}
