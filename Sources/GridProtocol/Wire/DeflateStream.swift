import CZlib
import NIOCore

/// The sending half of a connection's deflate stream (raw deflate, a 32 KiB window), flushed
/// after each message, whose strategy may change from one message to the next: ops and
/// other text are compressed at level 6; a file's bytes, which have nothing to match, go in
/// stored blocks as they are (gridsync/5), or, in base64 (gridsync/4), are Huffman coded alone,
/// which gives back the quarter base64 adds at four times level 6's speed. The receiver's
/// inflater reads any of them without knowing.
///
/// It holds a zlib stream, so it is a class, kept by one task.
final class DeflateStream {
    /// How a message's bytes are compressed.
    enum Strategy: Hashable {
        /// Matches and Huffman coding, at level 6: text, whose lines repeat one another.
        case text
        /// Huffman coding only: base64 of incompressible bytes (photos, gridsync/4).
        case huffmanOnly
        /// No coding at all (level 0, stored blocks): incompressible bytes (photos, gridsync/5).
        case stored

        var zlibStrategy: Int32 { self == .huffmanOnly ? Z_HUFFMAN_ONLY : Z_DEFAULT_STRATEGY }
        var zlibLevel: Int32 { self == .stored ? 0 : DeflateStream.level }
    }

    private let stream: UnsafeMutablePointer<z_stream>
    private var strategy = Strategy.text
    private static let level: Int32 = 6

    /// Starts a stream.
    ///
    /// - Throws: a ``ProtocolError`` if zlib cannot.
    init() throws(ProtocolError) {
        stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // Raw deflate (negative window bits), as the peer's inflater reads it; zlib's default memory level.
        guard gridsync_deflate_init(stream, Self.level, -15, 8) == Z_OK else {
            stream.deallocate()
            throw ProtocolError(.internal, "zlib could not start a stream")
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// A part of a message's text: a buffer, or bytes as they are (a photo's chunk, compressed
    /// from where it lies rather than copied into a buffer first).
    enum Part {
        case buffer(ByteBuffer)
        case bytes([UInt8])

        var count: Int {
            switch self {
            case .buffer(let buffer): buffer.readableBytes
            case .bytes(let bytes): bytes.count
            }
        }

        func withUnsafeBytes<T>(_ body: (UnsafeRawBufferPointer) -> T) -> T {
            switch self {
            case .buffer(let buffer): buffer.withUnsafeReadableBytes(body)
            case .bytes(let bytes): bytes.withUnsafeBytes(body)
            }
        }
    }

    /// Compresses `parts`, one after the other, with `strategy`, and flushes after the last,
    /// so the peer can inflate all of it now.
    func deflate(_ parts: [Part], as strategy: Strategy) throws(ProtocolError) -> ByteBuffer {
        var status: Int32 = Z_OK
        if strategy != self.strategy {
            // Before this message's bytes are handed over: the stream was flushed after the last
            // message, so nothing is pending and the change writes nothing. (With the bytes
            // handed over, zlib would compress them with the old strategy first.)
            var spare: UInt8 = 0
            withUnsafeMutablePointer(to: &spare) { spare in
                stream.pointee.next_in = nil
                stream.pointee.avail_in = 0
                stream.pointee.next_out = spare
                stream.pointee.avail_out = 1
                status = deflateParams(stream, strategy.zlibLevel, strategy.zlibStrategy)
            }
            guard status == Z_OK, stream.pointee.avail_out == 1 else {
                throw ProtocolError(.internal, "zlib could not change the stream's strategy (\(status))")
            }
            self.strategy = strategy
        }
        var out = ByteBuffer()
        // Room for all of it at once (deflateBound, and the flush's marker); more if zlib asks.
        out.reserveCapacity(Int(deflateBound(stream, UInt(parts.reduce(0) { $0 + $1.count }))) + 64)
        for (index, part) in parts.enumerated() {
            let flush = index == parts.count - 1 ? Z_SYNC_FLUSH : Z_NO_FLUSH
            status = part.withUnsafeBytes { source in compress(source, flush: flush, into: &out) }
            guard status == Z_OK else {
                throw ProtocolError(.internal, "zlib could not compress a message (\(status))")
            }
        }
        return out
    }

    /// Hands `source` to zlib and takes what it writes into `out`, growing it if zlib asks.
    private func compress(_ source: UnsafeRawBufferPointer, flush: Int32, into out: inout ByteBuffer) -> Int32 {
        // zlib reads `next_in` without writing it (its `z_const` is empty here).
        stream.pointee.next_in = source.baseAddress.map {
            UnsafeMutablePointer(mutating: $0.assumingMemoryBound(to: Bytef.self))
        }
        stream.pointee.avail_in = UInt32(source.count)
        var status: Int32 = Z_OK
        repeat {
            out.reserveCapacity(minimumWritableBytes: 4096)
            let written = out.withUnsafeMutableWritableBytes { target in
                stream.pointee.next_out = target.baseAddress?.assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_out = UInt32(target.count)
                status = CZlib.deflate(stream, flush)
                return target.count - Int(stream.pointee.avail_out)
            }
            out.moveWriterIndex(forwardBy: written)
            // Output filled the room: call again; nothing more to write then is Z_BUF_ERROR.
        } while status == Z_OK && (stream.pointee.avail_out == 0 || stream.pointee.avail_in > 0)
        if status == Z_BUF_ERROR, stream.pointee.avail_in == 0 { status = Z_OK }
        return status
    }
}
