import GridMerge

/// How far this laptop's clock is from the server's, in words: "is 7 minutes slow".
enum ClockOffsetWords {
    /// Under this many milliseconds, the clocks agree as far as the worker is concerned.
    static let agreement: UInt64 = 2_000

    /// `agrees with the server's`, or `is 7 minutes slow` / `is 1 year fast`, for an offset
    /// in milliseconds to add to this laptop's clock to read the server's.
    static func describe(_ offset: Int64) -> String {
        guard offset.magnitude >= agreement else { return "agrees with the server's" }
        return "is \(ClockDifference(milliseconds: offset)) \(offset > 0 ? "slow" : "fast")"
    }
}
