import GridMerge
import GridModel

/// The note a resolution adds to the record, just before the values it settles, in the same
/// change: `解决冲突 resolved [status, title]: status → 已解决 resolved; …: <reason>`. The
/// bracketed fields tell `history` which of the following ops it explains.
public enum ResolutionNote {
    public static let prefix = "解决冲突 resolved ["

    /// The change that settles `settlements` of `record` for `reason`: the note, then a restore
    /// before the other fields and a delete after them (a deleted record takes notes, but no
    /// other edits). `gridsync-inspect resolve` and the console write the same change.
    public static func change(
        settling settlements: [(field: String, value: FieldValue, label: String)], of record: RecordID,
        reason: String
    ) -> RecordChange {
        func rank(_ settlement: (field: String, value: FieldValue, label: String)) -> Int {
            guard settlement.field == RecordSchema.deletedField else { return 1 }
            return settlement.value == .boolean(true) ? 2 : 0
        }
        let note = LogEntry(["text": .text(text(settlements.map { ($0.field, $0.label) }, reason: reason))])
        let ordered = settlements.sorted { rank($0) < rank($1) }
        return RecordChange(
            record: record, target: .edit,
            edits: [.append(RecordSchema.notesField, note)] + ordered.map { .assign($0.field, $0.value) })
    }

    /// The note's text.
    public static func text(_ settlements: [(field: String, label: String)], reason: String) -> String {
        let fields = settlements.map(\.field).joined(separator: ", ")
        let values = settlements.map { "\($0.field) → \($0.label)" }.joined(separator: "; ")
        return "\(prefix)\(fields)]: \(values): \(reason)"
    }

    /// The fields a note says it settles, or `nil` if it is no resolution note.
    public static func fields(_ text: String) -> [String]? {
        guard text.hasPrefix(prefix), let close = text.firstIndex(of: "]") else { return nil }
        let list = text[text.index(text.startIndex, offsetBy: prefix.count)..<close]
        return list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// The reasons of the resolutions among a record's ops, by the op each explains: the ops of
    /// the same replica and author that directly follow a resolution note, on its fields.
    public static func reasons(in ops: [Op]) -> [OpID: String] {
        let byID = Dictionary(ops.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var reasons: [OpID: String] = [:]
        for note in ops where note.field == RecordSchema.notesField {
            guard case .append(let entry) = note.payload, case .text(let text) = entry["text"],
                let fields = fields(text)
            else { continue }
            for offset in 1...max(1, fields.count) {
                let id = OpID(replica: note.id.replica, sequence: note.id.sequence + UInt64(offset))
                guard let op = byID[id], op.author == note.author, fields.contains(op.field) else { break }
                reasons[id] = text
            }
        }
        return reasons
    }
}
