import NIOCore

/// Turns messages into the bytes of one direction of a connection: plain lines at first,
/// then, once compression is agreed, one deflate stream flushed after every message
/// (never after a line), so the peer can act on each message as it arrives while the
/// shared window keeps small messages small.
///
/// It holds a zlib stream, so it is a class, kept by one task.
public final class WireEncoder {
    /// Bytes of lines encoded, before compression.
    public private(set) var textBytes = 0
    /// Bytes handed to the wire.
    public private(set) var wireBytes = 0
    /// How a `CHUNK` carries its bytes: as the handshake's version frames them, once it is done.
    public var chunkFraming: ChunkFraming
    private var deflater: DeflateStream?

    /// Creates an encoder that writes plain lines, and a `CHUNK`'s bytes as `chunkFraming` says.
    public init(chunkFraming: ChunkFraming = .base64Lines) {
        self.chunkFraming = chunkFraming
    }

    /// Whether messages are compressed.
    public var isDeflating: Bool { deflater != nil }

    /// Compresses every message after this one.
    public func startDeflating() throws(ProtocolError) {
        guard deflater == nil else { return }
        deflater = try DeflateStream()
    }

    /// The bytes of one message, its lines as long as `limits` allow (the agreed ones once
    /// the handshake is done).
    public func encode(_ message: Message, within limits: Limits = .standard) throws(ProtocolError) -> ByteBuffer {
        let parts = Self.parts(of: message, within: limits, chunkFraming: chunkFraming)
        textBytes += parts.reduce(0) { $0 + $1.count }
        guard let deflater else {
            let text = Self.joined(parts)
            wireBytes += text.readableBytes
            return text
        }
        // A file's bytes have nothing to match. As they are (gridsync/5), they go in stored
        // blocks, compressed from where they lie rather than copied into the message's text
        // first; in base64 (gridsync/4), Huffman coding alone takes back what base64 adds, four
        // times as fast as level 6 (docs/BENCHMARKS.md, photos).
        let strategy: DeflateStream.Strategy =
            if case .chunk = message { chunkFraming == .bytes ? .stored : .huffmanOnly } else { .text }
        let out = try deflater.deflate(parts, as: strategy)
        wireBytes += out.readableBytes
        return out
    }

    /// The text of one message before compression: its lines, each ended by a line feed, and
    /// a `CHUNK`'s bytes framed as `chunkFraming` says.
    public static func text(of message: Message, within limits: Limits, chunkFraming: ChunkFraming) -> ByteBuffer {
        joined(parts(of: message, within: limits, chunkFraming: chunkFraming))
    }

    /// The message's text in parts: its lines; or, for a gridsync/5 `CHUNK`, its header line,
    /// its bytes as they are, and the line feed after them.
    private static func parts(of message: Message, within limits: Limits, chunkFraming: ChunkFraming)
        -> [DeflateStream.Part]
    {
        if case .chunk(let file, let size, let offset, let bytes) = message, chunkFraming == .bytes {
            let header = ByteBuffer(string: "CHUNK \(file) \(size) \(offset) \(bytes.count)\n")
            guard !bytes.isEmpty else { return [.buffer(header)] }
            return [.buffer(header), .bytes(bytes), .buffer(ByteBuffer(integer: UInt8(ascii: "\n")))]
        }
        var text = ByteBuffer()
        for line in message.lines(within: limits) {
            text.writeString(line)
            text.writeInteger(UInt8(ascii: "\n"))
        }
        return [.buffer(text)]
    }

    /// The parts in one buffer.
    private static func joined(_ parts: [DeflateStream.Part]) -> ByteBuffer {
        if parts.count == 1, case .buffer(let text) = parts[0] { return text }
        var text = ByteBuffer()
        text.reserveCapacity(parts.reduce(0) { $0 + $1.count })
        for part in parts {
            switch part {
            case .buffer(let buffer): text.writeImmutableBuffer(buffer)
            case .bytes(let bytes): text.writeBytes(bytes)
            }
        }
        return text
    }
}
