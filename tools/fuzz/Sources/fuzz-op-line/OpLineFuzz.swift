import FuzzSupport
import GridMerge
import GridModel
import GridProtocol

/// Fuzzes `OpLine.op(from:)`, the parser of every op a replica receives, then what a
/// server does next with an op it parsed: `Op.validate()` and, for a valid op, applying it
/// to an empty record and storing that record's state.
///
/// Invariants:
/// - a line is refused only with `malformed-op`;
/// - an op parsed is written back by `OpLine.text(_:)` as exactly the line it was read
///   from (only the canonical text of an op is accepted), and that text parses to the same op;
/// - the payload's canonical JSON reads back as the same payload;
/// - `validate()` throws only `invalid-op`;
/// - a valid op applied to a new record gives a state whose stored bytes read back equal.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOpLine(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let line = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let op: Op
    do {
        op = try OpLine.op(from: line[...])
    } catch {
        invariant(error.code == .malformedOp, "an op line refused with \(error.code)")
        trace("refused: \(error.message)")
        return 0
    }
    let text = OpLine.text(op)
    invariant(text.utf8.elementsEqual(line.utf8), "op read from a line it is not written as: \(text.prefix(300))")
    do {
        let again = try OpLine.op(from: text[...])
        invariant(again == op, "the text of an op parses to another op: \(text.prefix(300))")
    } catch {
        fatalError("invariant violated: the text of an op is refused (\(error)): \(text.prefix(300))")
    }
    let json = CanonicalJSON.text(op.payload)
    invariant(CanonicalJSON.payload(from: json) == op.payload, "a payload's JSON reads back otherwise: \(json.prefix(300))")
    do {
        try op.validate()
    } catch {
        invariant(error.code == .invalidOp, "validate() threw \(error.code)")
        trace("parsed, invalid: \(error.message)")
        return 0
    }
    var state = RecordState(type: op.recordType, id: op.recordID, scope: op.scope)
    state.apply(op, replaced: [])
    let bytes = state.encoded()
    do {
        let stored = try RecordState(encoded: bytes)
        invariant(stored == state, "the state of one valid op reads back as another")
    } catch {
        fatalError("invariant violated: the state of one valid op is unreadable (\(error))")
    }
    trace("valid: \(op.recordType.key) \(op.field) \(json.prefix(120))")
    return 0
}
