import Foundation
import GridMerge
import GridModel

/// The versions of one field, oldest first.
public struct FieldHistory: Encodable, Sendable {
    public let field: String
    public let label: String
    public let versions: [FieldVersion]

    /// The history of every field `ops` touch (or of `only`), in schema order.
    public static func all(of record: RecordState, ops: [Op], only: String?) -> [FieldHistory] {
        let ordered = ops.sorted { $0.stamp < $1.stamp }
        let byID = Dictionary(ops.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let reasons = ResolutionNote.reasons(in: ops)
        return record.type.schema.fields.compactMap { spec -> FieldHistory? in
            guard only == nil || only == spec.name else { return nil }
            let fieldOps = ordered.filter { Labels.writes(spec.name, $0) }
            guard !fieldOps.isEmpty else { return nil }
            let heads = Set(record.registers[spec.name]?.headIDs ?? [])
            var children: [OpID: [OpID]] = [:]
            for op in fieldOps {
                for parent in op.parents where byID[parent].map({ Labels.writes(spec.name, $0) }) ?? false {
                    children[parent, default: []].append(op.id)
                }
            }
            let versions = fieldOps.map { op -> FieldVersion in
                let parents = op.parents.compactMap { byID[$0] }.filter { Labels.writes(spec.name, $0) }
                let siblings = Set(parents.flatMap { children[$0.id] ?? [] }).subtracting([op.id])
                return FieldVersion(
                    op: op.id.description, time: Labels.time(op.clock), author: op.author.rawValue,
                    replica: op.id.replica.description,
                    action: op.field == spec.name
                        ? action(op, in: record.type) : "kept, editing \(op.field): " + action(op, in: record.type),
                    replaces: parents.compactMap { parent in
                        Labels.value(of: spec.name, parent).map { Labels.label($0, of: spec.name, in: record.type) }
                    },
                    concurrentWith: siblings.map(\.description).sorted(), current: heads.contains(op.id),
                    reason: reasons[op.id], clock: op.clock)
            }
            return FieldHistory(field: spec.name, label: Labels.field(spec.name, of: record.type), versions: versions)
        }
    }

    /// What an op did, in words.
    public static func action(_ op: Op, in type: RecordType) -> String {
        switch op.payload {
        case .assign(let value):
            if op.field == RecordSchema.deletedField, case .boolean(let deleted) = value {
                return deleted ? "deleted" : "kept / restored"
            }
            return "set " + Labels.label(value, of: op.field, in: type)
        case .add(let element): return "add \(element)"
        case .remove(let element): return "remove \(element)"
        case .change(let change): return change > 0 ? "+\(change)" : "\(change)"
        case .append(let entry):
            return "append " + entry.sortedParts.map { "\($0.name): \($0.value)" }.joined(separator: ", ")
        }
    }
}
