import GridModel

/// Who reads records through a web screen, and so which records a page may show.
public struct RecordReader: Sendable {
    /// The scopes they may read.
    public let scopes: [GridScope]
    /// Whether the store holds nothing outside ``scopes`` (a laptop's own replica), so a list
    /// need not check each record.
    public let holdsOnlyTheirs: Bool

    /// A reader of `scopes`, in a store that may hold others' records too (the daemon's).
    public init(scopes: [GridScope]) {
        self.scopes = scopes
        self.holdsOnlyTheirs = false
    }

    /// The laptop's own user, who may read whatever its replica holds.
    public static func laptop(_ scopes: [GridScope]) -> RecordReader {
        RecordReader(scopes: scopes, holdsOnlyTheirs: true)
    }

    private init(scopes: [GridScope], holdsOnlyTheirs: Bool) {
        self.scopes = scopes
        self.holdsOnlyTheirs = holdsOnlyTheirs
    }

    /// Whether they may read a record in `scope`.
    public func reads(_ scope: GridScope) -> Bool {
        holdsOnlyTheirs || scopes.covers(scope)
    }

    /// Whether their scopes are one grid: a list needs no grid to choose.
    var isOneGrid: Bool { scopes.count == 1 && scopes[0].grid != nil }
}
