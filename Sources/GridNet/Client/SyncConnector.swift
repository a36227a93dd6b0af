import GridProtocol
import NIOCore
import NIOPosix
import NIOSSL

/// Opens the field client's connection to the daemon, over TLS if asked.
public struct SyncConnector: Sendable {
    /// The daemon's host name or address.
    public var host: String
    /// The daemon's port.
    public var port: Int
    /// TLS: the context to verify the daemon with, or `nil` for plain TCP.
    public var tls: NIOSSLContext?
    /// How long to wait for the connection, and for the daemon's answers.
    public var timeouts: ConnectionTimeouts

    /// Creates a connector.
    public init(host: String, port: Int, tls: NIOSSLContext? = nil, timeouts: ConnectionTimeouts = ConnectionTimeouts())
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
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(timeouts.handshake)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: tls, serverHostname: Self.isAddress(host) ? nil : host))
                    }
                    try channel.pipeline.syncOperations.addHandler(ConnectionDeadlineHandler(timeouts: timeouts))
                    return try NIOAsyncChannel<ConnectionEvent, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
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

    /// Whether `host` is an IP address (TLS checks names, not addresses, by SNI).
    static func isAddress(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }
}
