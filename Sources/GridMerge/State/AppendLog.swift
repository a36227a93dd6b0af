import GridModel

/// An append-only list of entries, ordered by clock then replica id on every replica.
public struct AppendLog: Hashable, Sendable, Codable {
    /// One appended entry and where it came from.
    public struct Item: Hashable, Sendable, Codable {
        /// The op that appended it.
        public let op: OpID
        /// When it was appended.
        public let clock: HybridTimestamp
        /// Who appended it.
        public let author: WorkerID
        /// The entry.
        public let entry: LogEntry

        /// Creates an item.
        public init(op: OpID, clock: HybridTimestamp, author: WorkerID, entry: LogEntry) {
            self.op = op
            self.clock = clock
            self.author = author
            self.entry = entry
        }

        /// The item's place in the log's order.
        public var stamp: Op.Stamp { Op.Stamp(clock: clock, op: op) }
    }

    /// The entries, oldest first.
    public internal(set) var items: [Item] = []

    /// Creates an empty log.
    public init() {}

    /// Inserts an item at its place in the order. Items already present are ignored.
    public mutating func append(_ item: Item) {
        var low = items.startIndex
        var high = items.endIndex
        while low < high {
            let middle = (low + high) / 2
            if items[middle].stamp < item.stamp { low = middle + 1 } else { high = middle }
        }
        guard low == items.endIndex || items[low].op != item.op else { return }
        items.insert(item, at: low)
    }
}
