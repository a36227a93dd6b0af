/// A residential compound (小区): old work-unit or welfare housing, often with no property company.
public struct Compound: Hashable, Sendable, Codable {
    /// The compound's key, unique in the street.
    public var id: CompoundID
    /// The grid the compound lies in.
    public var grid: GridID
    /// The name residents use, for example `纺织厂宿舍`.
    public var name: String
    /// Whether a property-management company looks after the compound (77 % have none).
    public var hasPropertyManagement: Bool
    /// Where it is, for example `东门路12号`, if the office noted it.
    public var address: String?
    /// Its buildings as residents name them (`1号楼`, `3栋`).
    public var buildings: [String]

    /// Creates a compound.
    public init(
        id: CompoundID, grid: GridID, name: String, hasPropertyManagement: Bool, address: String? = nil,
        buildings: [String] = []
    ) {
        self.id = id
        self.grid = grid
        self.name = name
        self.hasPropertyManagement = hasPropertyManagement
        self.address = address
        self.buildings = buildings
    }
}
