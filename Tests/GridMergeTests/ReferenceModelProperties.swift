/// Property tests of the daemon's gate and of the merge core against models written from the
/// rules alone (`AdmissionModel`, `ReferenceModel`), over schedules in which laptops are
/// sometimes broken or hostile.
///
/// Each property plays 2,000 schedules by default, which keeps this file well under a minute
/// in a debug build on two cores. `GRIDSYNC_PROPERTY_COUNT` sets another number, for example
/// a million for a long run:
///
///     GRIDSYNC_PROPERTY_COUNT=1000000 swift test --filter ReferenceModel
///
/// Every failure names the schedule's seed; `GRIDSYNC_PROPERTY_SEED=<seed>` plays that one
/// schedule again (the `.fixedSeed(…)` that swift-property-based prints works too).
import Foundation
import GridMerge
import GridModel
import GridTesting
import PropertyBased
import Testing

/// The gate and the merge core agree with the models of their rules on adversarial schedules.
@Suite struct ReferenceModelProperties {
    /// How many schedules each property plays.
    static let scheduleCount =
        ProcessInfo.processInfo.environment["GRIDSYNC_PROPERTY_COUNT"].flatMap { Int($0) } ?? 2_000
    /// The one schedule to play again, if asked for.
    static let replayedSeed = ProcessInfo.processInfo.environment["GRIDSYNC_PROPERTY_SEED"].flatMap { UInt64($0) }
    /// Fewer runs than this (a replay, a small count) are too few to demand that every case came up.
    static let runsForCoverage = 500

    /// Every pushed op gets the same verdict from the real gate as from the model, and the
    /// daemon ends up holding exactly the ops the model lets in.
    @Test func gateAgreesWithTheModel() async {
        var coverage: [GateSchedule.Case: GateSchedule.CaseTally] = [:]
        var refusalsByRule: [AdmissionModel.Rule: Int] = [:]
        var runs = 0
        await Self.forEachSchedule { seed in
            let schedule = GateSchedule(seed: seed)
            #expect(
                schedule.disagreements.isEmpty,
                """
                seed \(seed) (replay: GRIDSYNC_PROPERTY_SEED=\(seed)): the gate and the model disagree:
                \(schedule.disagreements.joined(separator: "\n"))
                """)
            #expect(
                schedule.failures.isEmpty,
                "seed \(seed): the schedule went wrong:\n\(schedule.failures.joined(separator: "\n"))")
            #expect(
                schedule.model.stored.map(\.id) == schedule.daemon.stored.map(\.id),
                "seed \(seed): the daemon stored other ops than the model lets in")
            coverage.merge(schedule.tallies) { $0 + $1 }
            refusalsByRule.merge(schedule.refusalsByRule) { $0 + $1 }
            runs += 1
        }
        guard runs >= Self.runsForCoverage else { return }
        // The generators must make every case, and the gate must see each refused by the rule
        // written for it (or let in, for the lawful ones): otherwise this test proves nothing.
        for forgery in GateSchedule.Case.allCases {
            let tally = coverage[forgery, default: .init()]
            #expect(tally.generated > 0, "\(forgery): never generated in \(runs) schedules")
            if let rule = forgery.refusingRule {
                #expect(tally.refused[rule, default: 0] > 0, "\(forgery): never refused by \(rule) (\(tally))")
            }
            if forgery.mustGetIn {
                #expect(tally.accepted + tally.held > 0, "\(forgery): never let in (\(tally))")
            }
        }
        for rule in AdmissionModel.Rule.allCases {
            #expect(refusalsByRule[rule, default: 0] > 0, "no op was refused by \(rule) in \(runs) schedules")
        }
        print(GateSchedule.report(coverage, runs: runs))
    }

    /// The ops the daemon let in, delivered to fresh laptops in random orders with duplicates,
    /// give every laptop (and the daemon) exactly the state and conflicts the rules give the set.
    @Test func mergeAgreesWithTheModel() async {
        var runs = 0
        var runsWithConflicts = 0
        var runsWithDeleteConflicts = 0
        var runsWithDeletedRecords = 0
        var runsWithNotesOnDeletedRecords = 0
        var acceptedOps = 0
        await Self.forEachSchedule { seed in
            var schedule = GateSchedule(seed: seed)
            #expect(schedule.failures.isEmpty, "seed \(seed): \(schedule.failures.joined(separator: "\n"))")
            let accepted = schedule.daemon.stored
            let model = ReferenceModel(accepted)
            #expect(model.contradictions.isEmpty, "seed \(seed): ops contradict their record: \(model.contradictions)")
            let daemonDifferences = model.differences(from: schedule.daemon.state)
            #expect(
                daemonDifferences.isEmpty,
                """
                seed \(seed) (replay: GRIDSYNC_PROPERTY_SEED=\(seed)): the daemon's state departs from the rules:
                \(daemonDifferences.joined(separator: "\n"))
                """)
            for laptop in 0..<Int.random(in: 2...5, using: &schedule.rng) {
                var delivery = accepted + accepted.filter { _ in Int.random(in: 0..<5, using: &schedule.rng) == 0 }
                delivery.shuffle(using: &schedule.rng)
                var state = ReplicaState()
                for op in delivery {
                    do {
                        try state.apply(op)
                    } catch {
                        Issue.record(
                            "seed \(seed): laptop \(laptop) refused \(op.id), which the daemon let in: \(error)")
                    }
                }
                let differences = model.differences(from: state)
                #expect(
                    differences.isEmpty,
                    """
                    seed \(seed) (replay: GRIDSYNC_PROPERTY_SEED=\(seed)): laptop \(laptop), which received \
                    \(delivery.count) ops in the seed's order, departs from the rules:
                    \(differences.joined(separator: "\n"))
                    """)
                #expect(state.opCount == Set(accepted.map(\.id)).count, "seed \(seed): laptop \(laptop) lost ops")
            }
            runs += 1
            acceptedOps += accepted.count
            if !model.conflicts.isEmpty { runsWithConflicts += 1 }
            if model.conflicts.contains(where: { $0.field == RecordSchema.deletedField }) {
                runsWithDeleteConflicts += 1
            }
            if model.records.values.contains(where: \.isDeleted) { runsWithDeletedRecords += 1 }
            if schedule.tallies[.noteOnDeleted, default: .init()].accepted > 0 { runsWithNotesOnDeletedRecords += 1 }
        }
        guard runs >= Self.runsForCoverage else { return }
        // Agreement means little if the schedules never conflict, never delete, or let little in.
        #expect(runsWithConflicts > runs / 4, "only \(runsWithConflicts) of \(runs) schedules ended in conflict")
        #expect(runsWithDeleteConflicts > runs / 50, "only \(runsWithDeleteConflicts) delete-against-edit conflicts")
        #expect(runsWithDeletedRecords > runs / 10, "only \(runsWithDeletedRecords) schedules deleted a record")
        #expect(
            runsWithNotesOnDeletedRecords > runs / 50, "only \(runsWithNotesOnDeletedRecords) noted a deleted record")
        #expect(acceptedOps > runs * 20, "only \(acceptedOps) ops let in over \(runs) schedules")
        print(
            "merge: \(runs) schedules, \(acceptedOps) ops let in, \(runsWithConflicts) ended in conflict "
                + "(\(runsWithDeleteConflicts) on deleted), \(runsWithDeletedRecords) with a deleted record, "
                + "\(runsWithNotesOnDeletedRecords) with a note on a deleted record")
    }

    /// Plays `body` on each schedule's seed: the replayed one, or as many as asked for.
    private static func forEachSchedule(
        isolation: isolated (any Actor)? = #isolation, _ body: (UInt64) -> Void
    ) async {
        if let replayedSeed {
            body(replayedSeed)
            return
        }
        await propertyCheck(count: scheduleCount, input: Gen.uint64(in: 0...UInt64.max)) { seed in body(seed) }
    }
}

/// A seeded day at the daemon: laptops edit shared records offline, some of them broken or
/// hostile, and push and pull in random interleavings. Every pushed op is judged by the real
/// gate and by ``AdmissionModel``; the daemon stores a push only if the real gate refuses none
/// of it.
///
/// The real gate is what the daemon runs, piece by piece: the server session's checks of
/// writer, grids and repeated ids (as `ServerSession` makes them), then `OpAdmission.check`
/// against the daemon's ops and the push's earlier ops, then the daemon's `HybridClock.check`.
///
/// A laptop's bad op is a forged copy of an op its replica wrote: the replica keeps the op it
/// wrote, and pushes the copy. When a push is refused, the laptop is "repaired": its forged
/// copies are replaced by the ops written, which it pushes again later, so that one bad op does
/// not stop a laptop for the rest of the day.
struct GateSchedule {
    /// The kinds of op that a broken laptop or an attacker pushes, and the lawful but unusual
    /// ones that the rules must let in.
    enum Case: String, CaseIterable, Comparable {
        /// A parent id drawn at random.
        case randomParent
        /// A parent that another replica has not written yet.
        case futureParentOfOther
        /// A parent that is the writer's own op of the same or a later sequence.
        case futureParentOfWriter
        /// Two laptops' ops naming each other.
        case mutualParents
        /// A parent that is an op of another record.
        case otherRecordParent
        /// A parent that is an op of another field of the same record: lawful, and harmless.
        case otherFieldParent
        /// A copied data folder: two laptops numbering different ops alike.
        case clone
        /// A clock a year ahead.
        case yearAhead
        /// A clock just inside, at, or just past the bound of five minutes.
        case clockAtBound
        /// A scope outside the writer's grids.
        case outsideGrids
        /// Another replica's id, or another worker as author.
        case foreignWriter
        /// An edit of a field on top of a delete.
        case editOnDelete
        /// A note on a record the laptop shows deleted: lawful, and it must leave the record deleted.
        case noteOnDeleted
        /// A note naming parents of its record: notes name none, but no rule forbids it.
        case noteWithParents
        /// More than `OpAdmission.maximumParents` parents.
        case tooManyParents
        /// One id twice in a push, with the same op or another.
        case repeatedInPush

        /// The rule that must refuse some ops of this case, for one the rules forbid.
        var refusingRule: AdmissionModel.Rule? {
            switch self {
            case .randomParent, .futureParentOfOther, .mutualParents: .unknownParent
            case .futureParentOfWriter: .laterOwnParent
            case .otherRecordParent: .otherRecordParent
            case .clone: .reusedID
            case .yearAhead, .clockAtBound: .clockAhead
            case .outsideGrids: .outsideGrids
            case .foreignWriter: .foreignWriter
            case .editOnDelete: .editOnDelete
            case .tooManyParents: .tooManyParents
            case .repeatedInPush: .repeatedInPush
            case .otherFieldParent, .noteOnDeleted, .noteWithParents: nil
            }
        }

        /// Whether some ops of this case must be let in.
        var mustGetIn: Bool {
            switch self {
            case .otherFieldParent, .noteOnDeleted, .noteWithParents, .clockAtBound, .clone: true
            default: false
            }
        }

        /// The cases a laptop makes of one op it has just written.
        static let ofOneOp: [Case] = [
            .randomParent, .futureParentOfOther, .futureParentOfWriter, .mutualParents, .otherRecordParent,
            .otherFieldParent, .yearAhead, .outsideGrids, .foreignWriter, .editOnDelete, .noteWithParents,
        ]

        static func < (lhs: Case, rhs: Case) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// What became of the pushed ops of one case.
    struct CaseTally: CustomStringConvertible {
        var generated = 0
        var accepted = 0
        var held = 0
        var refused: [AdmissionModel.Rule: Int] = [:]

        static func + (lhs: CaseTally, rhs: CaseTally) -> CaseTally {
            CaseTally(
                generated: lhs.generated + rhs.generated, accepted: lhs.accepted + rhs.accepted,
                held: lhs.held + rhs.held, refused: lhs.refused.merging(rhs.refused) { $0 + $1 })
        }

        var description: String {
            let refusals = refused.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            return "generated \(generated), accepted \(accepted), held \(held), refused: "
                + (refusals.isEmpty ? "none" : refusals.joined(separator: ", "))
        }
    }

    /// An op waiting on a laptop to be pushed: as its replica wrote it, and as the laptop pushes it.
    struct Outgoing {
        /// The op the replica wrote.
        let written: Op
        /// The op the laptop pushes: `written`, or a forged copy.
        var pushed: Op
        /// How `pushed` was forged, if it was.
        var forgery: Case?
        /// The case the written op itself belongs to, if any: a note on a deleted record, a twin's op.
        let writtenCase: Case?

        /// The case the pushed op is counted under.
        var tag: Case? { forgery ?? writtenCase }
    }

    /// One laptop: its replica, its wall clock, the ops it has yet to push, and how far it has pulled.
    struct Laptop {
        var replica: Replica
        let wall: ManualWallClock
        /// The records the replica holds, in the order it first saw them (sorting record ids is slow).
        var records: [RecordID] = []
        var outbox: [Outgoing] = []
        var pulled = 0
        /// A laptop whose data folder was copied, or the copy: one of the two will be refused for good.
        var isTwin = false
        /// Refused for good (a twin that lost the race): it stops pushing.
        var isRetired = false

        var pusher: AdmissionModel.Pusher { .init(replica: replica.id, worker: replica.author) }
    }

    /// The daemon: the ops it holds, its clock, and its merged state.
    struct Daemon {
        let wall: ManualWallClock
        var clock: HybridClock
        var held: [OpID: Op] = [:]
        var stored: [Op] = []
        var state = ReplicaState()

        /// The real gate's answer for one op of a push.
        func outcome(
            of op: Op, earlier: [OpID: Op], from pusher: AdmissionModel.Pusher, writing scopes: [GridScope]
        ) -> AdmissionModel.Outcome {
            guard op.id.replica == pusher.replica, op.author == pusher.worker else { return .refusedWriter }
            guard scopes.covers(op.scope) else { return .refusedScope }
            guard earlier[op.id] == nil else { return .refusedDuplicate }
            do {
                let held = self.held
                switch try OpAdmission.check(op, held: { held[$0] }, earlier: earlier) {
                case .held:
                    return .held
                case .new:
                    try clock.check(op.clock)
                    return .accepted
                }
            } catch let error as MergeError {
                return .refused(error.code)
            } catch {
                return .refused(MergeError.Code(rawValue: "unexpected \(error)"))
            }
        }
    }

    /// Texts of notes, as the office writes them.
    static let noteTexts = ["居民已确认，问题已解决。", "重复登记，已删除。", "经核实，与另一条诉求合并。", "已电话回访。"]
    /// One year, in milliseconds.
    static let year: UInt64 = 365 * 24 * 3_600_000

    /// The grid every laptop works in.
    let grid: Grid
    /// The laptops, twins included.
    private(set) var laptops: [Laptop] = []
    /// The daemon.
    private(set) var daemon: Daemon
    /// The model gate, fed the same pushes.
    private(set) var model: AdmissionModel
    /// Every op on which the real gate and the model disagree, described.
    private(set) var disagreements: [String] = []
    /// Steps that went wrong although they should not (an honest edit refused, a pull refused).
    private(set) var failures: [String] = []
    /// What became of each case's pushed ops.
    private(set) var tallies: [Case: CaseTally] = [:]
    /// How many pushed ops the model refused, by rule.
    private(set) var refusalsByRule: [AdmissionModel.Rule: Int] = [:]
    /// The schedule's random source, left where the schedule ended (for what a property draws next).
    var rng: SeededGenerator

    private let generator = EditGenerator()
    private var walls: [ManualWallClock] = []
    private var pushes = 0

    /// Plays the day of `seed`.
    init(seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        let street = generator.street
        // The first twenty grids have three workers each, so laptops of different workers share records.
        let grid = street.grids[Int.random(in: 0..<20, using: &rng)]
        self.grid = grid
        let workers = street.workers.filter { $0.grids.contains(grid.id) }
        let start = 1_793_491_200_000 + UInt64.random(in: 0...86_400_000, using: &rng)
        let daemonWall = ManualWallClock(milliseconds: start)
        daemon = Daemon(wall: daemonWall, clock: HybridClock(wallClock: daemonWall))
        model = AdmissionModel(street: street)
        for index in 0..<Int.random(in: 2...4, using: &rng) {
            // Some laptops keep the daemon's time to the millisecond: their ops tie on clock
            // readings, and only the replica id orders them.
            let offset = Bool.random(using: &rng) ? 0 : Int64.random(in: -600_000...120_000, using: &rng)
            let wall = ManualWallClock(milliseconds: UInt64(Int64(start) + offset))
            walls.append(wall)
            // Laptops take in any op the daemon let in: the bound that matters here is the daemon's.
            let clock = HybridClock(wallClock: wall, maximumDrift: 24 * 3_600_000)
            let replica = Replica(id: .random(using: &rng), author: workers[index % workers.count].id, clock: clock)
            laptops.append(Laptop(replica: replica, wall: wall))
        }
        let steps = Int.random(in: 16...64, using: &rng)
        let cloneStep = Int.random(in: 0..<2, using: &rng) == 0 ? Int.random(in: 0..<steps, using: &rng) : nil
        self.rng = rng

        for step in 0..<steps {
            if step == cloneStep { cloneALaptop() }
            passTime()
            let index = Int.random(in: 0..<laptops.count, using: &self.rng)
            guard !laptops[index].isRetired else { continue }
            switch Int.random(in: 0..<100, using: &self.rng) {
            case 0..<7: create(on: index)
            case 7..<55: edit(on: index)
            case 55..<78: push(from: index, everything: false)
            default: pull(into: index)
            }
        }
        // At the end of the day every laptop syncs, and syncs again after a refusal (it was repaired).
        for _ in 0..<3 {
            for index in laptops.indices where !laptops[index].isRetired && !laptops[index].outbox.isEmpty {
                pull(into: index)
                push(from: index, everything: true)
            }
        }
    }

    /// The coverage table, one line per case, for the test's output.
    static func report(_ tallies: [Case: CaseTally], runs: Int) -> String {
        "gate: \(runs) schedules\n"
            + Case.allCases.map { "  \($0.rawValue): \(tallies[$0, default: .init()])" }.joined(separator: "\n")
    }

    // MARK: Time

    /// Time passes for everyone, or none; now and then the daemon's clock is stepped back a little (the
    /// bound is against its wall clock alone), one laptop's clock jumps, and one that runs
    /// more than six minutes fast is put right (as NTP would), though its hybrid clock stays ahead.
    private mutating func passTime() {
        // Often no time passes between steps, so that laptops write within one millisecond.
        let delta = Int.random(in: 0..<3, using: &rng) == 0 ? 0 : Int64.random(in: 1...30_000, using: &rng)
        daemon.wall.advance(by: delta)
        for wall in walls { wall.advance(by: delta) }
        if Int.random(in: 0..<40, using: &rng) == 0 {
            daemon.wall.advance(by: -Int64.random(in: 1...120_000, using: &rng))
        }
        guard Int.random(in: 0..<20, using: &rng) == 0, let wall = walls.randomElement(using: &rng) else { return }
        wall.advance(by: Int64.random(in: -180_000...240_000, using: &rng))
        let daemonNow = daemon.wall.millisecondsSince1970()
        if wall.millisecondsSince1970() > daemonNow + 360_000 {
            wall.set(daemonNow - UInt64.random(in: 0...60_000, using: &rng))
        }
    }

    // MARK: Writing

    private mutating func create(on index: Int) {
        let type = EditGenerator.fieldTypes.randomElement(using: &rng)!
        let edits = generator.newRecord(type, in: grid.scope, using: &rng)
        do {
            let id = RecordID(using: &rng)
            let ops = try laptops[index].replica.create(type, id: id, in: grid.scope, edits)
            laptops[index].records.append(id)
            for op in ops { enqueue(op, on: index) }
            maybeForge(on: index)
        } catch {
            failures.append("creating a \(type.key) on \(laptops[index].replica.id) failed: \(error)")
        }
    }

    private mutating func edit(on index: Int) {
        let state = laptops[index].replica.state
        guard let id = laptops[index].records.randomElement(using: &rng), let record = state[id] else {
            return create(on: index)
        }
        if record.isDeleted { return editDeleted(record, on: index) }
        guard let edit = setChurn(of: record) ?? generator.workerEdit(of: record, using: &rng) else { return }
        do {
            enqueue(try laptops[index].replica.edit(id, edit), on: index)
            maybeForge(on: index)
        } catch {
            failures.append("an edit of \(id) on \(laptops[index].replica.id) was refused: \(error)")
        }
    }

    /// Now and then, an element that is present is added again or removed: with several laptops
    /// doing so offline, additions race removals that did not see them (add wins), which random
    /// edits from large pools of elements seldom make happen.
    private mutating func setChurn(of record: RecordState) -> Edit? {
        guard Int.random(in: 0..<6, using: &rng) == 0 else { return nil }
        let present = record.sets.keys.sorted().flatMap { field in
            record.sets[field]!.elements.map { (field: field, element: $0) }
        }
        guard let (field, element) = present.randomElement(using: &rng) else { return nil }
        return Bool.random(using: &rng) ? .add(field, element) : .remove(field, element)
    }

    /// What a worker does with a record their laptop shows deleted: restore it, note something
    /// about it (lawful, and it must leave the record deleted), or, on a broken laptop, edit it
    /// on top of the delete.
    private mutating func editDeleted(_ record: RecordState, on index: Int) {
        let roll = Int.random(in: 0..<10, using: &rng)
        let edit = roll < 3 ? Edit.restore : note()
        do {
            let op = try laptops[index].replica.edit(record.id, edit)
            enqueue(op, on: index, writtenCase: roll < 3 ? nil : .noteOnDeleted)
            guard roll >= 8, !laptops[index].isTwin else { return }
            // The broken laptop pushes a field edit in the note's place, on top of the record's liveness heads.
            let field = record.type.schema.registerFields.filter { $0.name != RecordSchema.deletedField }
                .randomElement(using: &rng)!
            guard case .register(let domain) = field.shape else { return }
            let forged = op.rewritten(
                field: field.name, payload: .assign(generator.value(of: domain, using: &rng)),
                parents: record.liveness.heads.map(\.op))
            forge(last: index, as: forged, .editOnDelete)
        } catch {
            failures.append(
                "\(edit.field) of deleted \(record.id) on \(laptops[index].replica.id) was refused: \(error)")
        }
    }

    private mutating func note() -> Edit {
        .append(RecordSchema.notesField, LogEntry(["text": .text(Self.noteTexts.randomElement(using: &rng)!)]))
    }

    private mutating func enqueue(_ op: Op, on index: Int, writtenCase: Case? = nil) {
        let belongsTo = laptops[index].isTwin ? .clone : writtenCase
        laptops[index].outbox.append(Outgoing(written: op, pushed: op, forgery: nil, writtenCase: belongsTo))
    }

    private mutating func forge(last index: Int, as forged: Op, _ forgery: Case) {
        let last = laptops[index].outbox.count - 1
        laptops[index].outbox[last].pushed = forged
        laptops[index].outbox[last].forgery = forgery
    }

    // MARK: Forging

    /// Now and then, the laptop pushes a forged copy of the op it has just written.
    private mutating func maybeForge(on index: Int) {
        guard !laptops[index].isTwin, Int.random(in: 0..<100, using: &rng) < 30 else { return }
        if Int.random(in: 0..<40, using: &rng) == 0 { return forgeTooManyParents(on: index) }
        let forgery = Case.ofOneOp.randomElement(using: &rng)!
        if forgery == .noteWithParents, laptops[index].outbox.last?.written.field != RecordSchema.notesField {
            // Write a note to forge: notes are too rare among random edits to wait for one.
            guard let record = laptops[index].outbox.last?.written.recordID else { return }
            do {
                enqueue(try laptops[index].replica.edit(record, note()), on: index)
            } catch {
                return failures.append("a note on \(record) was refused: \(error)")
            }
        }
        guard let entry = laptops[index].outbox.last, entry.forgery == nil else { return }
        let op = entry.written
        let replica = laptops[index].replica
        let known = replica.ops.filter { $0.id != op.id }
        let others = laptops.filter { $0.replica.id != replica.id }
        var forged: Op?
        switch forgery {
        case .randomParent:
            forged = op.rewritten(parents: op.parents + [OpID(replica: .random(using: &rng), sequence: drawSequence())])
        case .futureParentOfOther:
            guard let other = others.randomElement(using: &rng) else { return }
            let future = other.replica.lastSequence + UInt64.random(in: 1...3, using: &rng)
            forged = op.rewritten(parents: op.parents + [OpID(replica: other.replica.id, sequence: future)])
        case .futureParentOfWriter:
            let future = op.id.sequence + UInt64.random(in: 0...2, using: &rng)
            forged = op.rewritten(parents: op.parents + [OpID(replica: op.id.replica, sequence: future)])
        case .mutualParents:
            return forgeMutualParents(on: index)
        case .otherRecordParent:
            let heldFirst = known.filter { $0.recordID != op.recordID && daemon.held[$0.id] != nil }
            let candidates = heldFirst.isEmpty ? known.filter { $0.recordID != op.recordID } : heldFirst
            guard let parent = candidates.randomElement(using: &rng) else { return }
            forged = op.rewritten(parents: op.parents + [parent.id])
        case .otherFieldParent:
            let candidates = known.filter {
                $0.recordID == op.recordID && $0.field != op.field && !$0.isDelete && daemon.held[$0.id] != nil
            }
            guard let parent = candidates.randomElement(using: &rng) else { return }
            forged = op.rewritten(parents: op.parents + [parent.id])
        case .yearAhead:
            let milliseconds = laptops[index].wall.millisecondsSince1970() + Self.year
            forged = op.rewritten(clock: HybridTimestamp(milliseconds: milliseconds, counter: op.clock.counter))
        case .outsideGrids:
            let street = generator.street
            let elsewhere = street.grids.filter { $0.id != grid.id }.randomElement(using: &rng)!.scope
            let scope = Bool.random(using: &rng) ? elsewhere : GridScope(community: grid.community)
            forged = op.rewritten(scope: scope)
        case .foreignWriter:
            if Bool.random(using: &rng), let other = others.randomElement(using: &rng) {
                forged = op.rewritten(id: OpID(replica: other.replica.id, sequence: op.id.sequence))
            } else {
                let author = generator.street.workers.filter { $0.id != op.author }.randomElement(using: &rng)!.id
                forged = op.rewritten(author: author)
            }
        case .editOnDelete:
            guard op.field != RecordSchema.deletedField,
                let delete = known.filter({ $0.recordID == op.recordID && $0.isDelete }).randomElement(using: &rng)
            else { return }
            forged = op.rewritten(parents: op.parents + [delete.id])
        case .noteWithParents:
            let candidates = known.filter {
                $0.recordID == op.recordID && ($0.id.replica != op.id.replica || $0.id.sequence < op.id.sequence)
            }
            guard !candidates.isEmpty else { return }
            let parents = (0..<Int.random(in: 1...3, using: &rng)).map { _ in
                candidates.randomElement(using: &rng)!.id
            }
            forged = op.rewritten(parents: parents)
        default:
            return
        }
        if let forged { forge(last: index, as: forged, forgery) }
    }

    private mutating func drawSequence() -> UInt64 { UInt64.random(in: 1...500, using: &rng) }

    /// The laptop's last op and another laptop's last op name each other.
    private mutating func forgeMutualParents(on index: Int) {
        let replica = laptops[index].replica.id
        let partners = laptops.indices.filter {
            laptops[$0].replica.id != replica && !laptops[$0].isTwin && !laptops[$0].isRetired
                && laptops[$0].outbox.last.map { $0.forgery == nil } == true
        }
        guard let partner = partners.randomElement(using: &rng) else { return }
        let mine = laptops[index].outbox.last!.written
        let theirs = laptops[partner].outbox.last!.written
        forge(last: index, as: mine.rewritten(parents: mine.parents + [theirs.id]), .mutualParents)
        forge(last: partner, as: theirs.rewritten(parents: theirs.parents + [mine.id]), .mutualParents)
    }

    /// The laptop's last op names more parents than the rules allow.
    private mutating func forgeTooManyParents(on index: Int) {
        guard let op = laptops[index].outbox.last?.written else { return }
        let count = AdmissionModel.maximumParents + Int.random(in: 1...3, using: &rng) - op.parents.count
        let random = (0..<count).map { _ in OpID(replica: .random(using: &rng), sequence: drawSequence()) }
        forge(last: index, as: op.rewritten(parents: op.parents + random), .tooManyParents)
    }

    /// A worker copies a laptop's data folder to another laptop: both go on numbering ops alike.
    private mutating func cloneALaptop() {
        let candidates = laptops.indices.filter { !laptops[$0].isRetired && !laptops[$0].isTwin }
        guard let index = candidates.randomElement(using: &rng) else { return }
        laptops[index].isTwin = true
        for entry in laptops[index].outbox.indices where laptops[index].outbox[entry].forgery != nil {
            laptops[index].outbox[entry].pushed = laptops[index].outbox[entry].written
            laptops[index].outbox[entry].forgery = nil
        }
        laptops.append(laptops[index])
    }

    // MARK: Syncing

    /// The laptop pulls every op the daemon stored since its last pull, but its own replica's.
    private mutating func pull(into index: Int) {
        let replica = laptops[index].replica.id
        for op in daemon.stored[laptops[index].pulled...] where op.id.replica != replica {
            do {
                let known = laptops[index].replica.state[op.recordID] != nil
                try laptops[index].replica.receive(op)
                if !known { laptops[index].records.append(op.recordID) }
            } catch {
                failures.append("\(replica) refused \(op.id), which the daemon let in: \(error)")
            }
        }
        laptops[index].pulled = daemon.stored.count
    }

    /// The laptop pushes its outbox (or the first part of it) as one push; now and then the
    /// push itself is forged, with a clock at the daemon's bound or an id repeated.
    private mutating func push(from index: Int, everything: Bool) {
        let outbox = laptops[index].outbox
        guard !outbox.isEmpty else { return }
        let count = everything ? outbox.count : Int.random(in: 1...outbox.count, using: &rng)
        let wall = daemon.wall.millisecondsSince1970()
        if Int.random(in: 0..<12, using: &rng) == 0, !laptops[index].isTwin,
            let entry = (0..<count).filter({ outbox[$0].forgery == nil }).randomElement(using: &rng)
        {
            let milliseconds = UInt64(Int64(wall + AdmissionModel.maximumDrift) + Int64.random(in: -1...1, using: &rng))
            let clock = HybridTimestamp(milliseconds: milliseconds, counter: outbox[entry].pushed.clock.counter)
            laptops[index].outbox[entry].pushed = outbox[entry].pushed.rewritten(clock: clock)
            laptops[index].outbox[entry].forgery = .clockAtBound
        }
        var push = laptops[index].outbox[..<count].map { (op: $0.pushed, tag: $0.tag) }
        if Int.random(in: 0..<12, using: &rng) == 0 {
            let original = Int.random(in: 0..<push.count, using: &rng)
            let op = push[original].op
            let repeated =
                Bool.random(using: &rng) ? op : op.rewritten(clock: HybridTimestamp(rawValue: op.clock.rawValue + 1))
            push.insert(
                (op: repeated, tag: .repeatedInPush), at: Int.random(in: original + 1...push.count, using: &rng))
        }
        judge(push, from: index, wall: wall)
    }

    /// Puts one push to the real gate and to the model, compares every verdict, and stores the
    /// push if the real gate refuses none of it.
    private mutating func judge(_ push: [(op: Op, tag: Case?)], from index: Int, wall: UInt64) {
        pushes += 1
        let pusher = laptops[index].pusher
        let ops = push.map(\.op)
        let account = generator.street.worker(pusher.worker)!
        let scopes = account.grids.map { generator.street.grid($0)!.scope }
        let verdicts = model.take(ops, from: pusher, wall: wall)
        var earlier: [OpID: Op] = [:]
        var refused = false
        for (position, (op, tag)) in push.enumerated() {
            let outcome = daemon.outcome(of: op, earlier: earlier, from: pusher, writing: scopes)
            earlier[op.id] = earlier[op.id] ?? op
            refused = refused || outcome.isRefusal
            let verdict = verdicts[position]
            if verdict.outcome != outcome, disagreements.count < 10 {
                disagreements.append(
                    "push \(pushes) from \(pusher) at daemon time \(wall), op \(position) \(op.described) "
                        + "(\(tag?.rawValue ?? "honest")): the model says \(verdict), the gate says \(outcome)")
            }
            if case .refused(let rule) = verdict { refusalsByRule[rule, default: 0] += 1 }
            if let tag {
                tallies[tag, default: .init()].generated += 1
                switch verdict {
                case .accepted: tallies[tag]!.accepted += 1
                case .held: tallies[tag]!.held += 1
                case .refused(let rule): tallies[tag]!.refused[rule, default: 0] += 1
                }
            }
        }
        let count = push.count(where: { $0.tag != .repeatedInPush })
        if refused {
            repair(index, count: count)
        } else {
            store(ops)
            laptops[index].outbox.removeFirst(count)
        }
    }

    /// After a refused push the laptop pushes what its replica wrote; a twin whose ops the
    /// daemon holds under the same ids with other content will never get in, and stops.
    private mutating func repair(_ index: Int, count: Int) {
        for entry in 0..<count {
            let written = laptops[index].outbox[entry].written
            laptops[index].outbox[entry].pushed = written
            laptops[index].outbox[entry].forgery = nil
            if let held = daemon.held[written.id], held != written { laptops[index].isRetired = true }
        }
    }

    private mutating func store(_ ops: [Op]) {
        for op in ops where daemon.held[op.id] == nil {
            daemon.held[op.id] = op
            daemon.stored.append(op)
            do {
                try daemon.clock.observe(op.clock)
                try daemon.state.apply(op)
            } catch {
                failures.append("the daemon could not merge \(op.id), which its gate let in: \(error)")
            }
        }
    }
}

extension Op {
    /// A copy of the op with some of its parts replaced: how a broken laptop forges one.
    fileprivate func rewritten(
        id: OpID? = nil, clock: HybridTimestamp? = nil, author: WorkerID? = nil, scope: GridScope? = nil,
        field: String? = nil, payload: OpPayload? = nil, parents: [OpID]? = nil
    ) -> Op {
        Op(
            id: id ?? self.id, clock: clock ?? self.clock, author: author ?? self.author, recordType: recordType,
            recordID: recordID, scope: scope ?? self.scope, field: field ?? self.field,
            payload: payload ?? self.payload, parents: parents ?? self.parents)
    }

    /// The op in one line, for a disagreement's report.
    fileprivate var described: String {
        let parentList =
            parents.count > 6 ? "\(parents.count) parents" : parents.map(\.description).joined(separator: ",")
        return "\(id) clock \(clock) by \(author) on \(recordType.key) \(recordID) in \(scope): \(field) "
            + "\(payload) parents [\(parentList)]"
    }
}
