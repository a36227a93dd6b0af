import GridMerge
import GridModel

/// The daemon's gate for pushed ops, written from its rules, and the ops it has let in.
///
/// The daemon takes a laptop's push only if every op of it passes these rules, checked in
/// this order for each op (the first that fails is the refusal):
/// 1. the op was written by the pushing replica, for the worker the push is made for;
/// 2. its scope is one of that worker's grids (a grid of the record's community);
/// 3. its id does not come earlier in the same push;
/// 4. an op id that the daemon holds means one op: the same op again is held (skipped),
///    another op under that id is refused;
/// 5. at most 1,024 parents;
/// 6. for each parent: it is not an op of the writer with the same or a later sequence; it is
///    earlier in the push or held; it is an op of the same record; and it is not a delete
///    (`deleted = true`) unless the op itself writes `deleted`;
/// 7. its clock's milliseconds are at most the daemon's wall clock plus five minutes.
///
/// Rules 1 to 3 are the server session's, 4 to 6 those of `OpAdmission`'s documentation,
/// and 7 that of `HybridClock.check`. The model shares none of their code: it reads only the
/// ops themselves.
struct AdmissionModel {
    /// Who pushes: the connection's replica, and the worker whose token it syncs with.
    struct Pusher: Hashable, CustomStringConvertible {
        let replica: ReplicaID
        let worker: WorkerID

        var description: String { "\(replica) (\(worker))" }
    }

    /// The rule that refuses an op.
    enum Rule: String, CaseIterable, Hashable, Comparable {
        case foreignWriter, outsideGrids, repeatedInPush, reusedID, tooManyParents, laterOwnParent, unknownParent
        case otherRecordParent, editOnDelete, clockAhead

        /// The code the daemon's refusal carries; `nil` for the session's own checks of the push.
        var code: MergeError.Code? {
            switch self {
            case .foreignWriter, .outsideGrids, .repeatedInPush: nil
            case .reusedID: .reusedID
            case .tooManyParents, .laterOwnParent, .unknownParent, .otherRecordParent, .editOnDelete: .badParents
            case .clockAhead: .clockTooFarAhead
            }
        }

        static func < (lhs: Rule, rhs: Rule) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// What the model decides about one pushed op.
    enum Verdict: Hashable, CustomStringConvertible {
        /// A new op that passes every rule.
        case accepted
        /// The very op the daemon holds already.
        case held
        /// Refused by this rule.
        case refused(Rule)

        /// The decision as the daemon reports it.
        var outcome: Outcome {
            switch self {
            case .accepted: .accepted
            case .held: .held
            case .refused(.foreignWriter): .refusedWriter
            case .refused(.outsideGrids): .refusedScope
            case .refused(.repeatedInPush): .refusedDuplicate
            case .refused(let rule): .refused(rule.code!)
            }
        }

        var description: String {
            switch self {
            case .accepted: "accepted"
            case .held: "held"
            case .refused(let rule): "refused by \(rule) (\(rule.code.map(\.rawValue) ?? "session"))"
            }
        }
    }

    /// A gate's decision about one op, as precisely as the daemon reports it: accepted, held,
    /// or refused with the session's reason or a ``MergeError`` code.
    enum Outcome: Hashable, CustomStringConvertible {
        case accepted
        case held
        case refusedWriter
        case refusedScope
        case refusedDuplicate
        case refused(MergeError.Code)

        /// Whether the op stops its push.
        var isRefusal: Bool {
            switch self {
            case .accepted, .held: false
            case .refusedWriter, .refusedScope, .refusedDuplicate, .refused: true
            }
        }

        var description: String {
            switch self {
            case .accepted: "accepted"
            case .held: "held"
            case .refusedWriter: "refused (writer)"
            case .refusedScope: "refused (scope)"
            case .refusedDuplicate: "refused (duplicate)"
            case .refused(let code): "refused (\(code))"
            }
        }
    }

    /// How far ahead of the daemon's wall clock an op's clock may be: five minutes.
    static let maximumDrift: UInt64 = 5 * 60 * 1000
    /// The most parents an op may name. Written out rather than read from `OpAdmission`, so
    /// that a change of the limit has to be a change of the rules too.
    static let maximumParents = 1_024

    /// Each worker's grids, from the street's reference data.
    private let gridsOfWorker: [WorkerID: Set<GridID>]
    /// Each grid's community.
    private let communityOfGrid: [GridID: CommunityID]
    /// Every op the daemon has let in, by id.
    private(set) var held: [OpID: Op] = [:]
    /// The same ops in the order they were let in.
    private(set) var stored: [Op] = []

    /// Creates a gate for the workers and grids of `street` that holds nothing yet.
    init(street: Street) {
        gridsOfWorker = Dictionary(uniqueKeysWithValues: street.workers.map { ($0.id, Set($0.grids)) })
        communityOfGrid = Dictionary(uniqueKeysWithValues: street.grids.map { ($0.id, $0.community) })
    }

    /// Decides about every op of a push, each against what the daemon holds and the ops
    /// before it in the push (all of them, even refused ones: the code under test is asked
    /// about each op alone, so the model answers each op alone too).
    func judge(_ push: [Op], from pusher: Pusher, wall: UInt64) -> [Verdict] {
        var earlier: [OpID: Op] = [:]
        return push.map { op in
            defer { if earlier[op.id] == nil { earlier[op.id] = op } }
            return verdict(for: op, earlier: earlier, from: pusher, wall: wall)
        }
    }

    /// Judges a push and, if no op of it is refused, lets its new ops in: a push is all or nothing.
    @discardableResult
    mutating func take(_ push: [Op], from pusher: Pusher, wall: UInt64) -> [Verdict] {
        let verdicts = judge(push, from: pusher, wall: wall)
        guard !verdicts.contains(where: { if case .refused = $0 { true } else { false } }) else { return verdicts }
        for (op, verdict) in zip(push, verdicts) where verdict == .accepted && held[op.id] == nil {
            held[op.id] = op
            stored.append(op)
        }
        return verdicts
    }

    /// The verdict on one op; `earlier` holds the first op of each id that came before it in the push.
    private func verdict(for op: Op, earlier: [OpID: Op], from pusher: Pusher, wall: UInt64) -> Verdict {
        // A parent that comes earlier in the push is that op, even if the daemon holds another
        // under its id (a cloned laptop's): the writer wrote on top of what it pushes with it.
        // Such a push is refused anyway, by rule 4 for the earlier op.
        func known(_ id: OpID) -> Op? { earlier[id] ?? held[id] }

        guard op.id.replica == pusher.replica, op.author == pusher.worker else { return .refused(.foreignWriter) }
        guard mayWrite(op.scope, as: pusher.worker) else { return .refused(.outsideGrids) }
        guard earlier[op.id] == nil else { return .refused(.repeatedInPush) }
        if let same = held[op.id] {
            return same == op ? .held : .refused(.reusedID)
        }
        guard op.parents.count <= Self.maximumParents else { return .refused(.tooManyParents) }
        for parent in op.parents {
            if parent.replica == op.id.replica, parent.sequence >= op.id.sequence { return .refused(.laterOwnParent) }
            guard let parentOp = known(parent) else { return .refused(.unknownParent) }
            guard parentOp.recordID == op.recordID else { return .refused(.otherRecordParent) }
            let parentDeletes =
                parentOp.field == RecordSchema.deletedField && parentOp.payload == .assign(.boolean(true))
            if parentDeletes, op.field != RecordSchema.deletedField { return .refused(.editOnDelete) }
        }
        guard op.clock.milliseconds <= wall + Self.maximumDrift else { return .refused(.clockAhead) }
        return .accepted
    }

    /// Whether `worker` may write a record in `scope`: a grid-level scope of one of their
    /// grids, in the community that grid belongs to.
    private func mayWrite(_ scope: GridScope, as worker: WorkerID) -> Bool {
        guard let grid = scope.grid, gridsOfWorker[worker]?.contains(grid) == true else { return false }
        return communityOfGrid[grid] == scope.community
    }
}
