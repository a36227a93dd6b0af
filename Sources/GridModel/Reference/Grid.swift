/// A micro-grid (微网格): the patch of streets that one or a few grid workers walk.
public struct Grid: Hashable, Sendable, Codable {
    /// The grid's key, unique in the street.
    public var id: GridID
    /// The community the grid belongs to.
    public var community: CommunityID
    /// The name people use, for example `东门一网格`.
    public var name: String

    /// Creates a grid.
    public init(id: GridID, community: CommunityID, name: String) {
        self.id = id
        self.community = community
        self.name = name
    }

    /// The scope of the records kept in this grid.
    public var scope: GridScope { GridScope(community: community, grid: id) }
}
