/// The identity of an op: the replica that wrote it and that replica's sequence number for it.
///
/// A replica numbers its own ops 1, 2, 3, … with no gaps, so "everything from replica R after
/// sequence n" is a cursor. The text form is `replica.sequence`, e.g. `00c0ffee00c0ffee.42`.
public struct OpID: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The replica that wrote the op.
    public let replica: ReplicaID
    /// The writer's sequence number for the op, from 1.
    public let sequence: UInt64

    /// Creates an op id.
    public init(replica: ReplicaID, sequence: UInt64) {
        self.replica = replica
        self.sequence = sequence
    }

    /// Parses `replica.sequence` as ``description`` writes it, and nothing else: 16 lowercase
    /// hex digits, a dot, and a sequence from 1 without leading zeros. Byte by byte, since op
    /// lines carry several ids each and every received op is parsed.
    public init?(_ text: some StringProtocol) {
        var replica: UInt64 = 0
        var sequence: UInt64 = 0
        var position = 0
        for byte in text.utf8 {
            switch position {
            case 0..<16:
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): replica = replica << 4 | UInt64(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): replica = replica << 4 | UInt64(byte - UInt8(ascii: "a") + 10)
                default: return nil
                }
            case 16:
                guard byte == UInt8(ascii: ".") else { return nil }
            default:
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte), position > 17 || byte != UInt8(ascii: "0")
                else { return nil }
                let (times10, overflow) = sequence.multipliedReportingOverflow(by: 10)
                let (next, carry) = times10.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
                guard !overflow, !carry else { return nil }
                sequence = next
            }
            position += 1
        }
        guard position > 17 else { return nil }
        self.init(replica: ReplicaID(rawValue: replica), sequence: sequence)
    }

    /// Hashes one mixed word instead of two: op ids are hashed for every op applied.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(replica.rawValue ^ (sequence &* 0x9E37_79B9_7F4A_7C15))
    }

    /// `replica.sequence`.
    public var description: String { "\(replica).\(sequence)" }

    /// Orders by replica, then sequence.
    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.replica, lhs.sequence) < (rhs.replica, rhs.sequence)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let id = OpID(text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not an op id (replica.sequence)"))
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
