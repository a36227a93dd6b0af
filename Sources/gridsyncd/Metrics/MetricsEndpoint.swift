import NIOCore
import NIOHTTP1
import NIOPosix

/// A small HTTP server for Prometheus: `GET /metrics` answers with the metrics; anything
/// else is 404.
final class MetricsEndpoint: Sendable {
    private let server: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>
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
                    group.addTask {
                        try? await Self.answer(connection, metrics: metrics)
                    }
                }
            }
        }
    }

    /// Stops listening.
    func close() {
        server.channel.close(promise: nil)
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
