import FuzzSupport
import GridProtocol
import NIOCore
import WireFuzzSupport

/// Fuzzes `WireDecoder`, which reads every byte a peer sends, with a `MessageBudget`.
///
/// The input is a 3-byte header, then the bytes of one direction of a connection. The header
/// chooses (see ``Plan``) how the bytes arrive (at once, in fixed or varying chunks), what is
/// done after the first message, as the two sides do after the handshake (`admit()`, or
/// `admit(limits)` with a `WELCOME`'s limits as the client does; `startInflating()` when
/// compression was agreed), and the budget's capacity.
///
/// Invariants:
/// - `next()` gives messages or throws a `ProtocolError`; after throwing, it throws the same error again;
/// - the budget never holds more than its capacity, holds nothing once a plain-text message
///   is complete and nothing of the next one is buffered (no other decoder shares it; a buffer
///   holding the next message's first bytes is charged its capacity), and is back to 0 bytes
///   once the decoder is gone,
///   whatever happened (an error, a message cut off, messages left unread);
/// - `wireBytes` counts every byte received;
/// - the way the bytes arrive does not change the messages: the chunked decoder's messages and
///   those of a decoder given every byte at once (without a budget) agree as far as both go,
///   and are the same when neither threw;
/// - the messages, written again by a `WireEncoder` (deflating after the first if the
///   input did) and read by another decoder, come back the same (`Message.writtenBack`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWireDecoder(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    guard input.count >= Plan.headerBytes else { return 0 }
    let plan = Plan(header: input.prefix(Plan.headerBytes))
    let body = Array(input.dropFirst(Plan.headerBytes))
    let budget = MessageBudget(capacity: plan.capacity)

    let chunked = decode(body, in: plan.chunks(of: body.count), plan: plan, budget: budget)
    invariant(budget.inUse == 0, "the budget holds \(budget.inUse) bytes after the decoder is gone")
    trace("\(plan): \(chunked)")

    let whole = decode(body, in: body.isEmpty ? [] : [0..<body.count], plan: plan, budget: nil)
    let common = min(chunked.messages.count, whole.messages.count)
    for index in 0..<common {
        invariant(
            chunked.messages[index] == whole.messages[index],
            "message \(index + 1) depends on how the bytes arrive: \(chunked.messages[index].summary) "
                + "in chunks, \(whole.messages[index].summary) at once")
    }
    if chunked.error == nil, whole.error == nil, !chunked.isCut, !whole.isCut {
        invariant(
            chunked.messages.count == whole.messages.count,
            "\(chunked.messages.count) messages in chunks, \(whole.messages.count) at once")
        invariant(chunked.isMidMessage == whole.isMidMessage, "isMidMessage depends on how the bytes arrive")
    }
    if chunked.error == nil, !chunked.isCut, let error = whole.error {
        // Only memory accounting may see more at once than in chunks (see RELIABILITY.md).
        invariant(
            error.code == .tooLarge,
            "bytes read in chunks without error are refused at once with \(error) after \(whole.messages.count) messages")
    }
    if chunked.text <= Plan.maximumTextWrittenAgain { checkWrittenAgain(chunked.messages, plan: plan) }
    return 0
}

/// What the header chose.
struct Plan: CustomStringConvertible {
    static let headerBytes = 3
    /// At most this many chunks, so that an input of 256 KiB is not fed a byte at a time: each
    /// `next()` looks for a line feed from the start of the unread bytes, and a long line fed
    /// byte by byte is quadratic (see RELIABILITY.md).
    static let maximumChunks = 1024
    /// Decoding stops after the message that reaches this many messages, or this many bytes of
    /// text (`textBytes`): a few kilobytes of deflate can hold millions of `BYE` or megabytes
    /// of text, and every byte of text costs a hundred times more under the sanitizers than in
    /// a release build. Where it stops may depend on the chunks, so a decoder that stopped is
    /// only compared as far as it went.
    static let maximumMessages = 2000
    static let maximumText = 256 << 10
    /// The limits of the decoder: the standard ones but for a message limit of 1 MiB instead of
    /// 16 MiB, so that `too-large` is reached by inputs of a few kilobytes, in milliseconds.
    static let limits = Limits(messageBytes: 1 << 20)
    /// Messages are written again only up to this many bytes of text: writing an `ERR` costs an
    /// allocation per character (`Message.lines` builds its text scalar by scalar), which under
    /// the sanitizers made long `ERR` lines most of the target's time.
    static let maximumTextWrittenAgain = 16 << 10
    static let capacities = [64, 512, 1_024, 4_096, 65_536, 1 << 20, 16 << 20, 1 << 28]

    enum Chunking { case whole, fixed(Int), varying(seed: UInt64, largest: Int), doubling }

    var admits: Bool
    var admitsAnnounced: Bool
    var inflates: Bool
    var capacity: Int
    var chunking: Chunking

    init(header: ArraySlice<UInt8>) {
        let flags = header[header.startIndex]
        let first = header[header.startIndex + 1]
        let second = header[header.startIndex + 2]
        admits = flags & 1 != 0
        inflates = flags & 2 != 0
        capacity = Self.capacities[Int(flags >> 2) & 7]
        admitsAnnounced = flags & 0x20 != 0
        switch flags >> 6 {
        case 0: chunking = .whole
        case 1: chunking = .fixed(Int(first) + 1)
        case 2: chunking = .varying(seed: UInt64(first) << 8 | UInt64(second), largest: Int(second) % 64 + 1)
        default: chunking = .doubling
        }
    }

    /// The chunks of a body of `count` bytes.
    func chunks(of count: Int) -> [Range<Int>] {
        let smallest = max(1, (count + Self.maximumChunks - 1) / Self.maximumChunks)
        var random = self.random
        var ranges: [Range<Int>] = []
        var start = 0
        var size = 1
        while start < count {
            let length: Int
            switch chunking {
            case .whole: length = count
            case .fixed(let fixed): length = fixed
            case .varying(_, let largest): length = Int(random.next() % UInt64(largest)) + 1
            case .doubling:
                length = size
                size = min(size * 2, 1 << 16)
            }
            let end = min(count, start + max(length, smallest))
            ranges.append(start..<end)
            start = end
        }
        return ranges
    }

    private var random: SplitMix {
        if case .varying(let seed, _) = chunking { SplitMix(state: seed) } else { SplitMix(state: 0) }
    }

    var description: String {
        "admit \(admits ? (admitsAnnounced ? "announced" : "yes") : "no") inflate \(inflates) "
            + "budget \(capacity) \(chunking)"
    }
}

/// A small, fixed random source for chunk sizes.
struct SplitMix {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// What one decoder made of the bytes.
struct Outcome: CustomStringConvertible {
    var messages: [Message] = []
    var error: ProtocolError?
    /// Decoding stopped at ``Plan/maximumMessages`` or ``Plan/maximumText``.
    var isCut = false
    var isMidMessage = false
    /// The decoder's `textBytes` at the end.
    var text = 0

    var description: String {
        "\(messages.count) messages\(isCut ? " (cut)" : "")"
            + (error.map { ", then \($0.code): \($0.message.prefix(120))" } ?? (isMidMessage ? ", mid-message" : ""))
    }
}

/// Decodes `body` arriving as `chunks`, as a connection's driver does: after each chunk,
/// messages until `nil`; after the first message, what `plan` says the handshake agreed.
func decode(_ body: [UInt8], in chunks: [Range<Int>], plan: Plan, budget: MessageBudget?) -> Outcome {
    let decoder = WireDecoder(limits: Plan.limits, budget: budget)
    var outcome = Outcome()
    var received = 0
    var isPlain = true
    for chunk in chunks {
        decoder.receive(ByteBuffer(bytes: body[chunk]))
        received += chunk.count
        invariant(decoder.wireBytes == received, "wireBytes \(decoder.wireBytes), received \(received)")
        while true {
            let message: Message?
            do {
                message = try decoder.next()
            } catch {
                do {
                    _ = try decoder.next()
                    fatalError("invariant violated: next() answers after throwing \(error)")
                } catch let again {
                    invariant(again == error, "next() threw \(error), then \(again)")
                }
                outcome.error = error
                return outcome
            }
            if let budget {
                invariant(budget.inUse <= budget.capacity, "the budget holds \(budget.inUse) of \(budget.capacity)")
            }
            outcome.text = decoder.textBytes
            guard let message else { break }
            if isPlain, let budget, !decoder.isMidMessage {
                invariant(budget.inUse == 0, "the budget holds \(budget.inUse) bytes after a whole plain message")
            }
            outcome.messages.append(message)
            if outcome.messages.count == Plan.maximumMessages || decoder.textBytes >= Plan.maximumText {
                outcome.isCut = true
                return outcome
            }
            if outcome.messages.count == 1 {
                if plan.admits {
                    if plan.admitsAnnounced, case .welcome(_, _, _, _, let limits, _, _, _, _) = message {
                        decoder.admit(limits)
                    } else {
                        decoder.admit()
                    }
                }
                if plan.inflates {
                    do {
                        try decoder.startInflating()
                    } catch {
                        fatalError("invariant violated: startInflating() threw \(error)")
                    }
                    isPlain = false
                }
            }
        }
    }
    outcome.isMidMessage = decoder.isMidMessage
    return outcome
}

/// The message without what a `WELCOME` takes from the reader rather than from its line (the
/// handshake line limit, which the decoder that reads messages written again sets higher).
func withoutReaderLimits(_ message: Message) -> Message {
    guard case .welcome(let version, let replica, let read, let write, var limits, let held, let time, let lineage, let deflate) = message
    else { return message }
    limits.handshakeLineBytes = 0
    return .welcome(
        version: version, replica: replica, read: read, write: write, limits: limits, heldThrough: held, serverTime: time,
        lineage: lineage, deflate: deflate)
}

/// Writes `messages` with a `WireEncoder`, deflating after the first if `plan` inflates,
/// and reads them back with a decoder whose limits let every message the first one read through.
func checkWrittenAgain(_ messages: [Message], plan: Plan) {
    guard !messages.isEmpty else { return }
    let encoder = WireEncoder()
    var bytes = ByteBuffer()
    for (index, message) in messages.enumerated() {
        do {
            bytes.writeImmutableBuffer(try encoder.encode(message))
            // As the decoder is admitted after the first message: a CHUNK's bytes framed as the
            // current version frames them from there on.
            if index == 0 { encoder.chunkFraming = ProtocolVersion.current.chunkFraming }
            if index == 0, plan.inflates { try encoder.startDeflating() }
        } catch {
            fatalError("invariant violated: WireEncoder threw \(error) for \(message.summary)")
        }
    }
    let roomy = Limits(lineBytes: 1 << 24, opsPerBatch: .max, messageBytes: 1 << 30, handshakeLineBytes: 1 << 24)
    let decoder = WireDecoder(limits: roomy)
    decoder.receive(bytes)
    for (index, message) in messages.enumerated() {
        do {
            let again = try decoder.next()
            invariant(
                again.map(withoutReaderLimits) == withoutReaderLimits(message.writtenBack),
                "message \(index + 1) (\(message.summary)) written again reads back as \(again?.summary ?? "nothing")")
        } catch {
            fatalError("invariant violated: message \(index + 1) (\(message.summary)) written again is refused: \(error)")
        }
        if index == 0 {
            decoder.admit()
            if plan.inflates {
                do { try decoder.startInflating() } catch { fatalError("invariant violated: startInflating() threw \(error)") }
            }
        }
    }
    do {
        let extra = try decoder.next()
        invariant(extra == nil, "more messages read back than were written")
    } catch {
        fatalError("invariant violated: the bytes after the messages written again are refused: \(error)")
    }
    invariant(!decoder.isMidMessage, "the messages written again end mid-message")
}
