import GridModel

/// A replica held in memory: its identity, clock, op log and merged state.
///
/// It writes ops for local edits (numbering them, stamping them, naming their parents) and
/// merges ops received from peers. Every method either does all of its work or, when it
/// throws, none of it. The SQLite replica of `GridStore` follows the same rules against its
/// tables; this type is the reference it is tested against, and what simulations drive.
public struct Replica: Sendable {
    /// Writes this replica's ops: its id, worker, clock and sequence.
    public private(set) var writer: OpWriter
    /// Every op this replica holds, in the order it stored them (its local sequence).
    public private(set) var ops: [Op] = []
    /// The merged state of those ops.
    public private(set) var state = ReplicaState()

    /// Creates an empty replica.
    public init(id: ReplicaID, author: WorkerID, clock: HybridClock) {
        writer = OpWriter(replica: id, author: author, clock: clock)
    }

    /// The replica's identity.
    public var id: ReplicaID { writer.replica }
    /// The worker account whose edits this replica records.
    public var author: WorkerID { writer.author }
    /// The replica's hybrid logical clock.
    public var clock: HybridClock { writer.clock }
    /// The sequence number of the last op this replica wrote.
    public var lastSequence: UInt64 { writer.lastSequence }

    /// Creates a record with its first values (see ``OpWriter/create(_:id:in:_:into:)``).
    @discardableResult
    public mutating func create(
        _ type: RecordType, id recordID: RecordID, in scope: GridScope, _ edits: [Edit]
    ) throws(MergeError) -> [Op] {
        let written = try inMemory { replica throws in
            try replica.writer.create(type, id: recordID, in: scope, edits, into: &replica.state)
        }
        ops += written
        return written
    }

    /// Applies one edit to an existing record (see ``OpWriter/edit(_:_:into:)``).
    @discardableResult
    public mutating func edit(_ recordID: RecordID, _ edit: Edit) throws(MergeError) -> Op {
        let op = try inMemory { replica throws in try replica.writer.edit(recordID, edit, into: &replica.state) }
        ops.append(op)
        return op
    }

    /// Merges an op received from a peer.
    ///
    /// - Returns: `false` if this replica already held the op.
    /// - Throws: ``MergeError/Code/clockTooFarAhead`` if the op's clock is too far ahead of
    ///   this replica's wall clock, or any error of ``ReplicaState/apply(_:)``; nothing changes.
    @discardableResult
    public mutating func receive(_ op: Op) throws(MergeError) -> Bool {
        guard !state.contains(op.id) else { return false }
        var nextWriter = writer
        try nextWriter.observe(op.clock)
        try state.apply(op)
        writer = nextWriter
        ops.append(op)
        return true
    }

    /// Runs authoring against the in-memory state, in place (copying the replica would copy its state).
    private mutating func inMemory<T>(_ body: (inout Replica) throws -> T) throws(MergeError) -> T {
        try mergeErrorsOnly { try body(&self) }
    }
}
