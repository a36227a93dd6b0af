import GridMerge
import Synchronization

/// A wall clock that tests move by hand, forwards or backwards.
public final class ManualWallClock: WallClock {
    private let milliseconds: Mutex<UInt64>

    /// Creates a clock showing `milliseconds` since 1970 (default: 2026-11-01 08:00 Beijing time).
    public init(milliseconds: UInt64 = 1_793_491_200_000) {
        self.milliseconds = Mutex(milliseconds)
    }

    public func millisecondsSince1970() -> UInt64 {
        milliseconds.withLock { $0 }
    }

    /// Sets the clock to a reading, which may be earlier than the current one.
    public func set(_ value: UInt64) {
        milliseconds.withLock { $0 = value }
    }

    /// Moves the clock by `delta` milliseconds (negative moves it back), not below zero.
    public func advance(by delta: Int64) {
        milliseconds.withLock { $0 = delta >= 0 ? $0 &+ UInt64(delta) : $0 - min($0, delta.magnitude) }
    }
}
