import GridMerge
import GridModel

/// A record as `show --json` and `export` write it: every current value, and for each field
/// in conflict, every competing value.
///
/// Encoded with sorted keys, a record document depends only on the record's merged state,
/// so two replicas holding the same ops export byte-identical files.
public struct RecordDocument: Encodable, Sendable {
    /// One competing write of a register field in conflict.
    public struct Head: Encodable, Sendable {
        /// The op that wrote it (`replica.sequence`).
        public let op: String
        /// Its hybrid clock reading.
        public let clock: UInt64
        /// Who wrote it.
        public let author: String
        /// The value written.
        public let value: FieldValue
    }

    /// One entry of a log field.
    public struct Entry: Encodable, Sendable {
        /// The op that appended it.
        public let op: String
        /// Its hybrid clock reading.
        public let clock: UInt64
        /// Who appended it.
        public let author: String
        /// The entry's parts.
        public let entry: LogEntry
    }

    /// The record type's key.
    public let type: String
    /// The record id.
    public let id: String
    /// The record's grid (or community).
    public let scope: String
    /// Whether the record is shown as deleted.
    public let deleted: Bool
    /// The shown value of every register field written (except `deleted`).
    public let values: [String: FieldValue]
    /// The elements of every set field written, sorted.
    public let sets: [String: [String]]
    /// The total of every counter field written.
    public let counters: [String: Int64]
    /// The entries of every log field written, oldest first.
    public let logs: [String: [Entry]]
    /// For each register field in conflict, the competing values, shown winner first.
    public let conflicts: [String: [Head]]

    /// The document of a record's merged state.
    public init(_ record: RecordState) {
        type = record.type.key
        id = record.id.description
        scope = record.scope.description
        deleted = record.isDeleted
        var values: [String: FieldValue] = [:]
        var conflicts: [String: [Head]] = [:]
        for (field, register) in record.registers {
            if field != RecordSchema.deletedField { values[field] = register.value }
            if register.isConflicted {
                conflicts[field] = register.heads.reversed().map {
                    Head(op: $0.op.description, clock: $0.clock.rawValue, author: $0.author.rawValue, value: $0.value)
                }
            }
        }
        self.values = values
        self.conflicts = conflicts
        sets = record.sets.mapValues(\.elements)
        counters = record.counters.mapValues(\.value)
        logs = record.logs.mapValues { log in
            log.items.map {
                Entry(op: $0.op.description, clock: $0.clock.rawValue, author: $0.author.rawValue, entry: $0.entry)
            }
        }
    }
}
