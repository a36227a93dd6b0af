import FuzzSupport
import GridMerge
import GridModel

/// Fuzzes `RecordState(encoded:)`, which reads the record states a store keeps (a damaged
/// or foreign database file is untrusted input), and what readers of a state then ask of it.
///
/// Invariants:
/// - bytes are refused only with `unreadable-state`, never with a trap;
/// - a state read is written by `encoded()` as bytes that read back as an equal state, and
///   those bytes are a fixed point (writing the state read back gives the same bytes). The
///   input bytes themselves need not come back: the reader accepts spellings the writer
///   never makes (an integer with redundant continuation bytes, a map key twice, text that
///   is not UTF-8, which is read with replacement characters), so only state-level equality
///   is a property;
/// - the accessors that show a state (winners, conflicts, liveness, counter totals, log
///   entries, the parents of a next edit) do not trap on any state that was read.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRecordState(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let state: RecordState
    do {
        state = try RecordState(encoded: bytes)
    } catch {
        invariant(error.code == .unreadableState, "a state refused with \(error.code)")
        trace("refused: \(error.message)")
        return 0
    }
    let written = state.encoded()
    do {
        let again = try RecordState(encoded: written)
        invariant(again == state, "a state written and read back is another state")
        invariant(again.encoded() == written, "writing a state is not a fixed point")
    } catch {
        fatalError("invariant violated: the bytes encoded() wrote are unreadable (\(error))")
    }
    var shown = 0
    shown &+= state.isDeleted ? 1 : 0
    shown &+= state.conflictedFields.count
    for (name, register) in state.registers {
        shown &+= register.isConflicted ? 1 : 0
        shown &+= state.value(name) == register.value ? 1 : 0
        shown &+= state.parents(forEditing: name, .assign(.null)).count
    }
    for (name, set) in state.sets {
        for element in set.elements {
            shown &+= state.parents(forEditing: name, .remove(element)).count
        }
    }
    for counter in state.counters.values { shown &+= Int(truncatingIfNeeded: counter.value) }
    for log in state.logs.values {
        for item in log.items { shown &+= item.entry.sortedParts.count }
    }
    trace(
        "read: \(state.type.key) \(state.id) \(state.scope): \(state.registers.count) registers, \(state.sets.count) sets, "
            + "\(state.counters.count) counters, \(state.logs.count) logs (\(shown))")
    return 0
}
