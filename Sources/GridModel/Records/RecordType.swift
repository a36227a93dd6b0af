/// The kinds of record that grid workers and the office keep.
public enum RecordType: String, LabelledKey, Comparable {
    /// A household or compound visit (入户走访).
    case visit
    /// A resident's demand (居民诉求).
    case demand
    /// A micro-project that answers demands (微项目).
    case project

    public var label: Label {
        switch self {
        case .visit: Label("走访", "visit")
        case .demand: Label("诉求", "demand")
        case .project: Label("微项目", "project")
        }
    }

    /// The fields of this record type and how each merges.
    public var schema: RecordSchema {
        switch self {
        case .visit: RecordSchema.visit
        case .demand: RecordSchema.demand
        case .project: RecordSchema.project
        }
    }

    /// Orders record types by key, as exports and conflict lists do.
    public static func < (lhs: RecordType, rhs: RecordType) -> Bool { lhs.rawValue < rhs.rawValue }
}
