import Synchronization

/// The memory of the daemon's connections, counted for the whole daemon: each open connection
/// takes ``connectionBytes`` for as long as it is open (its socket, TLS and zlib state), and its
/// decoder takes what it buffers and the message it is reading, and gives that back when the
/// message is whole (or the connection ends).
///
/// The message limit bounds one connection; this bounds all of them together. Without it,
/// each of hundreds of connections could hold a message of 16 MiB half-sent, for ever. A
/// connection the budget cannot take is refused with `unavailable`, and so is a message that
/// would take more than is left: the server is busy, and the laptop syncs again a minute later.
public final class MessageBudget: Sendable {
    /// The most bytes all connections may hold together.
    public let capacity: Int
    private let used = Atomic<Int>(0)

    /// What an open connection takes for as long as it is open: its socket's, TLS's and the
    /// deflate stream's state and buffers. 512 idle TLS connections take about 48 KiB each; one
    /// that is reading (or draining a refused message) also holds TLS records, two reads of up
    /// to 16 KiB and what the allocator keeps of them: hundreds reading at once took about
    /// 200 KiB each beyond their decoders (docs/BENCHMARKS.md, "Many tokens' worst").
    public static let connectionBytes = 256 * 1024

    /// Creates a budget of `capacity` bytes.
    public init(capacity: Int) {
        self.capacity = capacity
    }

    /// The bytes taken now.
    public var inUse: Int { used.load(ordering: .relaxed) }

    /// Takes `bytes` if the budget has them; returns whether it did.
    public func take(_ bytes: Int) -> Bool {
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
    public func giveBack(_ bytes: Int) {
        used.subtract(bytes, ordering: .relaxed)
    }
}
