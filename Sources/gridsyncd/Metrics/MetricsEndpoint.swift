import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A small HTTP server for Prometheus: `GET /metrics` answers with the metrics; anything
/// else is 404.
///
/// A scrape is one short request, so the endpoint keeps tight bounds: at most
/// ``maxConnections`` at once (more are closed at once), and each connection is closed
/// ``deadline`` after it opens, answered or not. Closing the endpoint closes the open
/// connections too, so that a stuck scraper cannot hold up the daemon's shutdown.
final class MetricsEndpoint: Sendable {
    /// Connections served at once.
    static let maxConnections = 16
    /// How long a connection may stay open.
    static let deadline = TimeAmount.seconds(10)

    private let server: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>
    private let open = Mutex([ObjectIdentifier: any Channel]())
    /// The port bound.
    let port: Int

    private init(
        server: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>
    ) {
        self.server = server
        self.port = server.channel.localAddress?.port ?? 0
    }

    /// Binds the endpoint.
    static func bind(host: String, port: Int) async throws -> MetricsEndpoint {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    // Closed at the deadline whatever it is doing: a scrape takes milliseconds.
                    channel.eventLoop.scheduleTask(in: deadline) { channel.close(promise: nil) }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(
                        wrappingChannelSynchronously: channel)
                }
            }
        return MetricsEndpoint(server: server)
    }

    /// Serves scrapes until ``close()``.
    func run(metrics: DaemonMetrics) async throws {
        try await withThrowingDiscardingTaskGroup { group in
            try await server.executeThenClose { inbound in
                for try await connection in inbound {
                    let channel = connection.channel
                    let key = ObjectIdentifier(channel)
                    let admitted = open.withLock { open in
                        guard open.count < Self.maxConnections else { return false }
                        open[key] = channel
                        return true
                    }
                    guard admitted else {
                        channel.close(promise: nil)
                        continue
                    }
                    group.addTask {
                        defer { self.open.withLock { _ = $0.removeValue(forKey: key) } }
                        try? await Self.answer(connection, metrics: metrics)
                    }
                }
            }
        }
    }

    /// Stops listening, and closes the connections open.
    func close() {
        server.channel.close(promise: nil)
        for channel in open.withLock({ Array($0.values) }) { channel.close(promise: nil) }
    }

    private static func answer(
        _ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>,
        metrics: DaemonMetrics
    ) async throws {
        try await connection.executeThenClose { inbound, outbound in
            for try await part in inbound {
                guard case .head(let request) = part else { continue }
                let found = request.method == .GET && request.uri.split(separator: "?").first == "/metrics"
                let body = ByteBuffer(bytes: found ? metrics.exposition() : Array("not found: try /metrics\n".utf8))
                var headers = HTTPHeaders()
                headers.add(
                    name: "Content-Type", value: found ? "text/plain; version=0.0.4; charset=utf-8" : "text/plain")
                headers.add(name: "Content-Length", value: "\(body.readableBytes)")
                headers.add(name: "Connection", value: "close")
                try await outbound.write(
                    .head(HTTPResponseHead(version: request.version, status: found ? .ok : .notFound, headers: headers))
                )
                try await outbound.write(.body(.byteBuffer(body)))
                try await outbound.write(.end(nil))
                return
            }
        }
    }
}
