import GridModel

/// Which records a list shows: a type, and optional filters a grid worker would use.
public struct RecordQuery: Hashable, Sendable {
    /// The record type listed.
    public var type: RecordType
    /// Only records in this grid.
    public var grid: GridID?
    /// Only records about this compound.
    public var compound: CompoundID?
    /// Only demands or projects of this category.
    public var category: Category?
    /// Only demands with this status.
    public var status: DemandStatus?
    /// Only open demands (raised, accepted, in progress).
    public var openOnly = false
    /// Only projects at this stage.
    public var stage: ProjectStage?
    /// Include deleted records.
    public var includeDeleted = false

    /// Creates a query for every live record of a type.
    public init(type: RecordType) {
        self.type = type
    }
}
