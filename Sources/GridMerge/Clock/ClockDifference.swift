/// A difference between two clocks, in words a worker reads: "7 minutes", "1 year 3 days".
///
/// Clock messages name the device that is off and by how much; milliseconds are for
/// programs (`--json`), not for people.
public struct ClockDifference: Hashable, Sendable, CustomStringConvertible {
    /// The difference in milliseconds; its sign is the caller's to explain.
    public let milliseconds: Int64

    /// Creates a difference of `milliseconds`.
    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    /// The size of the difference in the two largest units that matter, without its sign.
    public var description: String {
        var seconds = (milliseconds.magnitude + 500) / 1000
        if seconds == 0 { return "under a second" }
        // Rounded to the second unit shown, twice: a year less two seconds reads "1 year".
        for _ in 0..<2 {
            let first = Self.units.firstIndex { seconds >= $0.size }!
            if first + 1 < Self.units.count {
                let small = Self.units[first + 1].size
                seconds = (seconds + small / 2) / small * small
            }
        }
        let first = Self.units.firstIndex { seconds >= $0.size }!
        let large = Self.units[first]
        var text = Self.words(seconds / large.size, large.name)
        if first + 1 < Self.units.count {
            let small = Self.units[first + 1]
            let rest = seconds % large.size / small.size
            if rest > 0 { text += " " + Self.words(rest, small.name) }
        }
        return text
    }

    private static let units: [(size: UInt64, name: String)] = [
        (365 * 86_400, "year"), (86_400, "day"), (3_600, "hour"), (60, "minute"), (1, "second"),
    ]

    private static func words(_ count: UInt64, _ unit: String) -> String {
        "\(count) \(unit)\(count == 1 ? "" : "s")"
    }
}
