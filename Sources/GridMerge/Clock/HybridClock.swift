import Foundation

/// A replica's hybrid logical clock: close to wall time, but never going backwards.
///
/// Every op a replica writes takes a reading from ``tick()``; every op it receives passes
/// through ``observe(_:)`` first, so that the replica's next op is later than everything it
/// has seen. When the wall clock jumps back (a laptop's battery died and the clock reset),
/// the clock keeps counting from where it was. A remote reading that is more than
/// ``maximumDrift`` milliseconds ahead of the local wall clock is refused and does not
/// move the clock: one bad laptop clock must not drag every replica into the future.
public struct HybridClock: Sendable {
    /// The latest reading this clock has given or seen.
    public private(set) var latest: HybridTimestamp
    /// How far ahead of the local wall clock (in milliseconds) a remote reading may be.
    public let maximumDrift: UInt64
    private let wallClock: any WallClock

    /// The default bound on remote clocks: five minutes ahead of this replica's wall clock.
    public static let defaultMaximumDrift: UInt64 = 5 * 60 * 1000

    /// Creates a clock that starts after `latest` (the last reading a replica stored).
    public init(wallClock: any WallClock, maximumDrift: UInt64 = defaultMaximumDrift, latest: HybridTimestamp = .zero) {
        self.wallClock = wallClock
        self.maximumDrift = maximumDrift
        self.latest = latest
    }

    /// Takes a new reading for a local event, greater than every earlier one.
    public mutating func tick() -> HybridTimestamp {
        latest = Self.successor(of: latest, atLeast: wallMilliseconds())
        return latest
    }

    /// Takes a remote reading into account, so that later ticks come after it.
    ///
    /// - Throws: ``MergeError/Code/clockTooFarAhead`` if `remote` is more than
    ///   ``maximumDrift`` ahead of the local wall clock; the clock is then unchanged.
    public mutating func observe(_ remote: HybridTimestamp) throws(MergeError) {
        try check(remote)
        if remote > latest { latest = remote }
    }

    /// Takes into account a reading that the time reference has already bounded: an op
    /// pulled from the server, which refused every op further ahead of its own clock.
    ///
    /// A laptop never refuses what the server accepted: a laptop 2 minutes slow must still
    /// receive an op that a laptop 4 minutes fast wrote, which the server took in.
    public mutating func observe(vouchedFor remote: HybridTimestamp) {
        if remote > latest { latest = remote }
    }

    /// Checks a remote reading against the drift bound without changing the clock.
    ///
    /// The bound is against the wall clock alone, never against readings seen before: a
    /// reading once let in must not let the next one go a little further, however many
    /// ops a client sends.
    public func check(_ remote: HybridTimestamp) throws(MergeError) {
        let wall = wallMilliseconds()
        guard remote.milliseconds <= wall &+ maximumDrift else {
            let ahead = ClockDifference(milliseconds: Int64(clamping: remote.milliseconds - wall))
            let allowed = ClockDifference(milliseconds: Int64(maximumDrift))
            throw MergeError(
                .clockTooFarAhead,
                "it is stamped \(Self.utc(remote.milliseconds)), \(ahead) ahead of this replica's clock "
                    + "(at most \(allowed) is allowed)")
        }
    }

    /// A reading's time, in UTC to the second, for messages: `2027-12-01 09:00:05 UTC`.
    static func utc(_ milliseconds: UInt64) -> String {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000).formatted(
            Date.ISO8601FormatStyle(dateSeparator: .dash, dateTimeSeparator: .space, timeSeparator: .colon)
        ).replacingOccurrences(of: "Z", with: " UTC")
    }

    private func wallMilliseconds() -> UInt64 {
        min(wallClock.millisecondsSince1970(), HybridTimestamp.maximumMilliseconds)
    }

    /// The smallest reading after `previous` whose milliseconds are at least `wall`.
    ///
    /// When the 16-bit counter is used up within one millisecond, the reading borrows the
    /// next millisecond rather than wrapping: monotonicity matters more than a millisecond.
    static func successor(of previous: HybridTimestamp, atLeast wall: UInt64) -> HybridTimestamp {
        if wall > previous.milliseconds {
            return HybridTimestamp(milliseconds: wall, counter: 0)
        }
        if previous.counter < HybridTimestamp.maximumCounter {
            return HybridTimestamp(milliseconds: previous.milliseconds, counter: previous.counter + 1)
        }
        precondition(previous.milliseconds < HybridTimestamp.maximumMilliseconds, "hybrid clock exhausted")
        return HybridTimestamp(milliseconds: previous.milliseconds + 1, counter: 0)
    }
}
