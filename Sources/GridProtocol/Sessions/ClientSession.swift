import GridMerge
import GridModel

/// The client side of one sync, as a state machine with no I/O: make sure the client's own
/// history is the server's (get back lost ops, take a new identity after a copy), give own
/// ops from a wrong clock sane readings, push every own op the server lacks, then pull every
/// op in the client's scopes, then say goodbye.
///
/// The driver (the network client, or a test) feeds it the messages it receives and the
/// results of the store work it asked for, and performs the ``Action`` it returns.
public struct ClientSession: Sendable {
    /// What the driver must do next.
    public enum Action: Hashable, Sendable {
        /// Send this message.
        case send(Message)
        /// Read this replica's cursors for this server, and, if the server continues the
        /// history of one this replica synced with (it was restored from a backup), what this
        /// replica still has to give back to it; then call
        /// ``cursorRead(pulledThrough:pushedThrough:giveBack:)``.
        case readCursor(server: ReplicaID, lineage: [ReplicaID])
        /// Compare the server's copies of the client's own ops with the client's, store those
        /// it lacks, then call ``reconciled(stored:differing:)``.
        case reconcile(ops: [Op])
        /// Give up the client's identity: the server's copies replace the client's ops under
        /// the same ids, and its own ops above `heldThrough` are issued again under a new
        /// identity; then call ``reissued(as:count:)``.
        case reissue(replacing: [Op], above: Int64)
        /// Give the client's own ops above `after` stamped after `beyond` new clock readings,
        /// then call ``restamped(count:shift:)``.
        case restamp(after: Int64, beyond: HybridTimestamp)
        /// Load the ops the client stored after its local sequence `after`, any replica's (at
        /// most `limit`), then call ``giveBackLoaded(ops:through:more:)``.
        case loadGiveBack(after: Int64, limit: Int)
        /// Record that the restored server took back the client's ops up to its local sequence
        /// `through`, then call ``giveBackMarked()``.
        case markGivenBack(through: Int64)
        /// Load the client's own ops after this sequence (at most `limit`), then call ``pushLoaded(ops:)``.
        case loadPush(after: Int64, limit: Int)
        /// Record that the server holds the client's own ops up to the sequence `through`, then call ``pushMarked()``.
        case markPushed(through: Int64)
        /// Store these pulled ops with the server's cursor `through`, in one transaction, then call ``pulledStored()``.
        case storePulled(ops: [Op], through: Int64)
        /// Move the files: run a ``FileExchange`` over the connection (gridsync/4: the files
        /// this replica's records name that one side lacks), then call ``filesExchanged(_:)``.
        case exchangeFiles
        /// The sync is over: close the connection.
        case finished(Summary)
        /// Send this error and close the connection.
        case fail(ProtocolError)
        /// The server sent this error: close the connection and report it.
        case refused(ProtocolError)
    }

    /// What a finished sync moved and repaired.
    public struct Summary: Hashable, Sendable {
        /// Ops pushed to the server.
        public var pushed = 0
        /// Ops pulled from the server.
        public var pulled = 0
        /// Why the server refused this client's ops, if it did: they stay in the client's
        /// replica, unsent, and the pull went on.
        public var pushRefusal: ProtocolError?
        /// The client's own ops it had lost (a restored backup) and got back from the server.
        public var recovered = 0
        /// Own ops given new clock readings before they were pushed, and how far the first moved back (ms).
        public var restamped = 0, restampShift: Int64 = 0
        /// The identity the client took after its numbering collided with the server's, and
        /// how many of its ops it issued again under it: the client must sync again as it.
        public var newIdentity: ReplicaID?, reissued = 0
        /// Ops given back to a server restored from a backup (it skipped those it held).
        public var givenBack = 0
        /// Why the restored server would not take back what the client gave, if it refused.
        public var giveBackRefusal: ProtocolError?
        /// The files sent and received after the ops.
        public var files = FileExchange.Summary()

        /// Creates a summary of nothing moved yet.
        public init() {}
    }

    private enum State: Hashable, Sendable {
        case start, awaitingWelcome, readingCursor
        case awaitingRecovered(after: Int64), reconciling(through: Int64, more: Bool), reissuing, restamping
        case loadingGiveBack, awaitingGiveBackAck(through: Int64, more: Bool, count: Int), markingGiveBack(more: Bool)
        case markingRecovered, loadingPush, awaitingAck(through: Int64, count: Int), markingPush
        case awaitingBatch, storingPull(through: Int64, more: Bool), exchangingFiles, awaitingBye, done
    }

    /// How far into the server's future an own op may be stamped before it is restamped:
    /// enough for the error of measuring the server's clock over a slow link.
    public static let restampMargin: Int64 = 60_000

    private var state = State.start
    private let replica: ReplicaID
    private let token: String
    private let deflate: Bool
    private let pullFromStart: Bool
    private var heldThrough: Int64 = 0
    private var serverTime: Int64 = 0
    private var pushedThrough: Int64 = 0
    private var pulledThrough: Int64 = 0
    private var collisions: [Op] = []
    private var giveBackAfter: Int64?
    private var giveBackUntil: Int64 = 0
    private var readScopes: [GridScope] = []
    private var giveBackLimit = Limits.standard.opsPerBatch
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
    /// cursor for that server, or from the start if `pullFromStart`.
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
        case (.awaitingGiveBackAck, .error(let error)) where error.code == .diskFull:
            // The server can store nothing now. What it has not taken back stays to be given
            // back at the next sync, and the client's own ops, written on top of it, wait too;
            // pulling goes on.
            summary.pushRefusal = error
            return startPulling()
        case (.awaitingGiveBackAck, .error(let error)) where !error.code.isFatal:
            // The restored server will not take these back (written after the restore, the
            // window is over, or one is not what it claims): they stay here, the worker is
            // told, and the give-back ends so that it never stands in the way of pushing.
            summary.giveBackRefusal = error
            state = .markingGiveBack(more: false)
            return .markGivenBack(through: giveBackUntil)
        case (.awaitingAck, .error(let error)) where !error.code.isFatal:
            // The server refused this batch as a whole. The ops stay here; pulling goes on,
            // so the worker still receives everyone else's records.
            summary.pushRefusal = error
            return startPulling()
        case (_, .error(let error)):
            state = .done
            return .refused(error)
        case (
            .awaitingWelcome,
            .welcome(
                let version, let server, let read, _, let limits, let heldThrough, let serverTime, let lineage,
                let deflate)
        ):
            guard version == Message.version else {
                return fail(
                    .version,
                    "the server answered in \(version), this laptop asked for \(Message.version): upgrade one of them")
            }
            guard !deflate || self.deflate else {
                return fail(.malformedLine, "the server compresses, but this client did not ask it to")
            }
            self.server = server
            self.limits = limits
            isCompressed = deflate
            pushLimit = limits.opsPerBatch
            self.heldThrough = heldThrough
            self.serverTime = serverTime
            readScopes = read
            giveBackLimit = limits.opsPerBatch
            state = .readingCursor
            return .readCursor(server: server, lineage: lineage)
        case (.awaitingRecovered(let after), .batch(let through, let more, let ops)):
            let sequences = ops.map { Int64($0.id.sequence) }
            guard through >= after, !more || through > after, ops.count <= limits.opsPerBatch,
                ops.allSatisfy({ $0.id.replica == replica }), zip([after] + sequences, sequences).allSatisfy(<),
                sequences.last.map({ $0 == through }) ?? true
            else {
                return fail(
                    .badCount,
                    "the server's copies of this replica's ops are not its own, not in order after \(after), "
                        + "or do not end at \(through)")
            }
            // Only up to what WELCOME said the server holds: ops the server took since (another
            // copy pushing meanwhile, or given back after a restore) are compared next time.
            // Stored here now, they would count as this replica's unsent work if it reissues.
            let kept = ops.filter { Int64($0.id.sequence) <= heldThrough }
            let done = through >= heldThrough || kept.count < ops.count
            state = .reconciling(through: min(through, heldThrough), more: more && !done)
            return .reconcile(ops: kept)
        case (.awaitingGiveBackAck(let through, let more, let count), .ack(let acknowledged)):
            guard acknowledged == through else {
                return fail(.malformedLine, "the server acknowledged \(acknowledged), but \(through) was given back")
            }
            summary.givenBack += count
            giveBackAfter = through
            state = .markingGiveBack(more: more)
            return .markGivenBack(through: through)
        case (.awaitingAck(let through, let count), .ack(let acknowledged)):
            guard acknowledged == through else {
                return fail(.malformedLine, "the server acknowledged \(acknowledged), but \(through) was pushed")
            }
            pushedThrough = through
            summary.pushed += count
            state = .markingPush
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

    /// The client's cursors for the server, as stored: where it pulled to, up to which of
    /// its own ops the server acknowledged, and, for a server restored from a backup, the
    /// local sequences whose ops it still has to give back (`nil`: nothing to give).
    ///
    /// If the server holds more of this replica's ops than it ever acknowledged, the data
    /// folder was restored from a backup or copied (or an acknowledgement was lost): the
    /// client asks for the server's copies and compares them with its own before it pushes.
    public mutating func cursorRead(
        pulledThrough: Int64, pushedThrough: Int64, giveBack: ClosedRange<Int64>? = nil
    ) -> Action {
        guard state == .readingCursor else { return unexpected("cursorRead") }
        self.pulledThrough = pullFromStart ? 0 : pulledThrough
        self.pushedThrough = pushedThrough
        giveBackAfter = giveBack.map { $0.lowerBound - 1 }
        giveBackUntil = giveBack?.upperBound ?? 0
        guard heldThrough > pushedThrough else { return startPushing() }
        state = .awaitingRecovered(after: pushedThrough)
        return .send(.recover(after: pushedThrough, limit: limits.opsPerBatch))
    }

    /// The server's copies are compared: `stored` were missing here and are stored now,
    /// `differing` hold other content than this replica's ops of the same ids.
    public mutating func reconciled(stored: Int, differing: [Op]) -> Action {
        guard case .reconciling(let through, let more) = state else { return unexpected("reconciled") }
        summary.recovered += stored
        collisions += differing
        if more {
            state = .awaitingRecovered(after: through)
            return .send(.recover(after: through, limit: limits.opsPerBatch))
        }
        guard collisions.isEmpty else {
            state = .reissuing
            return .reissue(replacing: collisions, above: heldThrough)
        }
        // The server holds every own op up to held-through, as this replica does now.
        pushedThrough = heldThrough
        state = .markingRecovered
        return .markPushed(through: heldThrough)
    }

    /// The client gave up its identity and issued `count` ops again as `newReplica`. This
    /// connection speaks for the former identity, so it ends here; the next sync, under
    /// the new identity, pushes and pulls.
    public mutating func reissued(as newReplica: ReplicaID, count: Int) -> Action {
        guard state == .reissuing else { return unexpected("reissued") }
        summary.newIdentity = newReplica
        summary.reissued = count
        state = .awaitingBye
        return .send(.bye)
    }

    /// Own ops stamped too far into the server's future are restamped. Then, to a restored
    /// server, the client gives back what it held before it met it: its own ops and those
    /// of others, in its local order, so that every op comes after its parents.
    public mutating func restamped(count: Int, shift: Int64) -> Action {
        guard state == .restamping else { return unexpected("restamped") }
        summary.restamped = count
        summary.restampShift = shift
        if let after = giveBackAfter {
            state = .loadingGiveBack
            return .loadGiveBack(after: after, limit: giveBackLimit)
        }
        state = .loadingPush
        return .loadPush(after: heldThrough, limit: pushLimit)
    }

    /// Ops loaded to give back: those the client stored after the last batch given back, up
    /// to its local sequence `through`. Only those in the range, in the server's read scopes
    /// and not the server's own are sent: ops the client pulled from the restored server
    /// since are the server's already.
    public mutating func giveBackLoaded(ops loaded: [Op], through loadedThrough: Int64, more loadedMore: Bool)
        -> Action
    {
        guard state == .loadingGiveBack, let after = giveBackAfter else { return unexpected("giveBackLoaded") }
        let through = min(loadedThrough, giveBackUntil)
        let more = loadedMore && loadedThrough < giveBackUntil
        let ops = loaded.filter { $0.id.replica != server && readScopes.reads($0.recordType, in: $0.scope) }
        guard !ops.isEmpty else {
            giveBackAfter = through
            state = .markingGiveBack(more: more)
            return .markGivenBack(through: through)
        }
        let message = Message.giveBack(through: through, ops: ops)
        if loaded.count > 1, message.textByteCount > limits.messageBytes {
            giveBackLimit = loaded.count / 2
            return .loadGiveBack(after: after, limit: giveBackLimit)
        }
        state = .awaitingGiveBackAck(through: through, more: more, count: ops.count)
        return .send(message)
    }

    /// The server's acknowledgement of ops given back is stored.
    public mutating func giveBackMarked() -> Action {
        guard case .markingGiveBack(let more) = state else { return unexpected("giveBackMarked") }
        if more {
            state = .loadingGiveBack
            return .loadGiveBack(after: giveBackAfter!, limit: giveBackLimit)
        }
        state = .loadingPush
        return .loadPush(after: heldThrough, limit: pushLimit)
    }

    /// The client's own ops loaded for a push: the next ones after what the server holds.
    public mutating func pushLoaded(ops: [Op]) -> Action {
        guard state == .loadingPush else { return unexpected("pushLoaded") }
        guard let last = ops.last else { return startPulling() }
        let push = Message.push(through: Int64(last.id.sequence), ops: ops)
        if ops.count > 1, push.textByteCount > limits.messageBytes {
            // Too big for one message: load fewer ops.
            pushLimit = ops.count / 2
            return .loadPush(after: heldThrough, limit: pushLimit)
        }
        state = .awaitingAck(through: Int64(last.id.sequence), count: ops.count)
        return .send(push)
    }

    /// The acknowledgement is stored.
    public mutating func pushMarked() -> Action {
        if state == .markingRecovered { return startPushing() }
        guard state == .markingPush else { return unexpected("pushMarked") }
        heldThrough = pushedThrough
        state = .loadingPush
        return .loadPush(after: heldThrough, limit: pushLimit)
    }

    /// The request that may go out before the store work asked for now is done: the next
    /// `PULL`, while a batch the server said has more after it is being stored. The protocol
    /// lets a client send its next request once it has the answer to the last, so a driver may
    /// send this one, then store the batch while the server loads the next; the `.send` that
    /// ``pulledStored()`` then returns is this same message, not to be sent again. `nil` when
    /// the next request depends on the store work (or there is none).
    public var requestAhead: Message? {
        guard case .storingPull(let through, more: true) = state else { return nil }
        return .pull(after: through, limit: limits.opsPerBatch)
    }

    /// The pulled ops and cursor are stored.
    public mutating func pulledStored() -> Action {
        guard case .storingPull(let through, let more) = state else { return unexpected("pulledStored") }
        pulledThrough = through
        if more {
            state = .awaitingBatch
            return .send(.pull(after: pulledThrough, limit: limits.opsPerBatch))
        }
        state = .exchangingFiles
        return .exchangeFiles
    }

    /// The files are exchanged: say goodbye.
    public mutating func filesExchanged(_ files: FileExchange.Summary) -> Action {
        guard state == .exchangingFiles else { return unexpected("filesExchanged") }
        summary.files = files
        state = .awaitingBye
        return .send(.bye)
    }

    /// Reading from the server failed: tell it why, and close.
    public mutating func readFailed(_ error: ProtocolError) -> Action {
        fail(error.code, error.message)
    }

    /// Before pushing, own ops stamped far into the server's future get sane clocks.
    private mutating func startPushing() -> Action {
        state = .restamping
        let limit = max(0, serverTime + Self.restampMargin)
        return .restamp(
            after: heldThrough,
            beyond: HybridTimestamp(
                milliseconds: min(UInt64(limit), HybridTimestamp.maximumMilliseconds),
                counter: HybridTimestamp.maximumCounter))
    }

    private mutating func startPulling() -> Action {
        state = .awaitingBatch
        return .send(.pull(after: pulledThrough, limit: limits.opsPerBatch))
    }

    private mutating func fail(_ code: ProtocolError.Code, _ message: String) -> Action {
        state = .done
        return .fail(ProtocolError(code, message))
    }

    private mutating func unexpected(_ what: String) -> Action {
        fail(.malformedLine, "\(what) was not expected by the client now (\(state))")
    }
}
