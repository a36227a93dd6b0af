import GridMerge
import GridModel

/// When a record was made and changed, read from the clocks of the ops that wrote it: nothing
/// new is stored or sent, and every replica holding the same ops tells the same dates.
public struct RecordTimeline: Hashable, Sendable {
    /// One value a step field (a demand's status, a project's stage) was given.
    public struct Step: Hashable, Sendable {
        /// `status` or `stage`.
        public var field: String
        /// The key written.
        public var value: String
        /// When.
        public var clock: HybridTimestamp
        /// By whom.
        public var author: WorkerID

        /// Creates a step.
        public init(field: String, value: String, clock: HybridTimestamp, author: WorkerID) {
            self.field = field
            self.value = value
            self.clock = clock
            self.author = author
        }
    }

    /// The fields whose every value is a step of the loop.
    public static let stepFields = ["status", "stage"]

    /// The first op's clock.
    public var created: HybridTimestamp
    /// The last op's clock.
    public var changed: HybridTimestamp
    /// Every status or stage written, oldest first (concurrent ones both, by clock).
    public var steps: [Step]

    /// Creates a timeline.
    public init(created: HybridTimestamp, changed: HybridTimestamp, steps: [Step]) {
        self.created = created
        self.changed = changed
        self.steps = steps
    }

    /// When a demand was closed (resolved, closed or declined): the last step to its current
    /// status, if that status closes it.
    public func closed(status: DemandStatus?) -> Step? {
        guard let status, !status.isOpen else { return nil }
        return steps.last { $0.field == "status" && $0.value == status.key }
    }

    /// When the record last entered each value of `field`, in the order first entered.
    public func entered(_ field: String) -> [Step] {
        var latest: [String: Step] = [:]
        var order: [String] = []
        for step in steps where step.field == field {
            if latest[step.value] == nil { order.append(step.value) }
            latest[step.value] = step
        }
        return order.compactMap { latest[$0] }
    }
}
