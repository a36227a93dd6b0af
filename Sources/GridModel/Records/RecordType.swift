/// The kinds of record that grid workers and the office keep.
public enum RecordType: String, LabelledKey, Comparable {
    /// A household or compound visit (入户走访).
    case visit
    /// A resident's demand (居民诉求).
    case demand
    /// A micro-project that answers demands (微项目).
    case project
    /// One of the street's communities (社区): reference data, kept by the office.
    case community
    /// A grid of a community (网格): reference data, kept by the office.
    case grid
    /// A residential compound (小区): reference data, kept by the office.
    case compound
    /// A grid worker (网格员): reference data, kept by the office.
    case worker

    public var label: Label {
        switch self {
        case .visit: Label("走访", "visit")
        case .demand: Label("诉求", "demand")
        case .project: Label("微项目", "project")
        case .community: Label("社区", "community")
        case .grid: Label("网格", "grid")
        case .compound: Label("小区", "compound")
        case .worker: Label("网格员", "worker")
        }
    }

    /// The key in the plural, for counts people read: `3 demands`, `12 communities`.
    public var plural: String { self == .community ? "communities" : key + "s" }

    /// Whether records of this type are the street's reference data: the communities, grids,
    /// compounds and workers that the field's records name by key. The office keeps them
    /// (only a token that may write a whole community writes them), and each has one record
    /// per key, whose id is ``RecordID/init(reference:key:)``.
    public var isReference: Bool {
        switch self {
        case .visit, .demand, .project: false
        case .community, .grid, .compound, .worker: true
        }
    }

    /// The fields of this record type and how each merges.
    public var schema: RecordSchema {
        switch self {
        case .visit: RecordSchema.visit
        case .demand: RecordSchema.demand
        case .project: RecordSchema.project
        case .community: RecordSchema.community
        case .grid: RecordSchema.grid
        case .compound: RecordSchema.compound
        case .worker: RecordSchema.worker
        }
    }

    /// Orders record types by key, as exports and conflict lists do.
    public static func < (lhs: RecordType, rhs: RecordType) -> Bool { lhs.rawValue < rhs.rawValue }
}
