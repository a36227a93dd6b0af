import Foundation
import GridMerge
import GridModel

/// One competing value of a register field in conflict: what it says, who wrote it where
/// and when, and the value it replaced.
public struct Competitor: Encodable, Sendable {
    /// Its number, for `resolve --pick` (1 is the value shown now).
    public let pick: Int
    public let value: FieldValue
    /// The Chinese label of a choice, or the value.
    public let label: String
    public let author: String
    public let replica: String
    public let op: String
    /// When it was written, ISO 8601.
    public let time: String
    /// Its clock, for ordering and display.
    public let clock: HybridTimestamp
    /// The values it was written over (none for a field's first value).
    public let replaced: [FieldValue]

    /// The competing values of `field` in `record`, the one shown now first; `history` gives
    /// the values they replaced.
    public static func all(of field: String, in record: RecordState, history: [Op]) -> [Competitor] {
        guard let register = record.registers[field], register.isConflicted else { return [] }
        let byID = Dictionary(history.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        return register.heads.reversed().enumerated().map { index, head in
            let op = byID[head.op]
            let parents = op?.parents.compactMap { byID[$0] }.filter { Labels.writes(field, $0) } ?? []
            var label = Labels.label(head.value, of: field, in: record.type)
            if let op, op.field != field { label += " (edit of \(op.field))" }
            return Competitor(
                pick: index + 1, value: head.value, label: label,
                author: head.author.rawValue, replica: head.op.replica.description, op: head.op.description,
                time: Labels.time(head.clock), clock: head.clock,
                replaced: parents.compactMap { Labels.value(of: field, $0) })
        }
    }
}
