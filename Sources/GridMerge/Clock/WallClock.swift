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
