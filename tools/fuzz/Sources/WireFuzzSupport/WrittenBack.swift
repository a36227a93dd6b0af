import FuzzSupport
import GridProtocol

extension Message {
    /// The message as the peer reads it after this side writes it: the same, except that
    /// the writer turns each carriage return or line feed of an `ERR` message into a space
    /// (PROTOCOL.md, "ERR"), so such an `ERR` reads back with spaces there.
    public var writtenBack: Message {
        guard case .error(let error) = self else { return self }
        // Byte by byte: neither byte is ever part of a longer UTF-8 sequence.
        let bytes = error.message.utf8.map { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") ? UInt8(ascii: " ") : $0 }
        return .error(ProtocolError(error.code, String(decoding: bytes, as: UTF8.self)))
    }

    /// A short name for traces.
    public var summary: String {
        switch self {
        case .hello: "HELLO"
        case .welcome: "WELCOME"
        case .push(let through, let ops): "PUSH \(ops.count) \(through)"
        case .giveBack(let through, let ops): "RETURN \(ops.count) \(through)"
        case .ack(let through): "ACK \(through)"
        case .pull(let after, let limit): "PULL \(after) \(limit)"
        case .recover(let after, let limit): "RECOVER \(after) \(limit)"
        case .batch(let through, let more, let ops): "BATCH \(ops.count) \(through) \(more ? 1 : 0)"
        case .ask(let files): "ASK \(files.count)"
        case .held(let files): "HELD \(files.count)"
        case .offer(let file, let size): "OFFER \(file.hex.prefix(8)) \(size)"
        case .want(let file, let offset): "WANT \(file.hex.prefix(8)) \(offset)"
        case .have(let file): "HAVE \(file.hex.prefix(8))"
        case .fetch(let file, let offset): "FETCH \(file.hex.prefix(8)) \(offset)"
        case .stat(let file): "STAT \(file.hex.prefix(8))"
        case .size(let file, let size): "SIZE \(file.hex.prefix(8)) \(size)"
        case .chunk(let file, let size, let offset, let bytes):
            "CHUNK \(file.hex.prefix(8)) \(size) \(offset) (\(bytes.count) bytes)"
        case .error(let error): "ERR \(error.code)"
        case .bye: "BYE"
        }
    }
}

/// Reads `lines` with a new reader of `limits` and checks that the last line, and only
/// it, completes a message; returns that message.
public func readBack(_ lines: [String], limits: Limits) -> Message {
    var reader = MessageReader(limits: limits)
    for (index, line) in lines.enumerated() {
        invariant(!line.utf8.contains(UInt8(ascii: "\n")), "a written line holds a line feed: \(line.debugDescription)")
        let message: Message?
        do {
            message = try reader.read(line[...])
        } catch {
            fatalError("invariant violated: a written line is refused (\(error)): \(line.prefix(300).debugDescription)")
        }
        invariant(
            (message != nil) == (index == lines.count - 1),
            "line \(index + 1) of \(lines.count) written \(message == nil ? "completes no" : "completes a") message")
        if let message { return message }
    }
    fatalError("invariant violated: a message is written as no lines")
}
