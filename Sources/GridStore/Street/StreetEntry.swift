import GridModel

/// One entry of the street's lists as a replica holds it: a community, grid, compound or
/// worker, by key and name.
public struct StreetEntry: Hashable, Sendable, CustomStringConvertible {
    /// The entry's key (`k001`).
    public var key: String
    /// The name people use (`纺织厂宿舍`), if the record has one.
    public var name: String?
    /// A grid's community, a compound's grid; `nil` for the others.
    public var parent: String?

    /// Creates an entry.
    public init(key: String, name: String?, parent: String? = nil) {
        self.key = key
        self.name = name
        self.parent = parent
    }

    /// `纺织厂宿舍 (k001)`, or the key alone.
    public var description: String { name.map { "\($0) (\(key))" } ?? key }
}

extension Array<StreetEntry> {
    /// The key of the entry that `text` names, by key (in any case) or by name, checked against
    /// these entries of `type`; with no entries (a laptop that has not yet received the street's
    /// lists), `text` itself as a key, checked for form by `domain`.
    ///
    /// - Throws: ``ValidationError`` of code `unknown-choice` naming the nearest entries when
    ///   none matches, or the entries that share the name when several do.
    public func key(naming text: String, type: RecordType, domain: ValueDomain, field: String) throws(ValidationError)
        -> String
    {
        let typed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !isEmpty else { return try domain.parse(typed, field: field).description }
        if let entry = first(where: { $0.key == typed.lowercased() }) { return entry.key }
        let named = filter { $0.name == typed }
        if named.count == 1 { return named[0].key }
        guard named.isEmpty else {
            throw ValidationError(
                .unknownChoice, field: field, value: typed,
                allowed: "one of their keys: " + named.map(\.description).joined(separator: ", "))
        }
        let nearest = sorted { ($0.distance(to: typed), $0.key) < ($1.distance(to: typed), $1.key) }.prefix(3)
        throw ValidationError(
            .unknownChoice, field: field, value: typed,
            allowed: "a \(type.key) of the street by key or name; the nearest: "
                + nearest.map(\.description).joined(separator: ", ")
                + " (`gridsync street list \(type.key)s` lists them all)")
    }
}

extension StreetEntry {
    /// How far `text` is from this entry: 0 if its name or key holds it, else the edit
    /// distance (in characters) to the nearer of the two.
    func distance(to text: String) -> Int {
        let candidates = [key] + (name.map { [$0] } ?? [])
        if candidates.contains(where: { $0.contains(text) }) { return 0 }
        return candidates.map { Self.editDistance(Array($0), Array(text)) }.min() ?? Int.max
    }

    /// The Levenshtein distance between two strings of characters.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        guard !a.isEmpty else { return b.count }
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1] + Array(repeating: 0, count: b.count)
            for (j, y) in b.enumerated() {
                current[j + 1] = Swift.min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
