/// The identity of one replica: a field laptop's store, the daemon's store, a relay.
///
/// 64 random bits, written as 16 lowercase hex digits. With a million replicas the chance
/// that two draw the same id is about 3 in 100 million.
public struct ReplicaID: Hashable, Comparable, Sendable, Codable, CodingKeyRepresentable, CustomStringConvertible {
    /// The 64-bit value.
    public let rawValue: UInt64

    /// Wraps a 64-bit value.
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// Parses exactly 16 lowercase hex digits.
    public init?(_ text: String) {
        guard text.utf8.count == 16,
            text.utf8.allSatisfy({
                (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                    || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0)
            }),
            let value = UInt64(text, radix: 16)
        else { return nil }
        rawValue = value
    }

    /// Draws a new replica id.
    public static func random(using generator: inout some RandomNumberGenerator) -> ReplicaID {
        ReplicaID(rawValue: generator.next())
    }

    /// Draws a new replica id from the system's random source.
    public static func random() -> ReplicaID {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }

    /// The 16 lowercase hex digits.
    public var description: String {
        let digits = String(rawValue, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// Orders replicas by their 64-bit value (the tie-break between equal clock readings).
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The replica id as a key, so that maps by replica encode as JSON objects.
    public var codingKey: any CodingKey { Key(stringValue: description) }

    /// Reads a replica id from a map key.
    public init?<T: CodingKey>(codingKey: T) {
        self.init(codingKey.stringValue)
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let id = ReplicaID(text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not a replica id (16 hex digits)")
            )
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
