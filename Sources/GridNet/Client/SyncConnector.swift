import GridProtocol
import NIOCore
import NIOPosix

/// Opens the field client's connection to the daemon, over TLS if asked.
public struct SyncConnector: Sendable {
    /// The daemon's host name or address.
    public var host: String
    /// The daemon's port.
    public var port: Int
    /// TLS: how to check the daemon, or `nil` for plain TCP.
    public var tls: ClientTLS?
    /// How long to wait for the connection, and for the daemon's answers.
    public var timeouts: ConnectionTimeouts

    /// Creates a connector.
    public init(host: String, port: Int, tls: ClientTLS? = nil, timeouts: ConnectionTimeouts = ConnectionTimeouts())
    {
        self.host = host
        self.port = port
        self.tls = tls
        self.timeouts = timeouts
    }

    /// Connects, runs `body` with the connection, and closes it.
    public func withConnection<T: Sendable>(
        limits: Limits = .standard, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        _ body: (MessageConnection) async throws -> T
    ) async throws -> T {
        let tls = self.tls
        let host = self.host
        let timeouts = self.timeouts
        let address = try? SocketAddress(ipAddress: host, port: port)
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(timeouts.handshake)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
        let initialize: @Sendable (any Channel) -> EventLoopFuture<NIOAsyncChannel<ConnectionEvent, ByteBuffer>> = {
            channel in
            channel.eventLoop.makeCompletedFuture {
                if let tls {
                    try channel.pipeline.syncOperations.addHandler(tls.handler(host: host, isAddress: address != nil))
                }
                try channel.pipeline.syncOperations.addHandler(ConnectionDeadlineHandler(timeouts: timeouts))
                return try NIOAsyncChannel<ConnectionEvent, ByteBuffer>(wrappingChannelSynchronously: channel)
            }
        }
        // An address is connected to directly; only a name goes through the resolver.
        let channel =
            if let address {
                try await bootstrap.connect(to: address, channelInitializer: initialize)
            } else {
                try await bootstrap.connect(host: host, port: port, channelInitializer: initialize)
            }
        return try await channel.executeThenClose { inbound, outbound in
            let connection = MessageConnection(
                inbound: inbound, outbound: outbound, channel: channel.channel, limits: limits)
            // The handshake's short line limit guards the daemon from strangers; the client
            // reads the daemon's welcome (which lists every scope) under the full limit.
            connection.decoder.admit()
            return try await body(connection)
        }
    }
}
