/// A hybrid logical clock reading: 48 bits of milliseconds since 1970 and a 16-bit counter.
///
/// Readings compare as one 64-bit number, so a reading taken after another (on any
/// replica that has seen it) is always greater. Ties between replicas are broken by
/// replica id where an order is needed (see ``OpID``).
public struct HybridTimestamp: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// Milliseconds in the high 48 bits, the counter in the low 16.
    public let rawValue: UInt64

    /// The largest millisecond value that fits in 48 bits (the year 10889).
    public static let maximumMilliseconds: UInt64 = (1 << 48) - 1
    /// The largest counter value.
    public static let maximumCounter: UInt16 = .max
    /// The reading before any other.
    public static let zero = HybridTimestamp(rawValue: 0)

    /// Creates a reading from its packed 64-bit form.
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// Creates a reading from milliseconds (at most ``maximumMilliseconds``) and a counter.
    public init(milliseconds: UInt64, counter: UInt16) {
        precondition(milliseconds <= Self.maximumMilliseconds, "milliseconds do not fit in 48 bits")
        rawValue = milliseconds << 16 | UInt64(counter)
    }

    /// Milliseconds since 1970-01-01 UTC.
    public var milliseconds: UInt64 { rawValue >> 16 }
    /// The logical counter within one millisecond.
    public var counter: UInt16 { UInt16(truncatingIfNeeded: rawValue) }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(UInt64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// `milliseconds.counter`, for logs and error messages.
    public var description: String { "\(milliseconds).\(counter)" }

    /// Orders readings by milliseconds, then counter.
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}
