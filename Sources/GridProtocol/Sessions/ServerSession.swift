import GridMerge
import GridModel

/// The server side of one connection, as a state machine with no I/O: authenticate, then
/// answer pushes (after committing them) and pulls (filtered to the token's scopes) until
/// the client says goodbye.
public struct ServerSession: Sendable {
    /// What the driver must do next.
    public enum Action: Hashable, Sendable {
        /// Send this message.
        case send(Message)
        /// Check the token for this replica, then call ``authenticated(read:write:)`` or ``authenticationFailed(_:)``.
        case authenticate(replica: ReplicaID, token: String)
        /// Store these ops in one transaction, then call ``pushStored()`` or ``pushRefused(_:)``.
        case storePush(ops: [Op], through: Int64)
        /// Load the ops after `after` in these scopes (at most `limit`), then call ``batchLoaded(ops:through:more:)``.
        case loadBatch(after: Int64, limit: Int, scopes: [GridScope])
        /// Send this message (if any) and close the connection.
        case close(Message?)
    }

    private enum State: Hashable, Sendable {
        case awaitingHello, authenticating, ready, storing(through: Int64), loading, closed
    }

    private var state = State.awaitingHello
    private let replica: ReplicaID
    private let limits: Limits
    private var read: [GridScope] = []
    private var write: [GridScope] = []
    /// The client's replica id, once it has said hello.
    public private(set) var client: ReplicaID?

    /// Creates the session of one new connection to the server `replica`.
    public init(replica: ReplicaID, limits: Limits = .standard) {
        self.replica = replica
        self.limits = limits
    }

    /// Takes a message from the client.
    public mutating func received(_ message: Message) -> Action {
        switch (state, message) {
        case (.awaitingHello, .hello(let version, let client, let token, _)):
            guard version == Message.version else {
                return fail(.version, "this server speaks \(Message.version), not \(version): upgrade the client")
            }
            self.client = client
            state = .authenticating
            return .authenticate(replica: client, token: token)
        case (.ready, .push(let through, let ops)):
            if let outside = ops.first(where: { op in !write.contains { $0.contains(op.scope) } }) {
                // Nothing of the batch is stored; the connection stays open.
                return .send(
                    .error(
                        ProtocolError(
                            .outOfScope,
                            "op \(outside.id) is in \(outside.scope), which this token may not write: nothing of the batch was stored"
                        )))
            }
            state = .storing(through: through)
            return .storePush(ops: ops, through: through)
        case (.ready, .pull(let after, let limit)):
            state = .loading
            return .loadBatch(after: after, limit: min(limit, limits.opsPerBatch), scopes: read)
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

    /// The token is good for these scopes.
    public mutating func authenticated(read: [GridScope], write: [GridScope]) -> Action {
        guard state == .authenticating else { return fail(.internal, "authenticated out of turn") }
        self.read = read
        self.write = write
        state = .ready
        return .send(
            .welcome(
                version: Message.version, replica: replica, read: read, write: write, limits: limits, deflate: false))
    }

    /// The token is wrong, unknown or revoked.
    public mutating func authenticationFailed(_ message: String) -> Action {
        fail(.unauthorized, message)
    }

    /// The pushed ops are committed.
    public mutating func pushStored() -> Action {
        guard case .storing(let through) = state else { return fail(.internal, "push stored out of turn") }
        state = .ready
        return .send(.ack(through: through))
    }

    /// The store refused the pushed ops (none was stored); the connection stays open.
    public mutating func pushRefused(_ error: ProtocolError) -> Action {
        guard case .storing = state else { return fail(.internal, "push refused out of turn") }
        state = .ready
        return error.code.isFatal ? fail(error.code, error.message) : .send(.error(error))
    }

    /// The ops for a pull are loaded.
    public mutating func batchLoaded(ops: [Op], through: Int64, more: Bool) -> Action {
        guard state == .loading else { return fail(.internal, "batch loaded out of turn") }
        state = .ready
        return .send(.batch(through: through, more: more, ops: ops))
    }

    private mutating func fail(_ code: ProtocolError.Code, _ message: String) -> Action {
        state = .closed
        return .close(.error(ProtocolError(code, message)))
    }
}
