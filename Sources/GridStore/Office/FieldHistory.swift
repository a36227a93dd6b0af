import Foundation
import GridMerge
import GridModel

/// The versions of one field, oldest first.
public struct FieldHistory: Encodable, Sendable {
    public let field: String
    public let label: String
    public let versions: [FieldVersion]

    /// The history of every field `ops` touch (or of `only`), in schema order; in `language`,
    /// or in the inspector's words (English, with a choice's Chinese label) when it is `nil`.
    public static func all(of record: RecordState, ops: [Op], only: String?, language: ReportLanguage? = nil)
        -> [FieldHistory]
    {
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
                        ? action(op, in: record.type, language: language)
                        : (language ?? .english)(
                            "保留（修改\(Labels.field(op.field, of: record.type, language: .chinese))时）：",
                            "kept, editing \(op.field): ") + action(op, in: record.type, language: language),
                    replaces: parents.compactMap { parent in
                        Labels.value(of: spec.name, parent).map {
                            Labels.label($0, of: spec.name, in: record.type, language: language)
                        }
                    },
                    concurrentWith: siblings.map(\.description).sorted(), current: heads.contains(op.id),
                    reason: reasons[op.id], clock: op.clock)
            }
            return FieldHistory(
                field: spec.name, label: Labels.field(spec.name, of: record.type, language: language),
                versions: versions)
        }
    }

    /// What an op did, in words: in `language`, or in the inspector's (English, with a
    /// choice's Chinese label) when it is `nil`.
    public static func action(_ op: Op, in type: RecordType, language: ReportLanguage? = nil) -> String {
        let words = language ?? .english
        switch op.payload {
        case .assign(let value):
            if op.field == RecordSchema.deletedField, case .boolean(let deleted) = value {
                return deleted ? words("删除", "deleted") : words("保留或恢复", "kept / restored")
            }
            return words("设为 ", "set ") + Labels.label(value, of: op.field, in: type, language: language)
        case .add(let element): return words("添加 ", "add ") + element
        case .remove(let element): return words("移除 ", "remove ") + element
        case .change(let change): return change > 0 ? "+\(change)" : "\(change)"
        case .append(let entry):
            return words("追加 ", "append ") + entry.sortedParts.map { "\($0.name): \($0.value)" }.joined(separator: ", ")
        }
    }
}
