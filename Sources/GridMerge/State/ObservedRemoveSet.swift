/// An add-wins observed-remove set of text elements (tags, participants, linked records).
///
/// Each addition is tagged by its op id. A removal removes only the additions it saw (its
/// parents), so an addition made concurrently with a removal survives: add wins. Removing
/// an element that is not there is not an op at all. An addition that arrives after a
/// removal that saw it is applied as removed (``ReplicaState`` remembers such tags).
public struct ObservedRemoveSet: Hashable, Sendable, Codable {
    /// The live addition tags of each present element.
    var live: [String: Set<OpID>] = [:]

    /// Creates an empty set.
    public init() {}

    /// The present elements, sorted.
    public var elements: [String] { live.keys.sorted() }

    /// Whether `element` is present.
    public func contains(_ element: String) -> Bool { live[element] != nil }

    /// The live additions of `element`, which a removal names as its parents.
    public func additions(of element: String) -> [OpID] { live[element].map { $0.sorted() } ?? [] }

    /// Applies a new addition tagged `tag`, unless a removal applied earlier already removed it.
    public mutating func add(_ element: String, tag: OpID, isRemoved: Bool) {
        guard !isRemoved else { return }
        live[element, default: []].insert(tag)
    }

    /// Applies a removal of the additions `observed` of `element` (tags of other elements or
    /// fields among them change nothing).
    public mutating func remove(_ element: String, observed: [OpID]) {
        guard var tags = live[element] else { return }
        tags.subtract(observed)
        live[element] = tags.isEmpty ? nil : tags
    }
}
