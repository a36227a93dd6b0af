import GridModel

/// A multi-value register: the current value of one field, or several when writes conflict.
///
/// Every write names the writes it replaces (its parents). The **heads** are the writes that
/// no other write names: one head is the normal case; several heads mean the field was
/// written concurrently. They are all kept, and the ``winner`` (latest clock, then highest
/// replica id) is shown until someone settles them with a write that names them all.
/// Concurrent writes of the same value are several heads but not a conflict.
///
/// Heads are the writes seen minus those named as parents, so the result depends only on
/// the set of writes applied, not on their order. A write whose child arrived first is
/// applied as already replaced; ``ReplicaState`` remembers such parents until they arrive.
public struct RegisterState: Hashable, Sendable, Codable {
    /// One write of the register.
    public struct Version: Hashable, Sendable, Codable {
        /// The op that wrote it.
        public let op: OpID
        /// When it was written.
        public let clock: HybridTimestamp
        /// Who wrote it.
        public let author: WorkerID
        /// The value written.
        public let value: FieldValue

        /// Creates a version.
        public init(op: OpID, clock: HybridTimestamp, author: WorkerID, value: FieldValue) {
            self.op = op
            self.clock = clock
            self.author = author
            self.value = value
        }

        /// The version's place in the winner order.
        public var stamp: Op.Stamp { Op.Stamp(clock: clock, op: op) }
    }

    /// The writes that no other write replaces, oldest first; the last is the ``winner``.
    public internal(set) var heads: [Version] = []

    /// Creates an empty register.
    public init() {}

    /// The value shown while heads disagree: the head with the latest clock (then replica id).
    public var winner: Version? { heads.last }

    /// The shown value, or `null` if the register was never written.
    public var value: FieldValue { winner?.value ?? .null }

    /// Whether the heads hold more than one distinct value.
    public var isConflicted: Bool {
        guard let first = heads.first?.value else { return false }
        return heads.contains { $0.value != first }
    }

    /// The ids of the current heads, which a new write names as its parents.
    public var headIDs: [OpID] { heads.map(\.op) }

    /// Applies one new write: it replaces the heads it names as parents, and becomes a head
    /// itself unless a write applied earlier already named it (`isReplaced`).
    public mutating func apply(_ version: Version, parents: [OpID], isReplaced: Bool) {
        if !parents.isEmpty, !heads.isEmpty {
            heads.removeAll { parents.contains($0.op) }
        }
        guard !isReplaced else { return }
        let index = heads.firstIndex { version.stamp < $0.stamp } ?? heads.endIndex
        heads.insert(version, at: index)
    }
}
