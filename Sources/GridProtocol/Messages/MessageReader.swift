import Foundation
import GridMerge
import GridModel

/// Turns lines into messages, enforcing the limits: a sans-I/O decoder that the network
/// handlers, the tests and the vectors all feed line by line.
public struct MessageReader: Sendable {
    /// The limits enforced.
    public var limits: Limits
    /// How a `CHUNK` carries its bytes (the version's, once the handshake has agreed one).
    public var chunkFraming: ChunkFraming
    private var pending: Pending?
    private var pendingChunk: PendingChunk?
    private var pendingBody: PendingBody?
    private var pendingFiles: PendingFiles?

    /// A batch header whose op lines are still arriving.
    private struct Pending: Sendable {
        let verb: Substring
        let count: Int
        let through: Int64
        let more: Bool
        var ops: [Op] = []
    }

    /// A `CHUNK` header whose lines of bytes are still arriving.
    private struct PendingChunk: Sendable {
        let file: FileID
        let size: Int64
        let offset: Int64
        let lines: Int
        var read = 0
        var bytes: [UInt8] = []
    }

    /// A `CHUNK` header (gridsync/5) whose bytes are still to be read.
    private struct PendingBody: Sendable {
        let file: FileID
        let size: Int64
        let offset: Int64
        let length: Int
    }

    /// An `ASK` or `HELD` header whose file lines are still arriving.
    private struct PendingFiles: Sendable {
        let verb: Substring
        let count: Int
        var files: [FileID] = []
        var seen: Set<FileID> = []
    }

    /// Creates a reader with limits, reading a `CHUNK`'s bytes as `chunkFraming` says.
    public init(limits: Limits = .standard, chunkFraming: ChunkFraming = .base64Lines) {
        self.limits = limits
        self.chunkFraming = chunkFraming
    }

    /// Whether the reader is between messages (no batch is half read).
    public var isIdle: Bool {
        pending == nil && pendingChunk == nil && pendingBody == nil && pendingFiles == nil
    }

    /// How many bytes of a `CHUNK` (gridsync/5) must be read next with ``readBody(_:)``, if any:
    /// they are not a line, and may hold line feeds. A line feed follows them.
    public var awaitedBodyBytes: Int? { pendingBody?.length }

    /// Reads the bytes of the `CHUNK` whose header was read last (gridsync/5): exactly
    /// ``awaitedBodyBytes`` of them, without the line feed after them.
    ///
    /// - Throws: a ``ProtocolError`` if no `CHUNK` awaits its bytes, or they are not as many as it said.
    public mutating func readBody(_ bytes: [UInt8]) throws(ProtocolError) -> Message {
        guard let body = pendingBody, bytes.count == body.length else {
            throw ProtocolError(
                .malformedLine,
                "\(bytes.count) bytes arrived where a CHUNK's \(pendingBody.map { "\($0.length)" } ?? "no") bytes were due"
            )
        }
        pendingBody = nil
        return .chunk(file: body.file, size: body.size, offset: body.offset, bytes: bytes)
    }

    /// Reads one line (without its line feed).
    ///
    /// - Returns: the message the line completes, or `nil` if more op lines are due.
    /// - Throws: a ``ProtocolError`` for a line over the limit, an unknown or malformed
    ///   line, or a batch that announces more ops than allowed. The reader is then unusable.
    public mutating func read(_ line: Substring) throws(ProtocolError) -> Message? {
        guard line.utf8.count <= limits.lineBytes else {
            throw ProtocolError(
                .lineTooLong, "a line of \(line.utf8.count) bytes is over the limit of \(limits.lineBytes)")
        }
        if pendingChunk != nil { return try readChunkLine(line) }
        // A transcript writes a CHUNK's bytes as a line (they are text there); the wire's
        // decoder takes them by their count instead.
        if pendingBody != nil { return try readBody(Array(line.utf8)) }
        if var list = pendingFiles {
            pendingFiles = nil
            guard let file = FileID(String(line)), list.seen.insert(file).inserted else {
                throw ProtocolError(
                    .malformedLine,
                    "line \(list.files.count + 1) of \(list.verb) is not a file id, or names one named before")
            }
            list.files.append(file)
            guard list.files.count == list.count else {
                pendingFiles = list
                return nil
            }
            return list.verb == "ASK" ? .ask(files: list.files) : .held(files: list.files)
        }
        if var batch = pending {
            guard line.hasPrefix("OP ") else {
                throw ProtocolError(
                    .badCount, "\(batch.verb) announced \(batch.count) ops but line \(batch.ops.count + 1) is not an op"
                )
            }
            // Out of `pending` while it grows, so that appending does not copy the ops each time.
            pending = nil
            batch.ops.append(try OpLine.op(from: line))
            guard batch.ops.count == batch.count else {
                pending = batch
                return nil
            }
            switch batch.verb {
            case "BATCH": return .batch(through: batch.through, more: batch.more, ops: batch.ops)
            case "RETURN": return .giveBack(through: batch.through, ops: batch.ops)
            default: break
            }
            guard batch.ops.last!.id.sequence == batch.through else {
                throw ProtocolError(
                    .malformedLine,
                    "PUSH says it goes through \(batch.through), but its last op is \(batch.ops.last!.id): "
                        + "<through> is the sequence of the push's last op")
            }
            return .push(through: batch.through, ops: batch.ops)
        }
        // Split on the space byte, not on Characters, and at most 12 times (no message has more
        // words; a longer line keeps a 13th that fails every count): a line may be 64 KiB, and
        // splitting it whole, by grapheme clusters, cost more than the rest of its handling.
        let words = line.utf8.split(separator: UInt8(ascii: " "), maxSplits: 12, omittingEmptySubsequences: false)
            .map(Substring.init)
        switch words.first {
        case "HELLO":
            guard (4...5).contains(words.count), let replica = ReplicaID(String(words[2])),
                Message.isValidToken(words[3]), words.count == 4 || words[4] == "deflate"
            else { throw malformed("HELLO version replica token [deflate]") }
            return .hello(
                version: String(words[1]), replica: replica, token: String(words[3]), deflate: words.count == 5)
        case "WELCOME":
            guard (11...12).contains(words.count), let replica = ReplicaID(String(words[2])),
                let read = Self.scopes(words[3]), let write = Self.scopes(words[4]),
                let lineBytes = Self.number(words[5]), let opsPerBatch = Self.number(words[6]),
                let messageBytes = Self.number(words[7]), let heldThrough = Self.number(words[8]),
                let serverTime = Self.number(words[9]), let lineage = Self.replicas(words[10]), lineBytes > 0,
                opsPerBatch > 0, messageBytes > lineBytes, words.count == 11 || words[11] == "deflate"
            else {
                throw malformed(
                    "WELCOME version replica read-scopes write-scopes line-bytes ops-per-batch message-bytes "
                        + "held-through server-time lineage [deflate]")
            }
            let announced = Limits(
                lineBytes: Int(lineBytes), opsPerBatch: Int(opsPerBatch), messageBytes: Int(messageBytes))
            return .welcome(
                version: String(words[1]), replica: replica, read: read, write: write,
                limits: limits.announced(by: announced), heldThrough: heldThrough, serverTime: serverTime,
                lineage: lineage, deflate: words.count == 12)
        case "PUSH", "BATCH", "RETURN":
            let isPush = words[0] != "BATCH"
            guard words.count == (isPush ? 3 : 4), let count = Self.number(words[1]),
                let through = Self.number(words[2]),
                isPush || words[3] == "0" || words[3] == "1"
            else { throw malformed(isPush ? "\(words[0]) count through" : "BATCH count through more") }
            guard count <= limits.opsPerBatch else {
                throw ProtocolError(.badCount, "\(words[0]) of \(count) ops is over the limit of \(limits.opsPerBatch)")
            }
            let more = !isPush && words[3] == "1"
            guard count > 0 else {
                guard !isPush else { throw malformed("\(words[0]) count through, with a count of at least 1") }
                return .batch(through: through, more: more, ops: [])
            }
            pending = Pending(verb: words[0], count: Int(count), through: through, more: more)
            return nil
        case "ACK":
            guard words.count == 2, let through = Self.number(words[1]) else { throw malformed("ACK through") }
            return .ack(through: through)
        case "PULL", "RECOVER":
            guard words.count == 3, let after = Self.number(words[1]), let limit = Self.number(words[2]), limit > 0
            else {
                throw malformed("\(words[0]) after limit")
            }
            return words[0] == "PULL"
                ? .pull(after: after, limit: Int(limit)) : .recover(after: after, limit: Int(limit))
        case "ASK", "HELD":
            guard words.count == 2, let count = Self.number(words[1]), count <= Message.filesPerAsk,
                words[0] == "HELD" || count > 0
            else {
                throw malformed(
                    "\(words[0]) count, at most \(Message.filesPerAsk)\(words[0] == "ASK" ? ", at least 1" : "")")
            }
            guard count > 0 else { return .held(files: []) }
            pendingFiles = PendingFiles(verb: words[0], count: Int(count))
            return nil
        case "STAT":
            guard words.count == 2, let file = FileID(String(words[1])) else { throw malformed("STAT file") }
            return .stat(file: file)
        case "OFFER", "WANT", "FETCH", "SIZE":
            guard words.count == 3, let file = FileID(String(words[1])), let number = Self.number(words[2]) else {
                throw malformed("\(words[0]) file \(words[0] == "OFFER" || words[0] == "SIZE" ? "size" : "offset")")
            }
            switch words[0] {
            case "OFFER": return .offer(file: file, size: number)
            case "SIZE": return .size(file: file, size: number)
            case "WANT": return .want(file: file, offset: number)
            default: return .fetch(file: file, offset: number)
            }
        case "HAVE":
            guard words.count == 2, let file = FileID(String(words[1])) else { throw malformed("HAVE file") }
            return .have(file: file)
        case "CHUNK":
            return try readChunkHeader(words)
        case "ERR":
            guard words.count >= 2, !words[1].isEmpty else { throw malformed("ERR code message") }
            let message = words.dropFirst(2).joined(separator: " ")
            return .error(ProtocolError(ProtocolError.Code(rawValue: String(words[1])), message))
        case "BYE":
            guard words.count == 1 else { throw malformed("BYE") }
            return .bye
        default:
            throw ProtocolError(.malformedLine, "unknown line '\(line.prefix(40))': expected a message verb")
        }
    }

    /// Reads a `CHUNK` header: `CHUNK file size offset count`, where the count is of the bytes
    /// that follow (gridsync/5), at most ``Limits/fileChunkBytes``, or of the lines of base64
    /// (gridsync/4), at most ``Message/fileChunkLines``; either way they end within the file.
    private mutating func readChunkHeader(_ words: [Substring]) throws(ProtocolError) -> Message? {
        let isBytes = chunkFraming == .bytes
        guard words.count == 5, let file = FileID(String(words[1])), let size = Self.number(words[2]),
            let offset = Self.number(words[3]), offset <= size, let count = Self.number(words[4]),
            (count == 0) == (offset == size),
            isBytes
                ? count <= Int64(limits.fileChunkBytes) && count <= size - offset
                : count <= Message.fileChunkLines && (count - 1) * Int64(limits.fileLineBytes) < size - offset
        else {
            throw malformed(
                isBytes
                    ? "CHUNK file size offset length, at most \(limits.fileChunkBytes) bytes that end within the file "
                        + "(0 only at its end)"
                    : "CHUNK file size offset lines, at most \(Message.fileChunkLines) lines of bytes that end within "
                        + "the file (0 only at its end)")
        }
        guard count > 0 else { return .chunk(file: file, size: size, offset: offset, bytes: []) }
        if isBytes {
            pendingBody = PendingBody(file: file, size: size, offset: offset, length: Int(count))
        } else {
            pendingChunk = PendingChunk(file: file, size: size, offset: offset, lines: Int(count))
        }
        return nil
    }

    /// Reads a line of a `CHUNK`'s bytes: canonical base64 (padded, as encoding the bytes again
    /// writes it) of ``Limits/fileLineBytes`` bytes, fewer only on the last line, and never
    /// past the file's end.
    private mutating func readChunkLine(_ line: Substring) throws(ProtocolError) -> Message? {
        guard var chunk = pendingChunk else { return nil }
        pendingChunk = nil
        let isLast = chunk.read + 1 == chunk.lines
        guard let bytes = Self.canonicalBase64(line),
            isLast ? !bytes.isEmpty && bytes.count <= limits.fileLineBytes : bytes.count == limits.fileLineBytes,
            chunk.offset + Int64(chunk.bytes.count + bytes.count) <= chunk.size
        else {
            throw ProtocolError(
                .malformedLine,
                "line \(chunk.read + 1) of a CHUNK of \(chunk.lines) lines is not base64 of \(limits.fileLineBytes) "
                    + "bytes (fewer only on the last line) within the file's \(chunk.size)")
        }
        chunk.bytes += bytes
        chunk.read += 1
        guard isLast else {
            pendingChunk = chunk
            return nil
        }
        return .chunk(file: chunk.file, size: chunk.size, offset: chunk.offset, bytes: chunk.bytes)
    }

    /// The bytes of `text` if it is base64 as Foundation writes it: padded to four characters,
    /// with no other characters, and the bits a last character leaves over all zero (so the
    /// bytes written again give the same text).
    static func canonicalBase64(_ text: Substring) -> [UInt8]? {
        let utf8 = text.utf8
        guard !utf8.isEmpty, utf8.count % 4 == 0, let data = Data(base64Encoded: String(text)) else { return nil }
        let padding = utf8.reversed().prefix(2).filter { $0 == UInt8(ascii: "=") }.count
        guard padding > 0 else { return [UInt8](data) }
        // The last character before the padding carries 4 (==) or 2 (=) bits past the bytes' end.
        let last = utf8[utf8.index(utf8.endIndex, offsetBy: -padding - 1)]
        guard let value = Self.base64Value(last), value & (padding == 2 ? 0x0F : 0x03) == 0 else { return nil }
        return [UInt8](data)
    }

    private static func base64Value(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): character - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): character - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: "/"): 63
        default: nil
        }
    }

    private func malformed(_ grammar: String) -> ProtocolError {
        ProtocolError(.malformedLine, "expected \(grammar)")
    }

    /// A decimal number from 0 to 2^63 - 1, without leading zeros.
    static func number(_ text: Substring) -> Int64? {
        guard let value = Int64(text), value >= 0, String(value) == text else { return nil }
        return value
    }

    /// Replica ids joined by `,`, or `-` for none: at most 16, none twice.
    static func replicas(_ text: Substring) -> [ReplicaID]? {
        guard text != "-" else { return [] }
        var replicas: [ReplicaID] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let replica = ReplicaID(String(part)), !replicas.contains(replica), replicas.count < 16 else {
                return nil
            }
            replicas.append(replica)
        }
        return replicas
    }

    /// Scopes joined by `,`, or `-` for none.
    static func scopes(_ text: Substring) -> [GridScope]? {
        guard text != "-" else { return [] }
        var scopes: [GridScope] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let scope = GridScope(String(part)) else { return nil }
            scopes.append(scope)
        }
        return scopes
    }
}
