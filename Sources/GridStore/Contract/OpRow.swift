import GridMerge
import GridModel

/// An op as a row of text and integers, the way both stores keep their op logs: ids, scopes
/// and parents as text, sequences and clocks as signed 64-bit integers with the same bits,
/// and the payload as canonical JSON.
public struct OpRow: Hashable, Sendable {
    /// The writer's replica id, and the op's sequence among its ops.
    public var replica: String
    public var sequence: Int64
    /// The hybrid clock reading's bits.
    public var clock: Int64
    /// The worker who made the edit.
    public var author: String
    /// The record's type key, id and scope.
    public var recordType: String
    public var recordID: String
    public var scope: String
    /// The field written, and what was written, as canonical JSON.
    public var field: String
    public var payload: String
    /// The parents' ids, separated by single spaces.
    public var parents: String

    /// The row of `op`.
    public init(_ op: Op) {
        replica = op.id.replica.description
        sequence = Int64(bitPattern: op.id.sequence)
        clock = Int64(bitPattern: op.clock.rawValue)
        author = op.author.rawValue
        recordType = op.recordType.key
        recordID = op.recordID.description
        scope = op.scope.description
        field = op.field
        payload = CanonicalJSON.text(op.payload)
        parents = op.parents.map(\.description).joined(separator: " ")
    }

    /// A row read back from a store.
    public init(
        replica: String, sequence: Int64, clock: Int64, author: String, recordType: String, recordID: String,
        scope: String, field: String, payload: String, parents: String
    ) {
        self.replica = replica
        self.sequence = sequence
        self.clock = clock
        self.author = author
        self.recordType = recordType
        self.recordID = recordID
        self.scope = scope
        self.field = field
        self.payload = payload
        self.parents = parents
    }

    /// The op this row holds.
    ///
    /// - Throws: ``StoreError/Code/corrupt`` for a row no GridSync wrote.
    public func op() throws -> Op {
        guard let replica = ReplicaID(replica), let author = WorkerID(author),
            let type = RecordType(rawValue: recordType), let record = RecordID(recordID), let scope = GridScope(scope)
        else {
            throw StoreError(.corrupt, "an op row could not be read: the store is damaged; restore it from a backup")
        }
        guard let payload = CanonicalJSON.payload(from: payload) else {
            throw StoreError(
                .corrupt, "an op row's payload could not be read: the store is damaged; restore it from a backup")
        }
        // Split by bytes, not characters: op rows are read for every op sent or merged.
        let parentTexts = parents.utf8.split(separator: UInt8(ascii: " ")).map(Substring.init)
        let parents = parentTexts.compactMap { OpID($0) }
        guard parents.count == parentTexts.count else {
            throw StoreError(
                .corrupt, "an op row names an unreadable parent: the store is damaged; restore it from a backup")
        }
        return Op(
            id: OpID(replica: replica, sequence: UInt64(bitPattern: sequence)),
            clock: HybridTimestamp(rawValue: UInt64(bitPattern: clock)), author: author, recordType: type,
            recordID: record, scope: scope, field: field, payload: payload, parents: parents)
    }
}
