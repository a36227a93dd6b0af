import Foundation
import GridMerge
import GridModel
import GridProtocol
import GridStore
import Logging

/// Runs the server side of one connection: a ``ServerSession`` driven against the daemon's
/// store, its accounts (a ``SyncAuthority``), its connection limits (a ``ConnectionGate``)
/// and its log.
public struct ServerConnection: Sendable {
    /// The daemon's store.
    public var store: any ServerStore
    /// Who may sync, and what.
    public var authority: any SyncAuthority
    /// How many connections may be open, from one address and for one worker.
    public var gate: ConnectionGate
    /// The limits announced and enforced.
    public var limits: Limits
    /// Whether to compress when a client asks.
    public var compression: Bool
    /// The server's clock: the time reference that `WELCOME` tells every laptop.
    public var wallClock: any WallClock
    /// The daemon's files, if it keeps them (gridsync/4).
    public var files: FileService?

    /// Creates the driver shared by the daemon's connections.
    public init(
        store: any ServerStore, files: FileService? = nil, authority: any SyncAuthority,
        gate: ConnectionGate = ConnectionGate(), limits: Limits, compression: Bool,
        wallClock: any WallClock = SystemWallClock()
    ) {
        self.store = store
        self.files = files
        self.authority = authority
        self.gate = gate
        self.limits = limits
        self.compression = compression
        self.wallClock = wallClock
    }

    /// Serves one connection, let in by the gate with `pass`, until the client says goodbye,
    /// an error closes it, or the server shuts down between two messages.
    public func serve(_ connection: MessageConnection, pass: ConnectionGate.Pass, logger: Logger) async
        -> ConnectionReport
    {
        var run = Run(server: self, connection: connection, pass: pass, logger: logger)
        await run.serve()
        return run.finish()
    }
}

extension ServerConnection {
    /// One connection being served: the session, what it did so far, and the small steps
    /// of reading, carrying out the session's actions and closing.
    fileprivate struct Run {
        let server: ServerConnection
        let connection: MessageConnection
        let work: ServerStoreWork
        let started = ContinuousClock.now
        let pass: ConnectionGate.Pass
        /// The worker whose connection this counts as, once authenticated.
        var claimed: WorkerID?
        var logger: Logger
        var session: ServerSession
        var report: ConnectionReport
        /// The server is shutting down: close at the first moment between two messages.
        var stopping = false

        init(server: ServerConnection, connection: MessageConnection, pass: ConnectionGate.Pass, logger: Logger) {
            self.server = server
            self.connection = connection
            self.work = ServerStoreWork(store: server.store, files: server.files)
            self.pass = pass
            self.logger = logger
            self.session = ServerSession(
                replica: server.store.identity.replica, lineage: server.store.identity.lineage,
                limits: server.limits, compression: server.compression)
            self.report = ConnectionReport(peer: connection.peer)
        }

        /// Reads and answers messages until the connection is over.
        mutating func serve() async {
            while let action = await read() {
                guard await settle(action) else { return }
                if stopping, session.isIdle {
                    await settle(session.close(with: Self.shuttingDown))
                    return
                }
            }
        }

        /// The session's answer to what the client sends next; `nil` when the connection
        /// ended with nothing to answer.
        mutating func read() async -> ServerSession.Action? {
            while true {
                switch await connection.receive() {
                case .message(let message):
                    return session.received(message)
                case .failed(let error):
                    return session.close(with: error)
                case .timedOut(let deadline):
                    return session.close(with: ProtocolError(.timeout, Self.explain(deadline)))
                case .shuttingDown:
                    stopping = true
                    guard !connection.decoder.isMidMessage, session.isIdle else { continue }
                    return session.close(with: Self.shuttingDown)
                case .broken(let reason):
                    report.ending = "broken"
                    logger.notice("the connection failed", metadata: ["error": "\(reason)"])
                    return nil
                case .closed(let midMessage):
                    report.ending = midMessage ? "cut" : "closed"
                    if midMessage {
                        logger.notice("connection cut part-way through a message; nothing of it was stored")
                    }
                    return nil
                }
            }
        }

        /// Carries out `action` and those it leads to, until the session waits for the
        /// client; returns whether the connection is still open.
        @discardableResult
        mutating func settle(_ action: ServerSession.Action) async -> Bool {
            var action = action
            do {
                while true {
                    if let next = try await work.perform(action, on: &session, report: &report, logger: logger) {
                        action = next
                        continue
                    }
                    switch action {
                    case .send(let message):
                        return await send(message)
                    case .authenticate(let replica, let token):
                        action = try await authenticate(replica, token: token)
                    case .close(let last):
                        await close(after: last)
                        return false
                    default:
                        preconditionFailure("store work left undone: \(action)")
                    }
                }
            } catch {
                // The store or the accounts failed: a database that cannot be reached for a moment
                // is `unavailable` (the laptop syncs again later), anything else `internal`.
                logger.error("connection failed", metadata: ["error": "\(error)"])
                let failure =
                    (error as? StoreError).map(ServerStoreWork.protocolError(for:))
                    ?? ProtocolError(.internal, "the server could not complete the request: \(error)")
                if session.isClosed {
                    report.errors.append(failure.code)
                    report.ending = failure.code.rawValue
                } else {
                    await close(after: .error(failure))
                }
                return false
            }
        }

        /// Sends one message of a session that goes on; returns whether the client still reads.
        mutating func send(_ message: Message) async -> Bool {
            do {
                try await connection.send(message)
            } catch {
                report.ending = "gone"
                logger.notice("the client stopped reading or went away: closed the connection")
                return false
            }
            switch message {
            case .welcome(let version, _, _, _, _, _, _, _, let deflate):
                // The session welcomes only a version it speaks.
                await connection.admit(version: ProtocolVersion(rawValue: version) ?? .current)
                if deflate {
                    do {
                        try connection.decoder.startInflating()
                        try connection.encoder.startDeflating()
                    } catch {
                        await close(after: .error(error))
                        return false
                    }
                    report.compressed = true
                }
            case .error(let error):
                report.errors.append(error.code)
                logger.warning("refused a batch", metadata: ["code": "\(error.code)", "error": "\(error.message)"])
            default:
                break
            }
            return true
        }

        /// Checks the client's token, and that its worker may open one more connection.
        mutating func authenticate(_ replica: ReplicaID, token: String) async throws -> ServerSession.Action {
            report.replica = replica
            logger[metadataKey: "replica"] = "\(replica)"
            let grant: ServerSession.Grant
            do {
                grant = try await server.authority.authorize(replica: replica, token: token)
            } catch let refusal as TokenRefusal {
                server.gate.authenticationFailed(pass)
                return session.close(with: ProtocolError(.unauthorized, refusal.message))
            }
            report.worker = grant.worker
            logger[metadataKey: "worker"] = "\(grant.worker)"
            if let refusal = server.gate.claim(grant.worker) {
                return session.close(with: refusal)
            }
            claimed = grant.worker
            return try await work.welcome(
                grant, replica: replica, serverTime: server.wallClock.millisecondsSince1970(), on: &session)
        }

        /// Sends `last`, notes how the connection ended, and closes it so that `last`
        /// reaches the client.
        mutating func close(after last: Message?) async {
            switch last {
            case .error(let error):
                report.errors.append(error.code)
                report.ending = error.code.rawValue
                logger.warning(
                    "closed the connection", metadata: ["code": "\(error.code)", "error": "\(error.message)"])
            case .some:
                report.ending = "bye"
            case nil:
                break
            }
            await connection.close(after: last)
        }

        /// The report of the connection, now over, logged.
        mutating func finish() -> ConnectionReport {
            if let claimed { server.gate.release(claimed) }
            report.textBytesIn = connection.decoder.textBytes
            report.wireBytesIn = connection.decoder.wireBytes
            report.textBytesOut = connection.encoder.textBytes
            report.wireBytesOut = connection.encoder.wireBytes
            let elapsed = ContinuousClock.now - started
            report.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            logger.info(
                "sync finished",
                metadata: [
                    "ending": "\(report.ending)", "pushed": "\(report.opsPushed)", "stored": "\(report.opsStored)",
                    "pulled": "\(report.opsPulled)", "bytes_in": "\(report.wireBytesIn)",
                    "bytes_out": "\(report.wireBytesOut)", "seconds": "\(String(format: "%.3f", report.seconds))",
                ])
            return report
        }

        static let shuttingDown = ProtocolError(.unavailable, "the server is shutting down: sync again in a minute")

        /// Why a deadline closed the connection, and what to do.
        static func explain(_ deadline: ConnectionEvent.Deadline) -> String {
            switch deadline {
            case .handshake:
                "the handshake did not finish in time: send HELLO right after connecting"
            case .idle:
                "nothing arrived for too long: the connection is closed; sync again"
            case .message:
                "a message did not arrive whole in time: the connection is closed; sync again on a better link"
            }
        }
    }
}
