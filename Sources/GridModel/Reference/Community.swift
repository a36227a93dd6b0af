/// One of the street's communities (社区), which hold its grids and compounds.
public struct Community: Hashable, Sendable, Codable {
    /// The community's key.
    public var id: CommunityID
    /// The name residents use, for example `东门社区`.
    public var name: String

    /// Creates a community.
    public init(id: CommunityID, name: String) {
        self.id = id
        self.name = name
    }
}
