import Foundation
import GridMerge
import GridModel

/// Writes records as JSON Lines or CSV, in an order and form that depend only on the records.
public enum RecordExport {
    /// One canonical JSON line per record (sorted keys), records sorted by type then id.
    public static func jsonLines(_ records: [RecordState]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var output = ""
        for record in records.sorted(by: { ($0.type, $0.id) < ($1.type, $1.id) }) {
            output += String(decoding: try encoder.encode(RecordDocument(record)), as: UTF8.self)
            output += "\n"
        }
        return output
    }

    /// A CSV table of the records of one type: `id`, `scope`, `deleted`, `conflicts`, then one
    /// column per field of the type's schema (sets joined with `;`, logs as their entry count).
    public static func csv(_ records: [RecordState], type: RecordType) -> String {
        let fields = type.schema.fields.filter { $0.name != RecordSchema.deletedField }
        var lines = [(["id", "scope", "deleted", "conflicts"] + fields.map(\.name)).map(quoted).joined(separator: ",")]
        for record in records.filter({ $0.type == type }).sorted(by: { $0.id < $1.id }) {
            var cells = [
                record.id.description, record.scope.description, record.isDeleted ? "true" : "false",
                record.conflictedFields.joined(separator: ";"),
            ]
            for field in fields {
                switch field.kind {
                case .register: cells.append(record.value(field.name).description)
                case .set: cells.append(record.sets[field.name]?.elements.joined(separator: ";") ?? "")
                case .counter: cells.append(String(record.counters[field.name]?.value ?? 0))
                case .log: cells.append(String(record.logs[field.name]?.items.count ?? 0))
                }
            }
            lines.append(cells.map(quoted).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A CSV cell, quoted when it holds a comma, a quote or a line break (RFC 4180).
    private static func quoted(_ cell: String) -> String {
        guard cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return cell }
        return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
