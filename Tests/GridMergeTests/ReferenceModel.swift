import GridMerge
import GridModel

/// The merged state that the merge rules give a set of ops, computed from the whole set at once.
///
/// The merge core builds its state op by op, and remembers parents that have not arrived yet
/// so that the order does not matter. This model does neither: it reads the rules of
/// docs/ARCHITECTURE.md ("The merge rules") as statements about a set of ops and evaluates
/// them directly, so that the core can only agree with it if its state really is a function
/// of the set. It shares no merge code with the core (`RecordState`, `RegisterState`,
/// `ObservedRemoveSet`, `PNCounter`, `AppendLog`, `MergeLedger`); only plain values are common.
///
/// The rules, as the model reads them:
/// - every op but a note writes the register `deleted`: `true` for a delete, `false` for any
///   other edit; an `assign` also writes its own field's register;
/// - a register's heads are its writes that no op *writing that register* names as a parent;
///   the winner is the head with the highest (clock, replica id, sequence); the register is in
///   conflict when its heads hold more than one distinct value;
/// - a set addition, tagged by its op id, is live unless a removal of the same element in the
///   same field names it among its parents;
/// - a counter is the sum of every change, kept per replica as increments and decrements;
/// - a log holds every entry, ordered by (clock, replica id, sequence);
/// - a record is deleted when the winner of `deleted` is `true`.
struct ReferenceModel {
    /// One write of a register: what one op says the register holds.
    struct Write: Hashable, CustomStringConvertible {
        /// The op that wrote it.
        let op: OpID
        /// The op's clock reading.
        let clock: HybridTimestamp
        /// The op's author.
        let author: WorkerID
        /// The value written.
        let value: FieldValue

        /// Whether this write comes before `other` in the winner order: clock, replica id, sequence.
        func precedes(_ other: Write) -> Bool {
            (clock.rawValue, op.replica.rawValue, op.sequence)
                < (other.clock.rawValue, other.op.replica.rawValue, other.op.sequence)
        }

        var description: String { "\(op)@\(clock)=\(value)" }
    }

    /// A register as the rules define it: its heads, and from them the winner and the conflict.
    struct Register: Equatable {
        /// The writes that no write of this register names, in winner order (the winner last).
        let heads: [Write]

        /// The head shown: the highest in winner order.
        var winner: Write? { heads.last }

        /// Whether the heads hold more than one distinct value.
        var isConflicted: Bool { Set(heads.map(\.value)).count > 1 }
    }

    /// One replica's share of a counter: its positive changes, and the magnitudes of its negative ones.
    struct Tally: Equatable {
        var increments: Int64 = 0
        var decrements: Int64 = 0
    }

    /// One entry of a log, with the op that appended it.
    struct Entry: Equatable, CustomStringConvertible {
        let op: OpID
        let clock: HybridTimestamp
        let author: WorkerID
        let entry: LogEntry

        var description: String { "\(op)@\(clock)" }
    }

    /// One record as the rules define it.
    struct Record {
        let type: RecordType
        let id: RecordID
        let scope: GridScope
        /// Every register that some op writes, `deleted` included.
        var registers: [String: Register] = [:]
        /// Every set field that some op adds to or removes from: each live element with the
        /// additions that keep it.
        var sets: [String: [String: Set<OpID>]] = [:]
        /// Every counter field that some op changes, by replica.
        var counters: [String: [ReplicaID: Tally]] = [:]
        /// Every log field that some op appends to, in log order.
        var logs: [String: [Entry]] = [:]

        /// Whether the winner of `deleted` is `true`.
        var isDeleted: Bool { registers[RecordSchema.deletedField]?.winner?.value == .boolean(true) }

        /// The registers in conflict, sorted by name.
        var conflictedFields: [String] { registers.filter { $0.value.isConflicted }.keys.sorted() }
    }

    /// A register in conflict, as an office worker would be shown it.
    struct Conflict: Equatable, CustomStringConvertible {
        let type: RecordType
        let record: RecordID
        let scope: GridScope
        let field: String
        /// The competing writes, the winner first.
        let heads: [Write]

        var description: String { "\(type.key) \(record) \(field): \(heads)" }
    }

    /// Every record that some op touches.
    private(set) var records: [RecordID: Record] = [:]
    /// Ops that give their record another type or scope than its other ops do. The merge core
    /// refuses them, and the model does not guess which op should have won: the properties
    /// expect none (the gate and the writers must never let one through).
    private(set) var contradictions: [OpID] = []

    /// Computes the state the rules give a set of ops (repeated ops count once).
    init(_ ops: some Sequence<Op>) {
        var distinct: [OpID: Op] = [:]
        for op in ops { distinct[op.id] = op }
        for (id, recordOps) in Dictionary(grouping: distinct.values, by: \.recordID) {
            // Type and scope are fixed by the record's ops; the lowest id decides when they
            // disagree, only so that the model is deterministic while it reports them.
            let sorted = recordOps.sorted { $0.id < $1.id }
            let first = sorted[0]
            let consistent = sorted.filter { $0.recordType == first.recordType && $0.scope == first.scope }
            contradictions += sorted.filter { $0.recordType != first.recordType || $0.scope != first.scope }.map(\.id)
            records[id] = Self.record(first.recordType, id, first.scope, from: consistent)
        }
        contradictions.sort()
    }

    /// Every register in conflict, sorted by record type, record id and field.
    var conflicts: [Conflict] {
        records.values.sorted { ($0.type, $0.id) < ($1.type, $1.id) }.flatMap { record in
            record.conflictedFields.map { field in
                Conflict(
                    type: record.type, record: record.id, scope: record.scope, field: field,
                    heads: record.registers[field]!.heads.reversed())
            }
        }
    }

    /// The registers an op writes, with the value it writes to each.
    static func registerWrites(of op: Op) -> [(field: String, value: FieldValue)] {
        // A note says something about a record and decides nothing, not even that it is alive.
        if op.field == RecordSchema.notesField { return [] }
        let alive = (field: RecordSchema.deletedField, value: FieldValue.boolean(false))
        switch op.payload {
        case .assign(let value) where op.field == RecordSchema.deletedField:
            return [(RecordSchema.deletedField, value)]
        case .assign(let value):
            return [(op.field, value), alive]
        case .add, .remove, .change, .append:
            return [alive]
        }
    }

    private static func record(_ type: RecordType, _ id: RecordID, _ scope: GridScope, from ops: [Op]) -> Record {
        var record = Record(type: type, id: id, scope: scope)

        var writes: [String: [Write]] = [:]
        var named: [String: Set<OpID>] = [:]
        for op in ops {
            for (field, value) in registerWrites(of: op) {
                writes[field, default: []].append(Write(op: op.id, clock: op.clock, author: op.author, value: value))
                named[field, default: []].formUnion(op.parents)
            }
        }
        for (field, fieldWrites) in writes {
            let heads = fieldWrites.filter { !named[field]!.contains($0.op) }.sorted { $0.precedes($1) }
            record.registers[field] = Register(heads: heads)
        }

        var setFields: Set<String> = []
        var additions: [String: [String: Set<OpID>]] = [:]
        var removed: [String: [String: Set<OpID>]] = [:]
        for op in ops {
            switch op.payload {
            case .add(let element):
                setFields.insert(op.field)
                additions[op.field, default: [:]][element, default: []].insert(op.id)
            case .remove(let element):
                setFields.insert(op.field)
                removed[op.field, default: [:]][element, default: []].formUnion(op.parents)
            case .change(let change):
                var tally = record.counters[op.field, default: [:]][op.id.replica, default: Tally()]
                if change >= 0 { tally.increments += change } else { tally.decrements += -change }
                record.counters[op.field, default: [:]][op.id.replica] = tally
            case .append(let entry):
                record.logs[op.field, default: []].append(
                    Entry(op: op.id, clock: op.clock, author: op.author, entry: entry))
            case .assign:
                break
            }
        }
        for field in setFields {
            var live: [String: Set<OpID>] = [:]
            for (element, tags) in additions[field] ?? [:] {
                let surviving = tags.subtracting(removed[field]?[element] ?? [])
                if !surviving.isEmpty { live[element] = surviving }
            }
            record.sets[field] = live
        }
        for field in record.logs.keys {
            record.logs[field]!.sort {
                ($0.clock.rawValue, $0.op.replica.rawValue, $0.op.sequence)
                    < ($1.clock.rawValue, $1.op.replica.rawValue, $1.op.sequence)
            }
        }
        return record
    }
}

extension ReferenceModel {
    /// Where a replica's merged state departs from the model, one line per difference
    /// (at most `limit`); empty when they agree field by field, conflicts included.
    func differences(from state: ReplicaState, limit: Int = 12) -> [String] {
        var found: [String] = []
        func note(_ line: @autoclosure () -> String) {
            if found.count < limit { found.append(line()) }
        }
        for id in Set(state.records.keys).subtracting(records.keys).sorted() {
            note("record \(id) is in the state but no op makes it")
        }
        for (id, expected) in records.sorted(by: { $0.key < $1.key }) {
            guard let actual = state[id] else {
                note("record \(id) is missing")
                continue
            }
            for line in expected.differences(from: actual) { note("\(expected.type.key) \(id): \(line)") }
        }
        let actualConflicts = state.conflicts.map { conflict in
            Conflict(
                type: conflict.recordType, record: conflict.recordID, scope: conflict.scope, field: conflict.field,
                heads: conflict.heads.map { Write(op: $0.op, clock: $0.clock, author: $0.author, value: $0.value) })
        }
        if actualConflicts != conflicts {
            note("conflicts are \(actualConflicts), the rules give \(conflicts)")
        }
        return found
    }
}

extension ReferenceModel.Record {
    /// Where a record's merged state departs from this one, one line per difference.
    func differences(from actual: RecordState) -> [String] {
        var found: [String] = []
        if actual.type != type || actual.scope != scope {
            found.append("is a \(actual.type.key) in \(actual.scope), the ops say a \(type.key) in \(scope)")
        }
        if Set(actual.registers.keys) != Set(registers.keys) {
            found.append("registers \(actual.registers.keys.sorted()), the rules give \(registers.keys.sorted())")
        }
        for (field, register) in registers.sorted(by: { $0.key < $1.key }) {
            guard let real = actual.registers[field] else { continue }
            let heads = real.heads.map {
                ReferenceModel.Write(op: $0.op, clock: $0.clock, author: $0.author, value: $0.value)
            }
            if heads != register.heads {
                found.append("\(field) has heads \(heads), the rules give \(register.heads)")
            }
            if real.winner?.op != register.winner?.op || real.value != (register.winner?.value ?? .null) {
                found.append(
                    "\(field) shows \(real.value), the rules give \(register.winner.map(\.description) ?? "none")")
            }
            if real.isConflicted != register.isConflicted {
                found.append("\(field) is\(real.isConflicted ? "" : " not") in conflict, the rules say otherwise")
            }
        }
        if Set(actual.sets.keys) != Set(sets.keys) {
            found.append("sets \(actual.sets.keys.sorted()), the rules give \(sets.keys.sorted())")
        }
        for (field, live) in sets.sorted(by: { $0.key < $1.key }) {
            guard let real = actual.sets[field] else { continue }
            if real.elements != live.keys.sorted() {
                found.append("\(field) holds \(real.elements), the rules give \(live.keys.sorted())")
                continue
            }
            for (element, tags) in live where real.additions(of: element) != tags.sorted() {
                found.append(
                    "\(field) keeps '\(element)' by \(real.additions(of: element)), the rules by \(tags.sorted())")
            }
        }
        if Set(actual.counters.keys) != Set(counters.keys) {
            found.append("counters \(actual.counters.keys.sorted()), the rules give \(counters.keys.sorted())")
        }
        for (field, tallies) in counters.sorted(by: { $0.key < $1.key }) {
            guard let real = actual.counters[field] else { continue }
            let realTallies = real.contributions.mapValues {
                ReferenceModel.Tally(increments: $0.increments, decrements: $0.decrements)
            }
            let sum = tallies.values.reduce(Int64(0)) { $0 + $1.increments - $1.decrements }
            if realTallies != tallies || real.value != sum {
                found.append("\(field) is \(real.value) (\(realTallies)), the rules give \(sum) (\(tallies))")
            }
        }
        if Set(actual.logs.keys) != Set(logs.keys) {
            found.append("logs \(actual.logs.keys.sorted()), the rules give \(logs.keys.sorted())")
        }
        for (field, entries) in logs.sorted(by: { $0.key < $1.key }) {
            guard let real = actual.logs[field] else { continue }
            let realEntries = real.items.map {
                ReferenceModel.Entry(op: $0.op, clock: $0.clock, author: $0.author, entry: $0.entry)
            }
            if realEntries != entries {
                found.append("\(field) lists \(realEntries), the rules give \(entries)")
            }
        }
        if actual.isDeleted != isDeleted {
            found.append("is\(actual.isDeleted ? "" : " not") deleted, the rules say otherwise")
        }
        if actual.conflictedFields != conflictedFields {
            found.append("fields in conflict \(actual.conflictedFields), the rules give \(conflictedFields)")
        }
        return found
    }
}
