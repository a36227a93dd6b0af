import Foundation
import GridMerge
import GridProtocol
import GridStore
import Logging

/// Runs the server side of one connection: a ``ServerSession`` driven against the daemon's
/// store, its accounts (a ``SyncAuthority``) and its log.
public struct ServerConnection: Sendable {
    /// The daemon's replica.
    public var store: any ReplicaStore
    /// Who may sync, and what.
    public var authority: any SyncAuthority
    /// The limits announced and enforced.
    public var limits: Limits
    /// Whether to compress when a client asks.
    public var compression: Bool
    /// The server's clock: the time reference that `WELCOME` tells every laptop.
    public var wallClock: any WallClock

    /// Creates the driver shared by the daemon's connections.
    public init(
        store: any ReplicaStore, authority: any SyncAuthority, limits: Limits, compression: Bool,
        wallClock: any WallClock = SystemWallClock()
    ) {
        self.store = store
        self.authority = authority
        self.limits = limits
        self.compression = compression
        self.wallClock = wallClock
    }

    /// Serves one connection until the client says goodbye, an error closes it, or the
    /// server shuts down between two messages.
    public func serve(_ connection: MessageConnection, logger: Logger) async -> ConnectionReport {
        let started = ContinuousClock.now
        var logger = logger
        var report = ConnectionReport(peer: connection.peer)
        var session = ServerSession(
            replica: store.identity.replica, lineage: store.identity.lineage, limits: limits, compression: compression)
        var stopping = false
        let work = ServerStoreWork(store: store)
        connection: while true {
            var action: ServerSession.Action
            switch await connection.receive() {
            case .message(let message):
                action = session.received(message)
            case .failed(let error):
                action = session.readFailed(error)
            case .timedOut(let deadline):
                action = session.timedOut(
                    deadline == .handshake
                        ? "the handshake did not finish in time: send HELLO right after connecting"
                        : "nothing arrived for too long: the connection is closed; sync again")
            case .shuttingDown:
                stopping = true
                guard !connection.decoder.isMidMessage, session.isIdle else { continue connection }
                action = session.unavailable("the server is shutting down: sync again in a minute")
            case .broken(let reason):
                report.ending = "broken"
                logger.notice("the connection failed", metadata: ["error": "\(reason)"])
                break connection
            case .closed(let midMessage):
                report.ending = midMessage ? "cut" : "closed"
                if midMessage {
                    logger.notice("connection cut part-way through a message; nothing of it was stored")
                }
                break connection
            }
            do {
                perform: while true {
                    if let next = try await work.perform(action, on: &session, report: &report, logger: logger) {
                        action = next
                        continue perform
                    }
                    switch action {
                    case .send(let message):
                        do {
                            try await connection.send(message)
                        } catch {
                            report.ending = "gone"
                            logger.notice("the client stopped reading or went away: closed the connection")
                            break connection
                        }
                        if case .welcome(_, _, _, _, _, _, _, _, let deflate) = message {
                            await connection.admit()
                            if deflate {
                                try connection.decoder.startInflating()
                                try connection.encoder.startDeflating()
                                report.compressed = true
                            }
                        }
                        if case .error(let error) = message {
                            report.errors.append(error.code)
                            logger.warning(
                                "refused a batch", metadata: ["code": "\(error.code)", "error": "\(error.message)"])
                        }
                        break perform
                    case .authenticate(let replica, let token):
                        report.replica = replica
                        logger[metadataKey: "replica"] = "\(replica)"
                        do {
                            let grant = try await authority.authorize(replica: replica, token: token)
                            report.worker = grant.worker
                            logger[metadataKey: "worker"] = "\(grant.worker)"
                            action = try await work.welcome(
                                grant, replica: replica, serverTime: wallClock.millisecondsSince1970(),
                                on: &session)
                        } catch let refusal as TokenRefusal {
                            action = session.authenticationFailed(refusal.message)
                        }
                    case .close(let last):
                        if let last {
                            try? await connection.send(last)
                            if case .error(let error) = last {
                                report.errors.append(error.code)
                                report.ending = error.code.rawValue
                                logger.warning(
                                    "closed the connection",
                                    metadata: ["code": "\(error.code)", "error": "\(error.message)"])
                            } else {
                                report.ending = "bye"
                            }
                        }
                        break connection
                    default:
                        preconditionFailure("store work left undone: \(action)")
                    }
                }
            } catch {
                // The store failed, or the peer went away while a message was being written.
                let failure = ProtocolError(.internal, "the server could not complete the request: \(error)")
                if !session.isClosed {
                    try? await connection.send(.error(failure))
                }
                report.errors.append(.internal)
                report.ending = ProtocolError.Code.internal.rawValue
                logger.error("connection failed", metadata: ["error": "\(error)"])
                break connection
            }
            if stopping, session.isIdle {
                action = session.unavailable("the server is shutting down: sync again in a minute")
                if case .close(let last?) = action { try? await connection.send(last) }
                report.ending = ProtocolError.Code.unavailable.rawValue
                break connection
            }
        }
        report.textBytesIn = connection.decoder.textBytes
        report.wireBytesIn = connection.decoder.wireBytes
        report.textBytesOut = connection.encoder.textBytes
        report.wireBytesOut = connection.encoder.wireBytes
        report.seconds = Self.seconds(since: started)
        logger.info(
            "sync finished",
            metadata: [
                "ending": "\(report.ending)", "pushed": "\(report.opsPushed)", "stored": "\(report.opsStored)",
                "pulled": "\(report.opsPulled)", "bytes_in": "\(report.wireBytesIn)",
                "bytes_out": "\(report.wireBytesOut)", "seconds": "\(String(format: "%.3f", report.seconds))",
            ])
        return report
    }

    private static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
