import FuzzSupport
import GridProtocol
import WireFuzzSupport

/// Fuzzes `MessageReader.read(_:)` line by line, as the wire decoder feeds it: the input's
/// lines (split at line feeds), until one is not UTF-8 (the decoder refuses those before
/// the reader sees them) or the reader throws (it is unusable after that).
///
/// Invariants, for every message read:
/// - written back with `Message.lines` (the lines `WireEncoder` sends), it reads back, with
///   a new reader, as the same message, completed by its last line and no earlier one; the
///   one rewrite is the documented one, carriage returns and line feeds of an `ERR` message
///   turned into spaces (`Message.writtenBack`);
/// - writing it is a fixed point: the message read back writes the same lines;
/// - every message but `ERR` is written as exactly the lines it was read from, byte for byte:
///   the protocol has one spelling for each message, and the reader refuses the others
///   (PROTOCOL.md, "Lines": one space between fields, numbers without leading zeros, ...).
///   `ERR` is left out: its message is free text, and `ERR timeout` is written back with a
///   trailing space (`ERR timeout `), which reads back as the same message.
/// - every error thrown is a `ProtocolError` of a code a reader may send.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMessageReader(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let limits = Limits.standard
    var reader = MessageReader(limits: limits)
    var read: [String] = []
    for range in lineRanges(of: bytes) {
        guard let line = String(validating: bytes[range], as: UTF8.self) else {
            trace("stop: a line is not UTF-8")
            return 0
        }
        read.append(line)
        let message: Message?
        do {
            message = try reader.read(line[...])
        } catch {
            invariant(
                [.malformedLine, .malformedOp, .lineTooLong, .badCount].contains(error.code),
                "a reader error of code \(error.code)")
            trace("refused: \(error)")
            return 0
        }
        guard let message else { continue }
        trace("read: \(message.summary)")
        check(message, readFrom: read, limits: limits)
        read = []
    }
    invariant(read.isEmpty == reader.isIdle, "the reader is idle only between messages")
    return 0
}

private func check(_ message: Message, readFrom lines: [String], limits: Limits) {
    let written = message.lines
    let again = readBack(written, limits: limits)
    invariant(
        again == message.writtenBack,
        "\(message.summary) reads back as another message: \(String(describing: again).prefix(500))")
    invariant(again.lines == written, "\(message.summary) written again gives other lines")
    if case .error = message { return }
    invariant(
        written == lines,
        "\(message.summary) was read from lines it is not written as: read \(lines.map { $0.prefix(200) }) "
            + "written \(written.map { $0.prefix(200) })")
}
