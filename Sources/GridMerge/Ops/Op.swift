import GridModel

/// One edit of one field of one record, as written by one replica: the unit that is stored,
/// synced and merged.
///
/// `parents` are the ops this op was written on top of. For a register write, they are the
/// heads of the field that the writer saw (a write that names every head settles a
/// conflict); for a set removal, the additions of the element that the writer saw. Every op
/// also names the record's current "liveness" heads (see ``RecordState``), so that a delete
/// made concurrently with an edit is detected as a conflict.
public struct Op: Hashable, Sendable {
    /// The op's identity: writer replica and its sequence number.
    public let id: OpID
    /// When the op was written, by the writer's hybrid logical clock.
    public let clock: HybridTimestamp
    /// The worker account that wrote it.
    public let author: WorkerID
    /// The type of the record edited.
    public let recordType: RecordType
    /// The record edited.
    public let recordID: RecordID
    /// The grid (or community) the record belongs to; fixed when the record is created.
    public let scope: GridScope
    /// The field edited.
    public let field: String
    /// What the op does to the field.
    public let payload: OpPayload
    /// The ops this one was written on top of, sorted and without duplicates.
    public let parents: [OpID]

    /// Creates an op. Parents are sorted and deduplicated, so equal ops are equal values.
    public init(
        id: OpID, clock: HybridTimestamp, author: WorkerID, recordType: RecordType, recordID: RecordID,
        scope: GridScope, field: String, payload: OpPayload, parents: [OpID] = []
    ) {
        self.id = id
        self.clock = clock
        self.author = author
        self.recordType = recordType
        self.recordID = recordID
        self.scope = scope
        self.field = field
        self.payload = payload
        self.parents = Array(Set(parents)).sorted()
    }

    /// The order in which ops of one log, and the heads of one register, are shown:
    /// by clock, then by replica id. Two ops never tie, because a replica's clock never repeats.
    public var stamp: Stamp { Stamp(clock: clock, op: id) }

    /// Checks that the op fits its record type's schema: the field exists, the payload is of
    /// the field's merge kind, and every value is canonical and allowed; and that a reference
    /// record's key is the one its id was made from.
    public func validate() throws(MergeError) {
        do {
            try payload.validate(field: field, of: recordType)
        } catch {
            throw MergeError(
                .invalidOp, "op \(id) on \(recordType.key) \(recordID): \(error.message)",
                validation: error.validation)
        }
        // Stores keep sequences in signed 64-bit integers (SQLite, PostgreSQL).
        guard id.sequence <= UInt64(Int64.max), parents.allSatisfy({ $0.sequence <= UInt64(Int64.max) }) else {
            throw MergeError(
                .invalidOp, "op \(id) has a sequence number above 2^63 - 1: the replica that wrote it is faulty")
        }
        if parents.contains(id) {
            throw MergeError(.invalidOp, "op \(id) names itself as a parent")
        }
        // A reference record's id is its key's: another id would make a second record of the
        // same compound (or worker), which every table would then show twice.
        if recordType.isReference, field == RecordSchema.keyField, case .assign(.text(let key)) = payload,
            recordID != RecordID(reference: recordType, key: key)
        {
            throw MergeError(
                .invalidOp,
                "op \(id) gives \(recordType.key) \(recordID) the key \(key), whose record is "
                    + "\(RecordID(reference: recordType, key: key)): a \(recordType.key)'s id comes from its key")
        }
    }
}

extension Op {
    /// A total order of ops for display and winners: clock first, then replica id (and, only
    /// for a faulty replica that repeated a clock reading, sequence).
    public struct Stamp: Hashable, Comparable, Sendable {
        /// The op's clock reading.
        public let clock: HybridTimestamp
        /// The op, whose writer breaks ties between equal readings.
        public let op: OpID

        public static func < (lhs: Stamp, rhs: Stamp) -> Bool {
            (lhs.clock, lhs.op.replica, lhs.op.sequence) < (rhs.clock, rhs.op.replica, rhs.op.sequence)
        }
    }
}
