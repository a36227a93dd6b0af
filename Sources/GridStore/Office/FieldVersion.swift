import Foundation
import GridMerge
import GridModel

/// One version of one field: an op, what it did, and what it was written over.
public struct FieldVersion: Encodable, Sendable {
    public let op: String
    public let time: String
    public let author: String
    public let replica: String
    /// What the op did: `set <value>`, `add <element>`, `+3`, `append …`, `deleted`, `restored`.
    public let action: String
    /// The values (for a register) it replaced; several for a merge.
    public let replaces: [String]
    /// The ops written over the same value without seeing this one.
    public let concurrentWith: [String]
    /// Whether it is one of the field's current values.
    public let current: Bool
    /// For a resolution, the reason the office gave.
    public let reason: String?
    public let clock: HybridTimestamp
}
