import GridModel

/// The names of the street's entries, by type and key, for showing `纺织厂宿舍（k001）` where a
/// record holds `k001`: what tables, exports and reports print beside keys.
public struct StreetNames: Sendable, Hashable {
    private var names: [RecordType: [String: String]]

    /// No names: keys are shown alone (a laptop that has not received the street's lists).
    public init() {
        names = [:]
    }

    /// The names of `entries`, by their type.
    public init(_ entries: [RecordType: [StreetEntry]]) {
        names = entries.mapValues { list in
            Dictionary(list.compactMap { entry in entry.name.map { (entry.key, $0) } }, uniquingKeysWith: { a, _ in a })
        }
    }

    /// The name of the entry of `type` with `key`, if this replica holds it.
    public func name(_ type: RecordType, _ key: String) -> String? {
        names[type]?[key]
    }

    /// `纺织厂宿舍（k001）`, or the key alone when its name is not known.
    public func label(_ type: RecordType, _ key: String) -> String {
        name(type, key).map { "\($0)（\(key)）" } ?? key
    }

    /// The grid of a record's scope by name, or its community's for a community-level record.
    public func label(of scope: GridScope) -> String {
        scope.grid.map { label(.grid, $0.rawValue) } ?? label(.community, scope.community.rawValue)
    }
}
