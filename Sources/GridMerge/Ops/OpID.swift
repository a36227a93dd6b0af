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

    /// Parses `replica.sequence`.
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let replica = ReplicaID(String(parts[0])),
            parts[1].utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
            let sequence = UInt64(parts[1]), sequence > 0, String(sequence) == parts[1]
        else { return nil }
        self.init(replica: replica, sequence: sequence)
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
