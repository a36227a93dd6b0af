/// What restamping a replica's unsent ops did.
public struct Restamp: Hashable, Sendable {
    /// Ops given new clock readings.
    public var count: Int
    /// How far the first of them was moved back, in milliseconds.
    public var shift: Int64

    /// Creates a result.
    public init(count: Int, shift: Int64) {
        self.count = count
        self.shift = shift
    }
}
