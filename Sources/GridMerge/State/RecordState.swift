import GridModel

/// The merged state of one record: every field, from the ops applied to it.
///
/// **Liveness.** The `deleted` register is written by every op of the record, not only by
/// deletes: an edit of any other field counts as a write of `deleted = false` ("this record
/// is alive, I just edited it"). Each op names the `deleted` heads it saw among its parents.
/// So a delete and an edit that did not see each other are two heads of `deleted` with
/// different values, a conflict that the office settles, instead of the edit silently
/// vanishing into a deleted record or the delete silently being undone.
///
/// **Notes** are the one exception: a note says something *about* a record (why it was
/// deleted, why a conflict was settled) and decides nothing, so it neither writes `deleted`
/// nor names its heads. A note on a deleted record leaves it deleted on every replica.
public struct RecordState: Hashable, Sendable, Codable {
    /// The record's type.
    public let type: RecordType
    /// The record's id.
    public let id: RecordID
    /// The grid (or community) the record belongs to.
    public let scope: GridScope
    /// The register fields written so far, by name (including `deleted`).
    public internal(set) var registers: [String: RegisterState] = [:]
    /// The set fields written so far, by name.
    public internal(set) var sets: [String: ObservedRemoveSet] = [:]
    /// The counter fields written so far, by name.
    public internal(set) var counters: [String: PNCounter] = [:]
    /// The log fields written so far, by name.
    public internal(set) var logs: [String: AppendLog] = [:]

    /// Creates an empty record (one that no op has touched yet).
    public init(type: RecordType, id: RecordID, scope: GridScope) {
        self.type = type
        self.id = id
        self.scope = scope
    }

    /// The liveness register (see the type's discussion).
    public var liveness: RegisterState { registers[RecordSchema.deletedField] ?? RegisterState() }

    /// Whether the record is shown as deleted (the winner of `deleted` is `true`).
    public var isDeleted: Bool { liveness.value == .boolean(true) }

    /// The shown value of a register field, `null` if never written.
    public func value(_ field: String) -> FieldValue { registers[field]?.value ?? .null }

    /// The register fields whose heads disagree, sorted by name.
    public var conflictedFields: [String] {
        registers.filter { $0.value.isConflicted }.keys.sorted()
    }

    /// The parents a new op on `field` with `payload` must name: the record's liveness heads,
    /// plus the field's heads for a register write, or the element's live additions for a removal.
    ///
    /// An edit of an ordinary field names only the liveness heads that say "alive": it is no
    /// decision about a delete it happens to see in conflict, so that conflict stays open until
    /// someone writes `deleted` itself. A write to a register names all of its heads, which
    /// settles a conflict on that field.
    public func parents(forEditing field: String, _ payload: OpPayload) -> [OpID] {
        if !Self.writesLiveness(field) { return [] }
        var parents: [OpID]
        switch payload {
        case .assign where field == RecordSchema.deletedField:
            return liveness.headIDs
        case .assign:
            parents = registers[field]?.headIDs ?? []
        case .remove(let element):
            parents = sets[field]?.additions(of: element) ?? []
        case .add, .change, .append:
            parents = []
        }
        parents += liveness.heads.filter { $0.value != .boolean(true) }.map(\.op)
        return parents
    }

    /// Whether an op of `field` writes the record's liveness: every field's but the notes'.
    public static func writesLiveness(_ field: String) -> Bool { field != RecordSchema.notesField }

    /// Applies an op of this record. The op must be valid and new; `replaced` holds the slots
    /// in which ops applied earlier named it as a parent (see ``MergeLedger/merge(_:)``).
    public mutating func apply(_ op: Op, replaced: Set<Slot>) {
        let isDelete = op.field == RecordSchema.deletedField
        func isReplaced(_ element: String? = nil, in field: String) -> Bool {
            !replaced.isEmpty && replaced.contains(Slot(record: id, field: field, element: element))
        }
        switch op.payload {
        case .assign(let value) where !isDelete:
            registers[op.field, default: RegisterState()].apply(
                .init(op: op.id, clock: op.clock, author: op.author, value: value), parents: op.parents,
                isReplaced: isReplaced(in: op.field))
        case .assign:
            break  // written to `deleted` below, as every op is
        case .add(let element):
            sets[op.field, default: ObservedRemoveSet()].add(
                element, tag: op.id, isRemoved: isReplaced(element, in: op.field))
        case .remove(let element):
            sets[op.field, default: ObservedRemoveSet()].remove(element, observed: op.parents)
        case .change(let change):
            counters[op.field, default: PNCounter()].apply(change, from: op.id.replica)
        case .append(let entry):
            logs[op.field, default: AppendLog()].append(
                .init(op: op.id, clock: op.clock, author: op.author, entry: entry))
        }
        guard Self.writesLiveness(op.field) else { return }
        let alive: FieldValue = if isDelete, case .assign(let value) = op.payload { value } else { .boolean(false) }
        registers[RecordSchema.deletedField, default: RegisterState()].apply(
            .init(op: op.id, clock: op.clock, author: op.author, value: alive), parents: op.parents,
            isReplaced: isReplaced(in: RecordSchema.deletedField))
    }
}
