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
        var seconds = milliseconds.magnitude / 1000
        if seconds == 0 { return "under a second" }
        let units: [(UInt64, String)] = [
            (365 * 86_400, "year"), (86_400, "day"), (3_600, "hour"), (60, "minute"), (1, "second"),
        ]
        var parts: [String] = []
        for (size, name) in units where parts.count < 2 {
            let count = seconds / size
            guard count > 0 else {
                if !parts.isEmpty { break }
                continue
            }
            parts.append("\(count) \(name)\(count == 1 ? "" : "s")")
            seconds -= count * size
        }
        return parts.joined(separator: " ")
    }
}
