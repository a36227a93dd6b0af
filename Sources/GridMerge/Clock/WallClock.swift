import Foundation

/// A source of physical time for the hybrid logical clock.
///
/// Injected so that tests can move time forwards and backwards at will.
public protocol WallClock: Sendable {
    /// Milliseconds since 1970-01-01 UTC.
    func millisecondsSince1970() -> UInt64
}

/// The system's real-time clock.
public struct SystemWallClock: WallClock {
    /// Creates the system clock.
    public init() {}

    public func millisecondsSince1970() -> UInt64 {
        UInt64(max(0, Date().timeIntervalSince1970 * 1000))
    }
}

/// A wall clock corrected by an offset measured against a reference: a field laptop's
/// clock, corrected by what the server's clock read at the last sync.
///
/// A laptop whose clock is 7 minutes slow writes its ops with the server's time, so that
/// every replica's clocks agree with the one reference, whatever the laptops' own say.
public struct OffsetWallClock: WallClock {
    /// The clock being corrected.
    public let base: any WallClock
    /// Milliseconds to add to `base` (negative when `base` is fast).
    public let offset: Int64

    /// Creates `base` corrected by `offset` milliseconds.
    public init(_ base: any WallClock, offset: Int64) {
        self.base = base
        self.offset = offset
    }

    public func millisecondsSince1970() -> UInt64 {
        let reading = Int64(clamping: base.millisecondsSince1970())
        return UInt64(max(0, reading &+ offset))
    }
}
