import Foundation
import GridMerge
import GridModel

/// The canonical one-line text of an op, as sent on the wire and kept in test vectors:
///
///     OP <id> <clock> <author> <type> <record> <scope> <field> <parents> <payload>
///
/// `<id>` is `replica.sequence`; `<clock>` is `milliseconds.counter`; `<parents>` is `-` or
/// op ids joined by `,` in ascending order; `<payload>` is the payload's canonical JSON and
/// runs to the end of the line. Fields are separated by exactly one space. Every op has
/// exactly one line text, so replicas in any language agree on the bytes (see
/// `protocol/PROTOCOL.md`, "Ops").
public enum OpLine {
    /// The word that starts an op line.
    public static let verb = "OP"

    /// The op's line, without the ending line feed.
    public static func text(_ op: Op) -> String {
        let parents = op.parents.isEmpty ? "-" : op.parents.map(\.description).joined(separator: ",")
        return [
            verb, op.id.description, op.clock.description, op.author.rawValue, op.recordType.key,
            op.recordID.description, op.scope.description, op.field, parents, CanonicalJSON.text(op.payload),
        ].joined(separator: " ")
    }

    /// Parses an op line (without its line feed). Only the canonical text of an op is accepted.
    ///
    /// Parsing checks grammar, not meaning: whether the field exists and the value is
    /// allowed is for the merge core to decide (``Op/validate()``).
    public static func op(from line: Substring) throws(ProtocolError) -> Op {
        let parts = fields(of: line, separator: UInt8(ascii: " "), atMost: 10)
        guard parts.count == 10, parts[0] == verb else {
            throw malformed("an op line has 10 fields: OP id clock author type record scope field parents payload")
        }
        guard let id = opID(parts[1]) else {
            throw malformed("'\(parts[1])' is not an op id (replica.sequence)")
        }
        guard let clock = timestamp(parts[2]) else {
            throw malformed("'\(parts[2])' is not a clock (milliseconds.counter)")
        }
        guard let author = WorkerID(String(parts[3])) else { throw malformed("'\(parts[3])' is not a worker key") }
        guard let type = RecordType(rawValue: String(parts[4])) else {
            throw malformed("'\(parts[4])' is not a record type (\(RecordType.allCases.map(\.key).joined(separator: ", ")))")
        }
        guard RecordID.isCanonical(String(parts[5])), let record = RecordID(String(parts[5])) else {
            throw malformed("'\(parts[5])' is not a record id (a lowercase UUID)")
        }
        guard let scope = GridScope(String(parts[6])) else {
            throw malformed("'\(parts[6])' is not a scope (community or community/grid)")
        }
        let field = String(parts[7])
        // A field name is a key, as the schemas' names are: 1 to 32 of a-z, 0-9 and '-', not
        // starting with '-'. Whether the record type has that field is the merge rules' to say.
        guard (1...32).contains(field.utf8.count), field.utf8.first != UInt8(ascii: "-"),
            field.utf8.allSatisfy({
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                    || $0 == UInt8(ascii: "-")
            })
        else {
            throw malformed("the field name '\(field.prefix(40))' is not 1 to 32 of a-z, 0-9 and '-', not starting with '-'")
        }
        let parents = try parentList(parts[8])
        guard let payload = CanonicalJSON.payload(from: parts[9]) else {
            throw malformed("the payload is not a payload's canonical JSON: \(parts[9].prefix(80))")
        }
        let op = Op(
            id: id, clock: clock, author: author, recordType: type, recordID: record, scope: scope, field: field,
            payload: payload, parents: parents)
        guard text(op).utf8.elementsEqual(line.utf8) else {
            throw malformed("the op is not written in canonical form: expected \(text(op).prefix(200))")
        }
        return op
    }

    /// The fields of `text` between single `separator` bytes (ASCII), the last one running to
    /// the end once `limit` are found: a split by bytes, which is several times faster than by
    /// characters, and a line is split once per op received.
    private static func fields(of text: Substring, separator: UInt8, atMost limit: Int) -> [Substring] {
        var fields: [Substring] = []
        fields.reserveCapacity(min(limit, 16))
        var start = text.startIndex
        var index = text.utf8.startIndex
        while index != text.utf8.endIndex, fields.count < limit - 1 {
            if text.utf8[index] == separator {
                fields.append(text[start..<index])
                start = text.utf8.index(after: index)
            }
            index = text.utf8.index(after: index)
        }
        fields.append(text[start...])
        return fields
    }

    /// An op id whose sequence fits the signed 64-bit integers that stores keep.
    private static func opID(_ text: Substring) -> OpID? {
        guard let id = OpID(text), id.sequence <= UInt64(Int64.max) else { return nil }
        return id
    }

    private static func timestamp(_ text: Substring) -> HybridTimestamp? {
        let parts = fields(of: text, separator: UInt8(ascii: "."), atMost: 3)
        guard parts.count == 2, let milliseconds = UInt64(parts[0]), let counter = UInt16(parts[1]),
            milliseconds <= HybridTimestamp.maximumMilliseconds
        else { return nil }
        return HybridTimestamp(milliseconds: milliseconds, counter: counter)
    }

    private static func parentList(_ text: Substring) throws(ProtocolError) -> [OpID] {
        guard text != "-" else { return [] }
        var parents: [OpID] = []
        for part in fields(of: text, separator: UInt8(ascii: ","), atMost: .max) {
            guard let parent = opID(part) else { throw malformed("'\(part)' is not a parent op id") }
            parents.append(parent)
        }
        return parents
    }

    private static func malformed(_ message: String) -> ProtocolError {
        ProtocolError(.malformedOp, message)
    }
}
