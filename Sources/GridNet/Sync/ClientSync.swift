import GridMerge
import GridModel
import GridProtocol
import GridStore

/// Runs the client side of one sync over a connection: a ``ClientSession`` driven against
/// the field replica's store.
public struct ClientSync: Sendable {
    /// What one sync did.
    public struct Outcome: Hashable, Sendable {
        /// The server's replica.
        public var server: ReplicaID
        /// Ops pushed and pulled.
        public var summary: ClientSession.Summary
        /// Whether the connection was compressed.
        public var compressed: Bool
        /// Milliseconds to add to this laptop's clock to read the server's, as measured in
        /// the handshake (negative when the laptop is fast).
        public var clockOffset: Int64
        /// Bytes of lines sent and received, before compression.
        public var textBytesOut = 0, textBytesIn = 0
        /// Bytes sent and received on the wire.
        public var wireBytesOut = 0, wireBytesIn = 0
    }

    /// Why a sync stopped before its end.
    public struct Failure: Error, Hashable, Sendable, CustomStringConvertible {
        /// The protocol error, sent by the server (`fromServer`) or found by the client.
        public var error: ProtocolError
        /// Whether the server sent it.
        public var fromServer: Bool
        /// What moved before the failure (and is stored: nothing is lost).
        public var summary: ClientSession.Summary
        /// Whether the server had answered the handshake: it was reached, and the token worked.
        public var welcomed = false

        public var description: String {
            fromServer ? "the server refused: \(error.message) (\(error.code))" : "\(error.message) (\(error.code))"
        }
    }

    /// The longest handshake whose clock reading is trusted to correct this laptop's clock.
    static let trustedRoundTrip = Duration.seconds(10)

    /// The replica that syncs.
    public var store: any ReplicaStore
    /// The bearer token of the replica's worker account.
    public var token: String
    /// Whether to ask the server to compress.
    public var deflate = true
    /// Whether to pull everything again, from the server's first op.
    public var pullFromStart = false
    /// This laptop's own clock, uncorrected: what the offset to the server's is measured from.
    public var wallClock: any WallClock
    /// The replica's files (photos), moved after the ops; `nil` moves none.
    public var files: FileStore?
    /// Photos larger than this many bytes are left on the server (a laptop short of disk or on
    /// a slow link), but those in ``photosWanted``; `nil` fetches every one.
    public var deferPhotosOver: Int64?
    /// Photos fetched whatever their size (asked for by the worker).
    public var photosWanted: Set<FileID> = []

    /// Creates a sync of `store` (and its `files`) with `token`.
    public init(
        store: any ReplicaStore, files: FileStore? = nil, token: String, deflate: Bool = true,
        pullFromStart: Bool = false, wallClock: any WallClock = SystemWallClock()
    ) {
        self.store = store
        self.files = files
        self.token = token
        self.deflate = deflate
        self.pullFromStart = pullFromStart
        self.wallClock = wallClock
    }

    /// Syncs once over `connection`, reporting what has moved after every message.
    ///
    /// - Throws: a ``Failure`` if the protocol failed, or the store's error; either way,
    ///   every batch stored before is kept, with its cursor.
    public func run(
        over connection: MessageConnection, progress: (ClientSession.Summary) -> Void = { _ in }
    ) async throws -> Outcome {
        let identity = store.identity
        var session = ClientSession(
            replica: identity.replica, token: token, deflate: deflate, pullFromStart: pullFromStart)
        var action = session.start()
        var clockOffset: Int64 = 0
        let work = ClientStoreWork(store: store, files: files)
        // A request sent before the store work that precedes it in the session (`requestAhead`):
        // the server loads the next batch while this laptop stores the last.
        var sentAhead: Message?
        while true {
            if let ahead = session.requestAhead {
                try await send(ahead, over: connection, session: session)
                sentAhead = ahead
            }
            if let next = try await work.perform(action, on: &session) {
                progress(session.summary)
                action = next
                continue
            }
            switch action {
            case .send(let message):
                let sent = wallClock.millisecondsSince1970()
                let sentAt = ContinuousClock.now
                if let ahead = sentAhead {
                    // Sent already: the session promised this request (`requestAhead`).
                    precondition(message == ahead, "the session asked to send \(message), not the request sent ahead")
                    sentAhead = nil
                } else {
                    try await send(message, over: connection, session: session)
                }
                let received = await connection.receive()
                guard case .message(let reply) = received else {
                    var failure = failure(received, summary: session.summary)
                    failure.welcomed = session.server != nil
                    throw failure
                }
                action = session.received(reply)
                if case .welcome(_, _, _, _, let limits, _, let serverTime, _, _) = reply,
                    case .readCursor = action
                {
                    await connection.admit(limits, version: .current)
                    if session.isCompressed {
                        try connection.decoder.startInflating()
                        try connection.encoder.startDeflating()
                    }
                    // The server read its clock between our HELLO and its WELCOME: halfway, as NTP assumes.
                    let arrived = wallClock.millisecondsSince1970()
                    let midpoint = Int64(clamping: sent / 2 + arrived / 2)
                    clockOffset = serverTime - midpoint
                    // Kept only if it can be trusted: a slow handshake, or a wall clock stepped
                    // meanwhile (NTP as the link comes up), would give a wrong offset to every write.
                    let roundTrip = ContinuousClock.now - sentAt
                    let wallElapsed = Int64(clamping: arrived) - Int64(clamping: sent)
                    let steadyElapsed =
                        roundTrip.components.seconds * 1000
                        + roundTrip.components.attoseconds / 1_000_000_000_000_000
                    if roundTrip < Self.trustedRoundTrip, abs(wallElapsed - steadyElapsed) < 1_000 {
                        try await store.recordClockOffset(clockOffset)
                    }
                }
            case .exchangeFiles:
                action = session.filesExchanged(try await exchangeFiles(over: connection, work: work, session: session))
            case .finished(let summary):
                return Outcome(
                    server: session.server!, summary: summary, compressed: session.isCompressed,
                    clockOffset: clockOffset,
                    textBytesOut: connection.encoder.textBytes, textBytesIn: connection.decoder.textBytes,
                    wireBytesOut: connection.encoder.wireBytes, wireBytesIn: connection.decoder.wireBytes)
            case .fail(let error):
                try? await connection.send(.error(error))
                throw Failure(
                    error: error, fromServer: false, summary: session.summary, welcomed: session.server != nil)
            case .refused(let error):
                throw Failure(error: error, fromServer: true, summary: session.summary, welcomed: session.server != nil)
            default:
                preconditionFailure("store work left undone: \(action)")
            }
        }
    }

    /// Moves the files after the ops: one message and its answer at a time, but a file's
    /// chunks asked for and sent ahead of their answers.
    private func exchangeFiles(over connection: MessageConnection, work: ClientStoreWork, session: ClientSession)
        async throws -> FileExchange.Summary
    {
        var exchange = try await work.fileExchange(
            within: session.limits, deferOver: deferPhotosOver, wanted: photosWanted)
        var step = exchange.start()
        while true {
            if let next = try work.perform(step, on: &exchange) {
                step = next
                continue
            }
            switch step {
            case .send(let message):
                try await send(message, over: connection, session: session)
                step = exchange.received(try await answer(over: connection, session: session))
            case .sendAhead(let message):
                try await send(message, over: connection, session: session)
                step = exchange.sentAhead()
            case .awaitAnswer:
                step = exchange.received(try await answer(over: connection, session: session))
            case .finished(let summary):
                return summary
            case .fail(let error):
                try? await connection.send(.error(error))
                throw Failure(error: error, fromServer: false, summary: session.summary, welcomed: true)
            case .refused(let error):
                throw Failure(error: error, fromServer: true, summary: session.summary, welcomed: true)
            case .loadChunk, .storeChunk:
                preconditionFailure("file work left undone: \(step)")
            }
        }
    }

    /// The server's next message during the file exchange.
    private func answer(over connection: MessageConnection, session: ClientSession) async throws -> Message {
        let received = await connection.receive()
        guard case .message(let reply) = received else {
            var failure = failure(received, summary: session.summary)
            failure.welcomed = true
            throw failure
        }
        return reply
    }

    private func send(_ message: Message, over connection: MessageConnection, session: ClientSession) async throws {
        do {
            try await connection.send(message)
        } catch {
            throw Failure(
                error: ProtocolError(.unavailable, "the connection broke while sending: \(error)"),
                fromServer: false, summary: session.summary, welcomed: session.server != nil)
        }
    }

    private func failure(_ received: MessageConnection.Received, summary: ClientSession.Summary) -> Failure {
        let error: ProtocolError
        switch received {
        case .message: error = ProtocolError(.internal, "a message was taken for a failure")
        case .failed(let found): error = found
        case .timedOut: error = ProtocolError(.timeout, "the server did not answer in time: sync again later")
        case .shuttingDown: error = ProtocolError(.unavailable, "the connection is shutting down")
        case .broken(let reason):
            error = ProtocolError(.unavailable, "the connection failed: \(reason)")
        case .closed(let midMessage):
            error = ProtocolError(
                .unavailable,
                midMessage
                    ? "the connection was cut part-way through a message: sync again; nothing stored is lost"
                    : "the server closed the connection: sync again; nothing stored is lost")
        }
        return Failure(error: error, fromServer: false, summary: summary)
    }
}
