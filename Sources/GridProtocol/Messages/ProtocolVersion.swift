import GridMerge
import GridModel

/// A version of the line protocol: what a `HELLO` asks for and a `WELCOME` grants.
///
/// A laptop speaks ``current``. The daemon serves every version listed, so that laptops keep
/// syncing while the office upgrades them one by one; it sends an older laptop only the ops
/// that laptop can read (``carries(_:)``). Its cursor is the daemon's own sequence, so an op
/// left out is skipped for good, and a replica upgraded from an older version pulls once more
/// from the start (the store's migration to the street's reference data does that).
public enum ProtocolVersion: String, Sendable, Comparable, CaseIterable {
    /// Visits, demands and projects.
    case gridsync2 = "gridsync/2"
    /// And the street's reference data (communities, grids, compounds and workers), and
    /// projects' funding in fen.
    case gridsync3 = "gridsync/3"
    /// And photos (the files' ids; the files themselves travel apart) and places on visits,
    /// demands and projects.
    case gridsync4 = "gridsync/4"
    /// The same messages; a `CHUNK` carries a file's bytes as they are, after its header line,
    /// not in lines of base64 (see ``ChunkFraming``).
    case gridsync5 = "gridsync/5"

    /// The version this code speaks.
    public static let current = ProtocolVersion.gridsync5

    /// How a `CHUNK` of this version carries a file's bytes.
    public var chunkFraming: ChunkFraming {
        self >= .gridsync5 ? .bytes : .base64Lines
    }

    /// Whether a peer speaking this version can read `op`: record types (and fields) that came
    /// with a later version are left out of what it is sent.
    public func carries(_ op: Op) -> Bool {
        switch self {
        case .gridsync2:
            !op.recordType.isReference && !Self.fieldsOfGridsync3.contains(op.field)
                && !Self.fieldsOfGridsync4.contains(op.field)
        case .gridsync3: !Self.fieldsOfGridsync4.contains(op.field)
        case .gridsync4, .gridsync5: true
        }
    }

    /// The fields that gridsync/3 added to the record types gridsync/2 has.
    static let fieldsOfGridsync3 = Set(FundingSource.allCases.map(\.fenFieldName))
    /// The fields that gridsync/4 added (to visits, demands and projects).
    static let fieldsOfGridsync4: Set<String> = ["photos", "place"]

    /// Orders versions from the oldest.
    public static func < (lhs: ProtocolVersion, rhs: ProtocolVersion) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
