import GridProtocol
import NIOCore
import NIOSSL

/// One connection seen as messages: reads events from the channel and decodes them with a
/// ``WireDecoder``, encodes messages with a ``WireEncoder`` and writes them.
///
/// Made inside `NIOAsyncChannel.executeThenClose` and used by one task only.
public final class MessageConnection {
    /// What reading the connection gave.
    public enum Received {
        /// A whole message.
        case message(Message)
        /// The bytes broke the protocol: answer with this error and close.
        case failed(ProtocolError)
        /// A deadline passed.
        case timedOut(ConnectionEvent.Deadline)
        /// The server is shutting down.
        case shuttingDown
        /// The peer closed the connection; `midMessage` if it stopped part-way through one.
        case closed(midMessage: Bool)
        /// The connection failed under the protocol (TLS refused, reset by the network).
        case broken(String)
    }

    /// The decoder of what the peer sends.
    public let decoder: WireDecoder
    /// The encoder of what this side sends.
    public let encoder = WireEncoder()
    private var inbound: NIOAsyncChannelInboundStream<ConnectionEvent>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private let channel: any Channel

    /// Wraps the two halves of an async channel.
    public init(
        inbound: NIOAsyncChannelInboundStream<ConnectionEvent>, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>,
        channel: any Channel, limits: Limits, budget: MessageBudget? = nil
    ) {
        self.inbound = inbound.makeAsyncIterator()
        self.outbound = outbound
        self.channel = channel
        self.decoder = WireDecoder(limits: limits, budget: budget)
    }

    /// The peer's address, for logs.
    public var peer: String { Self.describe(channel.remoteAddress) }

    /// `ip:port` (or `[ip]:port`), for logs.
    static func describe(_ address: SocketAddress?) -> String {
        guard let address, let ip = address.ipAddress, let port = address.port else { return "unknown" }
        return ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }

    /// Reads until a whole message, an error, a deadline, or the end of the connection.
    ///
    /// While it waits, the connection's deadlines run: the idle one until the message's
    /// first byte, then the message's until its last.
    public func receive() async -> Received {
        var waiting = false
        defer { if waiting { signal(ConnectionDeadlineHandler.MessageReceived()) } }
        while true {
            do {
                if let message = try decoder.next() { return .message(message) }
            } catch {
                return .failed(error)
            }
            if !waiting {
                waiting = true
                signal(ConnectionDeadlineHandler.AwaitingMessage(started: decoder.isMidMessage))
            }
            let event: ConnectionEvent?
            do {
                event = try await inbound.next()
            } catch NIOSSLError.uncleanShutdown {
                // TLS's word for a link cut without its closing message: part of a message may
                // have been in a record that never arrived whole, so the decoder cannot tell.
                return .closed(midMessage: true)
            } catch let error as NIOSSLError {
                return .broken("TLS failed (\(error))")
            } catch let error as BoringSSLError {
                return .broken("TLS failed (\(error))")
            } catch let error as NIOSSLExtraError {
                return .broken("TLS failed (\(error))")
            } catch {
                return .broken("\(error)")
            }
            switch event {
            case .bytes(let bytes): decoder.receive(bytes)
            case .timedOut(let deadline): return .timedOut(deadline)
            case .shuttingDown: return .shuttingDown
            case nil: return .closed(midMessage: decoder.isMidMessage)
            }
        }
    }

    /// Sends `last` (if any), then closes this side and reads and drops whatever the peer
    /// still sends until it closes too, or the drain deadline passes: closing with unread
    /// input would reset the connection, and the peer would lose `last` (a refusal, most
    /// often) with it.
    public func close(after last: Message?) async {
        if let last { try? await send(last) }
        signal(ConnectionDeadlineHandler.Draining())
        try? await channel.close(mode: .output)
        while case .some = try? await inbound.next() {}
    }

    private func signal(_ event: any Sendable) {
        channel.triggerUserOutboundEvent(event, promise: nil)
    }

    /// Writes one message (flushed: a message is the unit of compression and of progress).
    public func send(_ message: Message) async throws {
        try await outbound.write(try encoder.encode(message, within: decoder.limits))
    }

    /// The handshake is done: the idle deadline replaces the handshake's, lines may be
    /// as long as the limits allow (`limits`, as announced by the server, for a client), and
    /// files' bytes are framed as the agreed `version` frames them, both ways.
    public func admit(_ limits: Limits? = nil, version: ProtocolVersion) async {
        decoder.admit(limits, version: version)
        encoder.chunkFraming = version.chunkFraming
        try? await channel.triggerUserOutboundEvent(ConnectionDeadlineHandler.HandshakeDone()).get()
    }
}
