import Synchronization

/// The bytes of messages being read, counted for the whole daemon: every connection's
/// decoder takes from one budget for the message it is reading, and gives back when the
/// message is whole (or the connection ends).
///
/// The message limit bounds one connection; this bounds all of them together. Without it,
/// each of hundreds of connections could hold a message of 16 MiB half-sent, for ever. A
/// decoder that finds the budget spent refuses its message with `unavailable`: the server
/// is busy, and the laptop syncs again a minute later.
public final class MessageBudget: Sendable {
    /// The most bytes all connections' unfinished messages may hold together.
    public let capacity: Int
    private let used = Atomic<Int>(0)

    /// Creates a budget of `capacity` bytes.
    public init(capacity: Int) {
        self.capacity = capacity
    }

    /// The bytes taken now.
    public var inUse: Int { used.load(ordering: .relaxed) }

    /// Takes `bytes` if the budget has them; returns whether it did.
    func take(_ bytes: Int) -> Bool {
        var current = used.load(ordering: .relaxed)
        while true {
            guard current + bytes <= capacity else { return false }
            let (exchanged, original) = used.compareExchange(
                expected: current, desired: current + bytes, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
    }

    /// Gives back `bytes` taken before.
    func giveBack(_ bytes: Int) {
        used.subtract(bytes, ordering: .relaxed)
    }
}
