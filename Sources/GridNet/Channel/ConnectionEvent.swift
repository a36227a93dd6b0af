import NIOCore

/// What a connection's reader sees: bytes from the peer, or a deadline that passed.
public enum ConnectionEvent: Sendable {
    /// Bytes arrived.
    case bytes(ByteBuffer)
    /// The peer did not finish the handshake, start a message, or finish one, in time.
    case timedOut(Deadline)
    /// The server is shutting down: finish the message in flight, then close.
    case shuttingDown

    /// Which deadline passed.
    public enum Deadline: Sendable, Hashable {
        /// The handshake did not finish in time.
        case handshake
        /// No message started for too long.
        case idle
        /// A message started but did not arrive whole in time.
        case message
    }
}
