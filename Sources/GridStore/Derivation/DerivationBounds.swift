/// How much of the log's tail one derivation holds in memory at once.
///
/// A derivation reads the tail ``chunk`` ops at a time and keeps the records it merged in
/// memory until they number more than ``heldRecords``; then it writes them and lets them go.
/// A record that several chunks touch is read and written once while the records fit, which
/// is what makes catching up a long tail (a fresh laptop's first sync) cost about what merging
/// it at once does.
public struct DerivationBounds: Sendable, Hashable {
    /// The most ops read from the log at once.
    public var chunk: Int
    /// The most merged records held in memory before they are written and let go.
    public var heldRecords: Int

    /// Creates bounds; both are at least 1.
    public init(chunk: Int, heldRecords: Int) {
        self.chunk = max(1, chunk)
        self.heldRecords = max(1, heldRecords)
    }

    /// The bounds the stores use: 50,000 ops read at once, 50,000 records held.
    public static let standard = DerivationBounds(chunk: 50_000, heldRecords: 50_000)
}
