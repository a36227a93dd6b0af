import GridMerge
import GridModel

/// The client side of one sync, as a state machine with no I/O: push every op of the
/// client's after the server's cursor for it, then pull every op in the client's scopes,
/// then say goodbye.
///
/// The driver (the network client, or a test) feeds it the messages it receives and the
/// results of the store work it asked for, and performs the ``Action`` it returns.
public struct ClientSession: Sendable {
    /// What the driver must do next.
    public enum Action: Hashable, Sendable {
        /// Send this message.
        case send(Message)
        /// Read the client's pull cursor for this server, then call ``cursorRead(pulledThrough:)``.
        case readCursor(server: ReplicaID)
        /// Load the client's ops after this local sequence (at most `limit`), then call ``pushLoaded(ops:through:more:)``.
        case loadPush(after: Int64, limit: Int)
        /// Record that the server holds the client's ops up to `through`, then call ``pushMarked()``.
        case markPushed(through: Int64)
        /// Store these pulled ops with the server's cursor `through`, in one transaction, then call ``pulledStored()``.
        case storePulled(ops: [Op], through: Int64)
        /// The sync is over: close the connection.
        case finished(Summary)
        /// Send this error and close the connection.
        case fail(ProtocolError)
        /// The server sent this error: close the connection and report it.
        case refused(ProtocolError)
    }

    /// What a finished sync moved.
    public struct Summary: Hashable, Sendable {
        /// Ops pushed to the server.
        public var pushed = 0
        /// Ops pulled from the server.
        public var pulled = 0
        /// Why the server refused this client's ops, if it did: they stay in the client's
        /// replica, unsent, and the pull went on.
        public var pushRefusal: ProtocolError?

        /// Creates a summary of nothing moved yet.
        public init() {}
    }

    private enum State: Hashable, Sendable {
        case start, awaitingWelcome, readingCursor, loadingPush, awaitingAck(through: Int64, more: Bool, count: Int),
            markingPush(
                more: Bool)
        case awaitingBatch, storingPull(through: Int64, more: Bool), awaitingBye, done
    }

    private var state = State.start
    private let replica: ReplicaID
    private let token: String
    private let deflate: Bool
    private let pullFromStart: Bool
    private var pushedThrough: Int64 = 0
    private var pulledThrough: Int64 = 0
    private var pushLimit = Limits.standard.opsPerBatch
    /// The limits the server announced (the standard ones until it has).
    public private(set) var limits = Limits.standard
    /// The server's replica id, once it has said hello.
    public private(set) var server: ReplicaID?
    /// Whether the server agreed to compress the rest of the connection.
    public private(set) var isCompressed = false
    /// What this sync moved so far.
    public private(set) var summary = Summary()

    /// Creates a session for the replica `replica`, asking for compression if `deflate`.
    /// Pushing resumes where the server says it stands; pulling, after the client's stored
    /// cursor for that server, or from the start if `pullFromStart` (after the server was
    /// restored from a backup, its numbering may have gone back).
    public init(replica: ReplicaID, token: String, deflate: Bool = true, pullFromStart: Bool = false) {
        self.replica = replica
        self.token = token
        self.deflate = deflate
        self.pullFromStart = pullFromStart
    }

    /// Opens the exchange.
    public mutating func start() -> Action {
        guard state == .start else { return unexpected("start") }
        state = .awaitingWelcome
        return .send(.hello(version: Message.version, replica: replica, token: token, deflate: deflate))
    }

    /// Takes a message from the server.
    public mutating func received(_ message: Message) -> Action {
        switch (state, message) {
        case (.awaitingAck, .error(let error)) where !error.code.isFatal:
            // The server refused this batch as a whole. The ops stay here; pulling goes on,
            // so the worker still receives everyone else's records.
            summary.pushRefusal = error
            state = .awaitingBatch
            return .send(.pull(after: pulledThrough, limit: limits.opsPerBatch))
        case (_, .error(let error)):
            state = .done
            return .refused(error)
        case (.awaitingWelcome, .welcome(let version, let server, _, _, let limits, let receivedThrough, let deflate)):
            guard version == Message.version else {
                return fail(
                    .version, "the server speaks \(version), this client \(Message.version): upgrade one of them")
            }
            guard !deflate || self.deflate else {
                return fail(.malformedLine, "the server compresses, but this client did not ask it to")
            }
            self.server = server
            self.limits = limits
            isCompressed = deflate
            pushLimit = limits.opsPerBatch
            pushedThrough = receivedThrough
            state = .readingCursor
            return .readCursor(server: server)
        case (.awaitingAck(let through, let more, let count), .ack(let acknowledged)):
            guard acknowledged == through else {
                return fail(.malformedLine, "the server acknowledged \(acknowledged), but \(through) was pushed")
            }
            pushedThrough = through
            summary.pushed += count
            state = .markingPush(more: more)
            return .markPushed(through: through)
        case (.awaitingBatch, .batch(let through, let more, let ops)):
            guard through >= pulledThrough, !more || through > pulledThrough, ops.count <= limits.opsPerBatch else {
                return fail(
                    .badCount, "the server's batch goes back to \(through), does not move on, or is over the limit")
            }
            state = .storingPull(through: through, more: more)
            summary.pulled += ops.count
            return .storePulled(ops: ops, through: through)
        case (.awaitingBye, .bye):
            state = .done
            return .finished(summary)
        default:
            return unexpected("\(message.lines[0].prefix(20))")
        }
    }

    /// The client's pull cursor for the server, as stored.
    public mutating func cursorRead(pulledThrough: Int64) -> Action {
        guard state == .readingCursor else { return unexpected("cursorRead") }
        self.pulledThrough = pullFromStart ? 0 : pulledThrough
        state = .loadingPush
        return .loadPush(after: pushedThrough, limit: pushLimit)
    }

    /// The client's ops loaded for a push.
    public mutating func pushLoaded(ops: [Op], through: Int64, more: Bool) -> Action {
        guard state == .loadingPush else { return unexpected("pushLoaded") }
        if ops.isEmpty {
            // Nothing of ours to send in this stretch: move past it without asking the server,
            // and without a write: the stretch holds none of our ops to count as unsent.
            pushedThrough = max(pushedThrough, through)
            state = .markingPush(more: more)
            return pushMarked()
        }
        let push = Message.push(through: through, ops: ops)
        if ops.count > 1, push.textByteCount > limits.messageBytes {
            // Too big for one message: load fewer ops.
            pushLimit = ops.count / 2
            return .loadPush(after: pushedThrough, limit: pushLimit)
        }
        state = .awaitingAck(through: through, more: more, count: ops.count)
        return .send(push)
    }

    /// The acknowledgement is stored.
    public mutating func pushMarked() -> Action {
        guard case .markingPush(let more) = state else { return unexpected("pushMarked") }
        if more {
            state = .loadingPush
            return .loadPush(after: pushedThrough, limit: pushLimit)
        }
        state = .awaitingBatch
        return .send(.pull(after: pulledThrough, limit: limits.opsPerBatch))
    }

    /// The pulled ops and cursor are stored.
    public mutating func pulledStored() -> Action {
        guard case .storingPull(let through, let more) = state else { return unexpected("pulledStored") }
        pulledThrough = through
        if more {
            state = .awaitingBatch
            return .send(.pull(after: pulledThrough, limit: limits.opsPerBatch))
        }
        state = .awaitingBye
        return .send(.bye)
    }

    /// Reading from the server failed: tell it why, and close.
    public mutating func readFailed(_ error: ProtocolError) -> Action {
        fail(error.code, error.message)
    }

    private mutating func fail(_ code: ProtocolError.Code, _ message: String) -> Action {
        state = .done
        return .fail(ProtocolError(code, message))
    }

    private mutating func unexpected(_ what: String) -> Action {
        fail(.malformedLine, "\(what) was not expected by the client now (\(state))")
    }
}
