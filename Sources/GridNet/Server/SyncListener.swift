import GridProtocol
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// The daemon's listening socket: accepts connections (over TLS if configured), serves each
/// with a ``ServerConnection``, refuses those over the limit, and shuts down gracefully:
/// no new connections, and every open one closes after the message in flight.
public final class SyncListener: Sendable {
    /// How the listener is set up.
    public struct Configuration: Sendable {
        /// The address to listen on.
        public var host: String
        /// The port (0: any free port, see ``SyncListener/port``).
        public var port: Int
        /// TLS, if the daemon has a certificate.
        public var tls: NIOSSLContext?
        /// The handshake and idle timeouts.
        public var timeouts: ConnectionTimeouts
        /// The most connections served at once; more are told to come back later.
        public var maxConnections: Int
        /// The most bytes that the messages being read may hold, all connections together.
        public var messageMemory: Int

        /// The default budget for messages being read: 256 MiB.
        public static let defaultMessageMemory = 256 * 1024 * 1024

        /// Creates a configuration.
        public init(
            host: String, port: Int, tls: NIOSSLContext? = nil, timeouts: ConnectionTimeouts = ConnectionTimeouts(),
            maxConnections: Int = 512, messageMemory: Int = defaultMessageMemory
        ) {
            self.host = host
            self.port = port
            self.tls = tls
            self.timeouts = timeouts
            self.maxConnections = maxConnections
            self.messageMemory = messageMemory
        }
    }

    /// The open connections, so that shutting down can tell each of them.
    private struct Open: Sendable {
        var channels: [ObjectIdentifier: any Channel] = [:]
        var stopping = false
    }

    private let server: NIOAsyncChannel<NIOAsyncChannel<ConnectionEvent, ByteBuffer>, Never>
    private let configuration: Configuration
    private let open = Mutex(Open())
    /// What all connections' unfinished messages may hold together.
    public let budget: MessageBudget

    /// The port the listener is bound to.
    public let port: Int

    private init(
        server: NIOAsyncChannel<NIOAsyncChannel<ConnectionEvent, ByteBuffer>, Never>, configuration: Configuration
    ) {
        self.server = server
        self.configuration = configuration
        self.budget = MessageBudget(capacity: configuration.messageMemory)
        self.port = server.channel.localAddress?.port ?? configuration.port
    }

    /// Binds the listening socket.
    public static func bind(
        _ configuration: Configuration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> SyncListener {
        let tls = configuration.tls
        let timeouts = configuration.timeouts
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .bind(host: configuration.host, port: configuration.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                    }
                    try channel.pipeline.syncOperations.addHandler(ConnectionDeadlineHandler(timeouts: timeouts))
                    return try NIOAsyncChannel<ConnectionEvent, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return SyncListener(server: server, configuration: configuration)
    }

    /// Accepts and serves connections until ``shutdown()``, then waits for the open ones to close.
    public func run(_ serve: ServerConnection, limits: Limits, logger: Logger, observer: (any SyncObserver)? = nil)
        async throws
    {
        try await withThrowingDiscardingTaskGroup { group in
            try await server.executeThenClose { inbound in
                for try await child in inbound {
                    group.addTask {
                        await self.handle(child, serve: serve, limits: limits, logger: logger, observer: observer)
                    }
                }
            }
        }
    }

    /// Stops accepting, and asks every open connection to close after its message in flight.
    public func shutdown() {
        let channels = open.withLock { open in
            open.stopping = true
            return Array(open.channels.values)
        }
        server.channel.close(promise: nil)
        for channel in channels {
            channel.pipeline.fireUserInboundEventTriggered(ConnectionDeadlineHandler.ShuttingDown())
        }
    }

    private func handle(
        _ child: NIOAsyncChannel<ConnectionEvent, ByteBuffer>, serve: ServerConnection, limits: Limits,
        logger: Logger, observer: (any SyncObserver)?
    ) async {
        let channel = child.channel
        let key = ObjectIdentifier(channel)
        let admitted = open.withLock { open in
            guard !open.stopping, open.channels.count < configuration.maxConnections else { return false }
            open.channels[key] = channel
            return true
        }
        defer { open.withLock { _ = $0.channels.removeValue(forKey: key) } }
        var logger = logger
        let peer = MessageConnection.describe(channel.remoteAddress)
        logger[metadataKey: "peer"] = "\(peer)"
        observer?.connectionOpened()
        var report = ConnectionReport(peer: peer)
        do {
            try await child.executeThenClose { inbound, outbound in
                let connection = MessageConnection(
                    inbound: inbound, outbound: outbound, channel: channel, limits: limits, budget: budget)
                guard admitted else {
                    let busy = ProtocolError(
                        .unavailable, "the server is full or shutting down: sync again in a minute")
                    try? await connection.send(.error(busy))
                    report.errors = [.unavailable]
                    report.ending = busy.code.rawValue
                    logger.warning("refused a connection", metadata: ["code": "\(busy.code)"])
                    return
                }
                report = await serve.serve(connection, logger: logger)
            }
        } catch {
            logger.debug("connection closed with an error", metadata: ["error": "\(error)"])
        }
        await observer?.connectionClosed(report)
    }
}
