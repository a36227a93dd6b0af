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
    private var deflater: DeflateStream?

    /// Creates an encoder that writes plain lines.
    public init() {}

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
        var text = ByteBuffer()
        for line in message.lines(within: limits) {
            text.writeString(line)
            text.writeInteger(UInt8(ascii: "\n"))
        }
        textBytes += text.readableBytes
        guard let deflater else {
            wireBytes += text.readableBytes
            return text
        }
        // A file's bytes in base64 have no matches to find: Huffman coding alone takes back
        // what base64 adds, four times as fast as level 6 (docs/BENCHMARKS.md, photos).
        let isFileBytes = if case .chunk = message { true } else { false }
        let out = try deflater.deflate(text, as: isFileBytes ? .huffmanOnly : .text)
        wireBytes += out.readableBytes
        return out
    }
}
