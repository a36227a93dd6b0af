/// The reference data of one street (街道): its communities, grids, compounds and workers.
///
/// Records point into this data by key (a demand's compound, a visit's worker); the street
/// checks that those keys exist and fit together, for example that a compound lies in the
/// grid of the record's scope.
public struct Street: Hashable, Sendable, Codable {
    /// The street's name, for example `X街道`.
    public var name: String
    /// The communities, in the order the office lists them.
    public private(set) var communities: [Community]
    /// The micro-grids.
    public private(set) var grids: [Grid]
    /// The residential compounds.
    public private(set) var compounds: [Compound]
    /// The grid workers and office staff.
    public private(set) var workers: [Worker]

    /// Creates a street, checking that every key is unique and every reference resolves.
    public init(
        name: String, communities: [Community], grids: [Grid], compounds: [Compound], workers: [Worker]
    ) throws(ValidationError) {
        self.name = name
        self.communities = communities
        self.grids = grids
        self.compounds = compounds
        self.workers = workers
        try Self.checkUnique(communities.map(\.id.rawValue), field: "community")
        try Self.checkUnique(grids.map(\.id.rawValue), field: "grid")
        try Self.checkUnique(compounds.map(\.id.rawValue), field: "compound")
        try Self.checkUnique(workers.map(\.id.rawValue), field: "worker")
        for grid in grids where community(grid.community) == nil {
            throw ValidationError(
                .badFormat, field: "grid \(grid.id).community", value: grid.community.rawValue,
                allowed: "a community of the street")
        }
        for compound in compounds where self.grid(compound.grid) == nil {
            throw ValidationError(
                .badFormat, field: "compound \(compound.id).grid", value: compound.grid.rawValue,
                allowed: "a grid of the street")
        }
        for worker in workers {
            for grid in worker.grids where self.grid(grid) == nil {
                throw ValidationError(
                    .badFormat, field: "worker \(worker.id).grids", value: grid.rawValue,
                    allowed: "grids of the street")
            }
        }
    }

    /// Decodes a street and checks it as ``init(name:communities:grids:compounds:workers:)`` does,
    /// so that reference data read from a file is never trusted unchecked.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            name: container.decode(String.self, forKey: .name),
            communities: container.decode([Community].self, forKey: .communities),
            grids: container.decode([Grid].self, forKey: .grids),
            compounds: container.decode([Compound].self, forKey: .compounds),
            workers: container.decode([Worker].self, forKey: .workers))
    }

    /// The community with this key, if any.
    public func community(_ id: CommunityID) -> Community? { communities.first { $0.id == id } }
    /// The grid with this key, if any.
    public func grid(_ id: GridID) -> Grid? { grids.first { $0.id == id } }
    /// The compound with this key, if any.
    public func compound(_ id: CompoundID) -> Compound? { compounds.first { $0.id == id } }
    /// The worker with this key, if any.
    public func worker(_ id: WorkerID) -> Worker? { workers.first { $0.id == id } }

    /// The compounds that lie in a grid.
    public func compounds(in grid: GridID) -> [Compound] { compounds.filter { $0.grid == grid } }

    /// Checks that a scope names a community of the street and, if it names a grid, one of that community's.
    public func check(_ scope: GridScope) throws(ValidationError) {
        guard community(scope.community) != nil else {
            throw ValidationError(
                .badFormat, field: "scope", value: scope.description,
                allowed: "a community of \(name): \(communities.map(\.id.rawValue).joined(separator: ", "))")
        }
        if let gridID = scope.grid, grid(gridID)?.community != scope.community {
            let inCommunity = grids.filter { $0.community == scope.community }.map(\.id.rawValue)
            throw ValidationError(
                .badFormat, field: "scope", value: scope.description,
                allowed: "a grid of \(scope.community): \(inCommunity.joined(separator: ", "))")
        }
    }

    private static func checkUnique(_ keys: [String], field: String) throws(ValidationError) {
        var seen = Set<String>()
        for key in keys where !seen.insert(key).inserted {
            throw ValidationError(.badFormat, field: field, value: key, allowed: "each \(field) key once")
        }
    }
}
