import CompressNIO
import Foundation
import NIOCore

/// Turns the bytes of one direction of a connection into messages: plain lines at first,
/// then, once compression is agreed, one deflate stream inflated under the limits.
///
/// Sans-I/O: the driver hands it whatever bytes arrived with ``receive(_:)`` and takes
/// messages with ``next()`` until it answers `nil`. Between two messages the driver may
/// switch the rest of the input to deflate (``startInflating()``), which is why messages
/// come out one at a time. It holds a zlib stream, so it is a class, kept by one task.
/// After it has thrown, it throws the same error again.
public final class WireDecoder {
    /// The limits enforced (the line limit is the smaller handshake one until ``admit()``).
    public private(set) var limits: Limits
    /// Bytes received from the wire, compressed or not.
    public private(set) var wireBytes = 0
    /// Bytes of lines after inflating (the same as ``wireBytes`` without compression).
    public private(set) var textBytes = 0

    private var reader: MessageReader
    private var lineLimit: Int
    private var raw = ByteBuffer()
    private var text = ByteBuffer()
    private var inflater: ZlibDecompressor?
    private var messageText = 0
    private var failure: ProtocolError?
    /// The daemon-wide budget the message being read takes from, if any, and how much it holds.
    private let budget: MessageBudget?
    private var held = 0
    /// Whether the peer is authenticated: the handshake's short lines take nothing from the budget.
    private var admitted = false

    /// What a message costs the budget per byte of its text: the text itself, and the ops parsed
    /// from it while the rest arrives, which take about as much again.
    public static let budgetBytesPerTextByte = 2

    /// How much is inflated at a time, so a bomb is caught before it takes memory.
    static let inflateStep = 64 * 1024

    /// Creates a decoder in the handshake: plain lines of at most `limits.handshakeLineBytes`.
    /// With a `budget`, the message being read holds its bytes from it (the daemon's connections).
    public init(limits: Limits = .standard, budget: MessageBudget? = nil) {
        self.limits = limits
        self.reader = MessageReader(limits: limits)
        self.lineLimit = limits.handshakeLineBytes
        self.budget = budget
    }

    deinit {
        budget?.giveBack(held)
    }

    /// The peer is authenticated: lines may now be as long as ``Limits/lineBytes``, the
    /// limits are `limits` (the server's announced ones, for a client), and a `CHUNK`'s bytes
    /// are framed as the agreed `version` frames them.
    public func admit(_ limits: Limits? = nil, version: ProtocolVersion = .current) {
        if let limits {
            self.limits = limits
            reader.limits = limits
        }
        reader.chunkFraming = version.chunkFraming
        lineLimit = self.limits.lineBytes
        admitted = true
    }

    /// Inflates every byte after the message just taken: the peer compresses from here on.
    public func startInflating() throws(ProtocolError) {
        guard inflater == nil else { return }
        do {
            inflater = try ZlibDecompressor(algorithm: .deflate)
        } catch {
            throw ProtocolError(.internal, "zlib could not start a stream: \(error)")
        }
        messageText = 0
        try? hold()
    }

    /// Whether the input ends part-way through a message (a line or a batch).
    public var isMidMessage: Bool {
        raw.readableBytes > 0 || text.readableBytes > 0 || !reader.isIdle
    }

    /// Takes bytes that arrived.
    public func receive(_ bytes: ByteBuffer) {
        wireBytes += bytes.readableBytes
        guard failure == nil else { return }
        if inflater == nil { textBytes += bytes.readableBytes }
        raw.writeImmutableBuffer(bytes)
    }

    /// The next whole message, or `nil` until more bytes arrive.
    ///
    /// - Throws: a ``ProtocolError``: a line over the limit (or one that never ends), a
    ///   line that is not UTF-8 or not a message, a batch whose count is wrong, a deflate
    ///   stream that is corrupt or ended, or a message that inflates past the limits.
    public func next() throws(ProtocolError) -> Message? {
        if let failure { throw failure }
        do {
            while true {
                if let length = reader.awaitedBodyBytes {
                    let body = inflater == nil ? try takeBody(length, from: &raw) : try takeBody(length, from: &text)
                    if let body { return completed(try reader.readBody(body)) }
                    guard inflater != nil else {
                        try hold()
                        return nil
                    }
                    guard raw.readableBytes > 0 else { return nil }
                    try inflateStep()
                } else if inflater == nil {
                    guard let line = try takeLine(from: &raw) else { return nil }
                    messageText += line.utf8.count + 1
                    try checkMessageSize()
                    try hold()
                    if let message = try reader.read(line[...]) { return completed(message) }
                } else if let line = try takeLine(from: &text) {
                    if let message = try reader.read(line[...]) { return completed(message) }
                } else {
                    guard raw.readableBytes > 0 else { return nil }
                    try inflateStep()
                }
            }
        } catch {
            failure = error
            // Nothing more is read: the message's bytes and parsed ops are let go, and their
            // share goes back to the daemon's budget, now, not when the connection has finished
            // closing (a refused connection is drained for a while before it closes).
            reader = MessageReader(limits: limits)
            raw = ByteBuffer()
            text = ByteBuffer()
            budget?.giveBack(held)
            held = 0
            throw error
        }
    }

    /// Starts counting the next message; inflated bytes already buffered belong to it. Buffers
    /// left empty are let go, so that a connection between messages holds nothing of the budget.
    private func completed(_ message: Message) -> Message {
        raw.discardReadBytes()
        text.discardReadBytes()
        if raw.readableBytes == 0 { raw = ByteBuffer() }
        if text.readableBytes == 0 { text = ByteBuffer() }
        messageText = text.readableBytes
        try? hold()
        return message
    }

    /// Holds from the budget as many bytes as the message being read costs, and the buffers
    /// holding its bytes: more as it grows, fewer once it is whole.
    private func hold() throws(ProtocolError) {
        guard let budget, admitted else { return }
        let cost = messageText * Self.budgetBytesPerTextByte + raw.capacity + text.capacity
        guard cost != held else { return }
        if cost < held {
            budget.giveBack(held - cost)
        } else if !budget.take(cost - held) {
            throw ProtocolError(
                .unavailable,
                "the server holds as many unfinished messages as its memory allows (\(budget.capacity) bytes): "
                    + "sync again in a minute")
        }
        held = cost
    }

    /// Takes one line, without its line feed, if a whole one is buffered.
    private func takeLine(from buffer: inout ByteBuffer) throws(ProtocolError) -> String? {
        // memchr: a line arrives in pieces and is looked through again as each one comes.
        let lineFeed = buffer.withUnsafeReadableBytes { bytes -> Int? in
            guard let start = bytes.baseAddress, let found = memchr(start, 0x0A, bytes.count) else { return nil }
            return start.distance(to: UnsafeRawPointer(found))
        }
        guard let length = lineFeed else {
            guard buffer.readableBytes <= lineLimit else {
                throw ProtocolError(
                    .lineTooLong, "more than \(lineLimit) bytes arrived without a line feed, the longest line allowed")
            }
            return nil
        }
        guard length <= lineLimit else {
            throw ProtocolError(.lineTooLong, "a line of \(length) bytes is over the limit of \(lineLimit)")
        }
        let bytes = buffer.readableBytesView.prefix(length)
        guard let line = String(validating: bytes, as: UTF8.self) else {
            throw ProtocolError(.malformedLine, "a line is not valid UTF-8: every line must be UTF-8 text")
        }
        buffer.moveReaderIndex(forwardBy: length + 1)
        // The lines taken are dropped as the message goes on, not only at its end: an
        // unfinished message holds its unread bytes and parsed ops, not its text twice. They
        // are dropped once they are as many as the unread ones, so moving the unread bytes down
        // costs no more than the lines taken (dropping after every line moved a CHUNK's
        // megabyte once per line).
        if buffer.readerIndex > 65_536, buffer.readerIndex >= buffer.readableBytes { buffer.discardReadBytes() }
        return line
    }

    /// Takes the `length` bytes of a `CHUNK` (gridsync/5) and the line feed after them, if all
    /// have arrived.
    private func takeBody(_ length: Int, from buffer: inout ByteBuffer) throws(ProtocolError) -> [UInt8]? {
        guard buffer.readableBytes > length else { return nil }
        guard buffer.getInteger(at: buffer.readerIndex + length, as: UInt8.self) == UInt8(ascii: "\n") else {
            throw ProtocolError(
                .malformedLine, "a CHUNK's \(length) bytes are not followed by a line feed: the framing is lost")
        }
        if inflater == nil {
            messageText += length + 1
            try checkMessageSize()
        }
        let body = buffer.readBytes(length: length)
        buffer.moveReaderIndex(forwardBy: 1)
        return body
    }

    /// Inflates up to ``inflateStep`` bytes of the buffered input.
    private func inflateStep() throws(ProtocolError) {
        guard let inflater else { return }
        text.discardReadBytes()
        text.reserveCapacity(minimumWritableBytes: Self.inflateStep)
        let consumedBefore = raw.readableBytes
        let producedBefore = text.readableBytes
        do {
            try inflater.inflate(from: &raw, to: &text)
        } catch let error as CompressNIOError where error == .bufferOverflow || error == .inputBufferOverflow {
            // The window is full, or the input is used up: both are progress.
        } catch {
            throw ProtocolError(.badDeflate, "the deflate stream is corrupt (\(error)): the connection is closed")
        }
        let consumed = consumedBefore - raw.readableBytes
        let produced = text.readableBytes - producedBefore
        // The compressed bytes inflated are dropped as the message goes on (by the rule of
        // `takeLine`), not kept until its end: a photo's chunk made this buffer grow by copies
        // to the chunk's whole size, in a fresh allocation for every chunk.
        if raw.readerIndex > 65_536, raw.readerIndex >= raw.readableBytes { raw.discardReadBytes() }
        guard consumed > 0 || produced > 0 else {
            throw ProtocolError(.badDeflate, "bytes arrived after the end of the deflate stream")
        }
        textBytes += produced
        messageText += produced
        // No rule on the compression ratio: the shared window makes high ratios normal for
        // honest data (fifty edits of one long description). Memory is bounded by the
        // message limit and the daemon's budget, checked after every step.
        try checkMessageSize()
        try hold()
    }

    private func checkMessageSize() throws(ProtocolError) {
        guard messageText <= limits.messageBytes else {
            throw ProtocolError(
                .tooLarge, "a message of more than \(limits.messageBytes) bytes is over the limit: send smaller batches"
            )
        }
    }
}
