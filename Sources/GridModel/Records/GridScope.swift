/// The part of the street a record belongs to: one grid, or a whole community.
///
/// Scopes decide who may read and write a record: a grid worker holds the scopes of their
/// grids, the office holds every community. The text form is `community/grid` (for example
/// `c03/c03-g2`) or just `community` for community-level records, and a community scope
/// contains the scopes of all its grids.
public struct GridScope: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The community.
    public let community: CommunityID
    /// The grid, or `nil` for a record that belongs to the whole community.
    public let grid: GridID?

    /// Creates a grid-level (or, with `grid: nil`, a community-level) scope.
    public init(community: CommunityID, grid: GridID? = nil) {
        self.community = community
        self.grid = grid
    }

    /// Parses `community` or `community/grid`.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let community = CommunityID(String(parts[0])) else { return nil }
        if parts.count == 2 {
            guard let grid = GridID(String(parts[1])) else { return nil }
            self.init(community: community, grid: grid)
        } else {
            self.init(community: community)
        }
    }

    /// Whether a record in `other` lies inside this scope (a scope contains itself).
    public func contains(_ other: GridScope) -> Bool {
        community == other.community && (grid == nil || grid == other.grid)
    }

    /// The text form, `community` or `community/grid`.
    public var description: String {
        grid.map { "\(community)/\($0)" } ?? community.rawValue
    }

    /// Orders scopes by their text.
    public static func < (lhs: GridScope, rhs: GridScope) -> Bool { lhs.description < rhs.description }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let scope = GridScope(text) else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: "'\(text)' is not a scope (community or community/grid)"))
        }
        self = scope
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension Sequence<GridScope> {
    /// Whether a record in `scope` lies in one of these scopes.
    public func covers(_ scope: GridScope) -> Bool {
        contains { $0.contains(scope) }
    }

    /// Whether holding these scopes lets one read a record of `type` in `scope`: a record they
    /// cover, and also the street's reference data of their communities (the community, and
    /// its workers), which a grid's laptop needs for names and checks.
    public func reads(_ type: RecordType, in scope: GridScope) -> Bool {
        covers(scope) || (type.isReference && scope.grid == nil && contains { $0.community == scope.community })
    }
}
