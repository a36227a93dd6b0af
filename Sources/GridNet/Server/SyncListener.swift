import GridProtocol
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// The daemon's listening socket: accepts connections (over TLS if configured), lets each in
/// through the connection's ``ConnectionGate`` and serves it with a ``ServerConnection``, and
/// shuts down gracefully: no new connections, every open one closes after the message in
/// flight, and those still open after a grace period are closed.
public final class SyncListener: Sendable {
    /// How the listener is set up.
    public struct Configuration: Sendable {
        /// The address to listen on.
        public var host: String
        /// The port (0: any free port, see ``SyncListener/port``).
        public var port: Int
        /// TLS, if the daemon has a certificate.
        public var tls: NIOSSLContext?
        /// The deadlines of each connection.
        public var timeouts: ConnectionTimeouts
        /// The daemon's memory: ``ownMemory`` for itself, and the rest for its connections.
        public var memory: Int

        /// The daemon's memory unless configured: 256 MiB.
        public static let defaultMemory = 256 * 1024 * 1024

        /// What the daemon keeps for itself out of ``memory``: its code and runtime (40 MiB at
        /// start), its store's caches, and the refusals being delivered (``SyncListener/refusalsAtOnce``).
        public static let ownMemory = 64 * 1024 * 1024

        /// The memory all connections may take together: each open connection's share
        /// (``MessageBudget/connectionBytes``), its buffers and the message it is reading.
        public var connectionMemory: Int { memory - Self.ownMemory }

        /// Creates a configuration.
        public init(
            host: String, port: Int, tls: NIOSSLContext? = nil, timeouts: ConnectionTimeouts = ConnectionTimeouts(),
            memory: Int = defaultMemory
        ) {
            self.host = host
            self.port = port
            self.tls = tls
            self.timeouts = timeouts
            self.memory = memory
        }
    }

    /// The open connections, so that shutting down can tell each of them.
    private struct Open: Sendable {
        var channels: [ObjectIdentifier: any Channel] = [:]
        /// Connections refused by the gate whose refusal is still being delivered.
        var refusing = 0
    }

    private let server: NIOAsyncChannel<NIOAsyncChannel<ConnectionEvent, ByteBuffer>, Never>
    private let configuration: Configuration
    private let open = Mutex(Open())
    /// The memory all connections may take together.
    public let budget: MessageBudget

    /// The port the listener is bound to.
    public let port: Int

    private init(
        server: NIOAsyncChannel<NIOAsyncChannel<ConnectionEvent, ByteBuffer>, Never>, configuration: Configuration
    ) {
        self.server = server
        self.configuration = configuration
        self.budget = MessageBudget(capacity: configuration.connectionMemory)
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
            // What a connection has read but not yet decoded is bounded too: reads of at most
            // 16 KiB (a TLS record), and at most two of them queued before the channel stops
            // reading; 512 connections then hold a few tens of megabytes between them.
            .childChannelOption(
                .recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 1_024, initial: 4_096, maximum: 16_384))
            .bind(host: configuration.host, port: configuration.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                    }
                    try channel.pipeline.syncOperations.addHandler(ConnectionDeadlineHandler(timeouts: timeouts))
                    return try NIOAsyncChannel<ConnectionEvent, ByteBuffer>(
                        wrappingChannelSynchronously: channel, configuration: Self.channelConfiguration)
                }
            }
        return SyncListener(server: server, configuration: configuration)
    }

    /// The refusal of a connection the memory budget cannot take.
    static let memoryFull = ProtocolError(
        .unavailable, "the server holds as many connections as its memory allows: sync again in a minute")

    /// The most refused connections whose refusal is delivered at once. A refusal being
    /// delivered holds TLS state and reads while the client's input is drained, outside the
    /// budget (which is what refused it); past this many, refused connections just close, and
    /// their laptops sync again later all the same.
    static let refusalsAtOnce = 32

    /// Each connection's inbound queue: reading stops once 2 reads wait to be decoded.
    static let channelConfiguration = NIOAsyncChannel<ConnectionEvent, ByteBuffer>.Configuration(
        backPressureStrategy: .init(lowWatermark: 1, highWatermark: 2))

    /// Accepts and serves connections until ``shutdown(within:)``, then waits for the open ones to close.
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

    /// Stops accepting, and asks every open connection to close after its message in flight;
    /// those still open after `grace` are closed (a push being stored is still committed,
    /// but its client is not told).
    public func shutdown(within grace: TimeAmount, gate: ConnectionGate) {
        gate.close()
        let channels = open.withLock { Array($0.channels.values) }
        server.channel.close(promise: nil)
        for channel in channels {
            channel.pipeline.fireUserInboundEventTriggered(ConnectionDeadlineHandler.ShuttingDown())
            channel.eventLoop.scheduleTask(in: grace) { channel.close(promise: nil) }
        }
    }

    private func handle(
        _ child: NIOAsyncChannel<ConnectionEvent, ByteBuffer>, serve: ServerConnection, limits: Limits,
        logger: Logger, observer: (any SyncObserver)?
    ) async {
        let channel = child.channel
        let key = ObjectIdentifier(channel)
        let address = channel.remoteAddress?.ipAddress ?? "unknown"
        // Every connection takes its share of the memory budget while it is open; one the budget
        // cannot take is refused, like those over the gate's limits.
        let charged = budget.take(MessageBudget.connectionBytes)
        defer { if charged { budget.giveBack(MessageBudget.connectionBytes) } }
        var entry = serve.gate.enter(from: address)
        if !charged, case .success(let pass) = entry {
            serve.gate.leave(pass)
            entry = .failure(Self.memoryFull)
        }
        // Refusals are delivered (and the client's input drained) for at most
        // `refusalsAtOnce` connections at once; past that, refused connections just close.
        let deliver = open.withLock { open in
            open.channels[key] = channel
            if case .success = entry { return true }
            guard open.refusing < Self.refusalsAtOnce else { return false }
            open.refusing += 1
            return true
        }
        defer {
            open.withLock { open in
                open.channels[key] = nil
                if case .failure = entry, deliver { open.refusing -= 1 }
            }
            if case .success(let pass) = entry { serve.gate.leave(pass) }
        }
        var logger = logger
        let peer = MessageConnection.describe(channel.remoteAddress)
        logger[metadataKey: "peer"] = "\(peer)"
        observer?.connectionOpened()
        var report = ConnectionReport(peer: peer)
        do {
            try await child.executeThenClose { inbound, outbound in
                let connection = MessageConnection(
                    inbound: inbound, outbound: outbound, channel: channel, limits: limits, budget: budget)
                switch entry {
                case .success(let pass):
                    report = await serve.serve(connection, pass: pass, logger: logger)
                case .failure(let refusal):
                    report.errors = [refusal.code]
                    report.ending = refusal.code.rawValue
                    logger.warning(
                        "refused a connection", metadata: ["code": "\(refusal.code)", "error": "\(refusal.message)"])
                    if deliver { await connection.close(after: .error(refusal)) }
                }
            }
        } catch {
            logger.debug("connection closed with an error", metadata: ["error": "\(error)"])
        }
        await observer?.connectionClosed(report)
    }
}
