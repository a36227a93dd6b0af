import GridMerge
import GridModel

/// The server side of one connection, as a state machine with no I/O: authenticate, then
/// answer pushes (after committing them) and pulls (filtered to the token's scopes) until
/// the client says goodbye.
///
/// The driver (the daemon's connection handler, or a test) feeds it the messages it reads
/// and the results of the work it asked for, and performs the ``Action`` it returns.
public struct ServerSession: Sendable {
    /// What the driver must do next.
    public enum Action: Hashable, Sendable {
        /// Send this message.
        case send(Message)
        /// Check the token for this replica, then call ``authenticated(_:)`` or ``authenticationFailed(_:)``.
        case authenticate(replica: ReplicaID, token: String)
        /// Admit these ops, the client's own next ones up to its sequence `through`, then call
        /// ``pushStored()`` or ``pushRefused(_:)``.
        case storePush(ops: [Op], through: Int64, client: ReplicaID)
        /// Take back these ops, which a laptop held before it met this server restored from a
        /// backup (any replica's, in the laptop's order), then call ``pushStored()`` or
        /// ``pushRefused(_:)``.
        case storeReturn(ops: [Op], through: Int64, client: ReplicaID)
        /// Load the ops after `after` in these scopes, except the client's own (at most
        /// `limit`), then call ``batchLoaded(ops:through:more:)``.
        case loadBatch(after: Int64, limit: Int, scopes: [GridScope], client: ReplicaID)
        /// Load the client's own ops after the sequence `after` (at most `limit`), then call
        /// ``batchLoaded(ops:through:more:)`` with the last one's sequence as `through`.
        case loadOwn(after: Int64, limit: Int, client: ReplicaID)
        /// Answer this file message (`ASK`, `OFFER`, `CHUNK`, `FETCH` or `STAT`, gridsync/4) of a
        /// client that may read `read` and write `write`, then call ``fileAnswered()``: send the
        /// answer (`HELD`, `HAVE`, `WANT`, `CHUNK` of at most `chunkBytes`, `SIZE`, or a non-fatal `ERR`).
        case answerFile(Message, read: [GridScope], write: [GridScope], chunkBytes: Int)
        /// Send this message (if any) and close the connection.
        case close(Message?)
    }

    /// What an accepted token grants the connection.
    public struct Grant: Hashable, Sendable {
        /// The worker every pushed op must name as its author.
        public var worker: WorkerID
        /// The scopes whose ops the client may pull.
        public var read: [GridScope]
        /// The scopes in which the client may push ops.
        public var write: [GridScope]

        /// Creates a grant.
        public init(worker: WorkerID, read: [GridScope], write: [GridScope]) {
            self.worker = worker
            self.read = read
            self.write = write
        }
    }

    /// The authenticated client: its replica, what its token grants, and the version it speaks.
    private struct Peer: Hashable, Sendable {
        var client: ReplicaID
        var grant: Grant
        var version: ProtocolVersion
    }

    /// Where the session is, with what each step knows.
    private enum State: Hashable, Sendable {
        case awaitingHello
        case authenticating(client: ReplicaID, deflate: Bool, version: ProtocolVersion)
        case ready(Peer)
        case storing(Peer, through: Int64)
        case loading(Peer, after: Int64, own: Bool)
        case answeringFile(Peer)
        case closed
    }

    private var state = State.awaitingHello
    private let replica: ReplicaID
    private let lineage: [ReplicaID]
    private let limits: Limits
    private let compression: Bool

    /// Creates the session of one new connection to the server `replica` (which continues
    /// the replicas of `lineage`), which compresses the connection if the client asks and
    /// `compression` allows.
    public init(replica: ReplicaID, lineage: [ReplicaID] = [], limits: Limits = .standard, compression: Bool = true) {
        self.replica = replica
        self.lineage = lineage
        self.limits = limits
        self.compression = compression
    }

    /// The client's replica id, once it has said hello.
    public var client: ReplicaID? {
        switch state {
        case .awaitingHello, .closed: nil
        case .authenticating(let client, _, _): client
        case .ready(let peer), .storing(let peer, _), .loading(let peer, _, _), .answeringFile(let peer): peer.client
        }
    }

    /// Whether the session is between messages, so that closing loses no work in flight.
    public var isIdle: Bool {
        switch state {
        case .awaitingHello, .ready: true
        default: false
        }
    }

    /// Whether the connection is over.
    public var isClosed: Bool { state == .closed }

    /// Takes a message from the client.
    public mutating func received(_ message: Message) -> Action {
        switch (state, message) {
        case (.awaitingHello, .hello(let version, let client, let token, let deflate)):
            guard let spoken = ProtocolVersion(rawValue: version) else {
                let names = ProtocolVersion.allCases.map(\.rawValue)
                let known = names.dropLast().joined(separator: ", ") + " and " + names.last!
                return fail(.version, "this server speaks \(known), not \(version): upgrade the laptop's gridsync")
            }
            // The server's own ids are nobody's laptop: pushing or recovering as one would write
            // or read the server's own ops.
            guard client != replica, !lineage.contains(client) else {
                return fail(
                    .unauthorized,
                    "replica \(client) is this server's own id: a laptop has its own; run gridsync init on a new one")
            }
            state = .authenticating(client: client, deflate: deflate && compression, version: spoken)
            return .authenticate(replica: client, token: token)
        case (.ready(let peer), .push(let through, let ops)):
            if let refusal = refusal(of: ops, from: peer) { return refuse(refusal) }
            state = .storing(peer, through: through)
            return .storePush(ops: ops, through: through, client: peer.client)
        case (.ready(let peer), .giveBack(let through, let ops)):
            if let refusal = refusal(of: ops, from: peer, givenBack: true) { return refuse(refusal) }
            state = .storing(peer, through: through)
            return .storeReturn(ops: ops, through: through, client: peer.client)
        case (.ready(let peer), .pull(let after, let limit)):
            state = .loading(peer, after: after, own: false)
            return .loadBatch(
                after: after, limit: min(limit, limits.opsPerBatch), scopes: peer.grant.read, client: peer.client)
        case (.ready(let peer), .recover(let after, let limit)):
            state = .loading(peer, after: after, own: true)
            return .loadOwn(after: after, limit: min(limit, limits.opsPerBatch), client: peer.client)
        case (.ready(let peer), .offer), (.ready(let peer), .chunk), (.ready(let peer), .fetch),
            (.ready(let peer), .stat), (.ready(let peer), .ask):
            // Files came with gridsync/4: to an older client's version, these lines are not messages.
            guard peer.version >= .gridsync4 else {
                return fail(
                    .malformedLine, "\(message.lines[0].prefix(5)) is not a message of \(peer.version.rawValue)")
            }
            state = .answeringFile(peer)
            return .answerFile(
                message, read: peer.grant.read, write: peer.grant.write, chunkBytes: limits.fileChunkBytes)
        case (.ready, .bye):
            state = .closed
            return .close(.bye)
        case (_, .error):
            state = .closed
            return .close(nil)
        default:
            return fail(.malformedLine, "\(message.lines[0].prefix(20)) was not expected now")
        }
    }

    /// Why a pushed or given-back batch is refused as a whole, if it is: nothing of it is
    /// stored, and the connection stays open. The client's own ops must be its worker's and
    /// lie in the write scopes; in a give-back, others' ops must lie in the read scopes (the
    /// client cannot have received others) and never be the server's own.
    private func refusal(of ops: [Op], from peer: Peer, givenBack: Bool = false) -> ProtocolError? {
        let (client, grant) = (peer.client, peer.grant)
        var seen = Set<OpID>()
        for op in ops {
            // A client of an older version cannot have written, or received, what that version has not.
            guard peer.version.carries(op) else {
                return ProtocolError(
                    .malformedOp,
                    "op \(op.id) edits \(op.recordType.key) \(op.field), which \(peer.version.rawValue) has not: "
                        + "nothing of the batch was stored")
            }
            if op.id.replica == client || !givenBack {
                guard op.id.replica == client, op.author == grant.worker else {
                    return ProtocolError(
                        .wrongWriter,
                        "op \(op.id) was written by replica \(op.id.replica) for \(op.author), but this connection is "
                            + "replica \(client) for \(grant.worker): push only your own ops; nothing of the batch was "
                            + "stored")
                }
                guard grant.write.covers(op.scope) else {
                    return ProtocolError(
                        .outOfScope,
                        "op \(op.id) is in \(op.scope), which this token may not write: nothing of the batch was stored"
                    )
                }
                let officeWrites = grant.write.contains { $0.grid == nil && $0.contains(op.scope) }
                guard !op.recordType.isReference || officeWrites else {
                    return ProtocolError(
                        .outOfScope,
                        "op \(op.id) edits a \(op.recordType.key) of the street's reference data, which the office "
                            + "keeps (a token that may write all of \(op.scope.community)): nothing of the batch was stored"
                    )
                }
            } else {
                guard op.id.replica != replica else {
                    return ProtocolError(
                        .wrongWriter, "op \(op.id) is this server's own: nothing of the batch was stored")
                }
                guard grant.read.reads(op.recordType, in: op.scope) else {
                    return ProtocolError(
                        .outOfScope,
                        "op \(op.id) is in \(op.scope), which this token may not read: nothing of the batch was stored")
                }
            }
            guard seen.insert(op.id).inserted else {
                return ProtocolError(
                    .duplicateOp, "op \(op.id) appears twice in one batch: nothing of the batch was stored")
            }
        }
        return nil
    }

    /// The answer to a file message is ready: send it.
    public mutating func fileAnswered(_ answer: Message) -> Action {
        guard case .answeringFile(let peer) = state else {
            return fail(.internal, "a file's answer came when none was asked for")
        }
        state = .ready(peer)
        return .send(answer)
    }

    /// The token is good: answer with what it grants, how far the server's op log holds the
    /// client's own ops (`heldThrough`, a sequence), the server's clock (milliseconds since
    /// 1970), which the client corrects its own by, and the server's lineage.
    public mutating func authenticated(_ grant: Grant, heldThrough: Int64, serverTime: Int64, lineage: [ReplicaID] = [])
        -> Action
    {
        guard case .authenticating(let client, let deflate, let version) = state else {
            return fail(.internal, "authenticated out of turn")
        }
        state = .ready(Peer(client: client, grant: grant, version: version))
        return .send(
            .welcome(
                version: version.rawValue, replica: replica, read: grant.read, write: grant.write, limits: limits,
                heldThrough: heldThrough, serverTime: serverTime, lineage: lineage, deflate: deflate))
    }

    /// The token is wrong, unknown or revoked.
    public mutating func authenticationFailed(_ message: String) -> Action {
        fail(.unauthorized, message)
    }

    /// The pushed ops are committed.
    public mutating func pushStored() -> Action {
        guard case .storing(let peer, let through) = state else { return fail(.internal, "push stored out of turn") }
        state = .ready(peer)
        return .send(.ack(through: through))
    }

    /// The store refused the pushed ops (none was stored); the connection stays open
    /// unless the error is fatal.
    public mutating func pushRefused(_ error: ProtocolError) -> Action {
        guard case .storing(let peer, _) = state else { return fail(.internal, "push refused out of turn") }
        state = .ready(peer)
        return refuse(error)
    }

    /// The ops for a pull are loaded. A batch too big for one message is loaded again, smaller.
    /// A client of an older version is sent only the ops it can read (``ProtocolVersion/carries(_:)``).
    public mutating func batchLoaded(ops: [Op], through: Int64, more: Bool) -> Action {
        guard case .loading(let peer, let after, let own) = state else {
            return fail(.internal, "batch loaded out of turn")
        }
        let batch = Message.batch(through: through, more: more, ops: ops.filter(peer.version.carries))
        if ops.count > 1, batch.textByteCount > limits.messageBytes {
            return own
                ? .loadOwn(after: after, limit: ops.count / 2, client: peer.client)
                : .loadBatch(after: after, limit: ops.count / 2, scopes: peer.grant.read, client: peer.client)
        }
        state = .ready(peer)
        return .send(batch)
    }

    /// The connection must end: reading failed, a deadline passed, the server is stopping or
    /// full, or the client may not have more connections. Tell it why, and close.
    public mutating func close(with error: ProtocolError) -> Action {
        fail(error.code, error.message)
    }

    /// Refuses a batch: the connection stays open, unless the error is fatal.
    private mutating func refuse(_ error: ProtocolError) -> Action {
        error.code.isFatal ? fail(error.code, error.message) : .send(.error(error))
    }

    private mutating func fail(_ code: ProtocolError.Code, _ message: String) -> Action {
        state = .closed
        return .close(.error(ProtocolError(code, message)))
    }
}
