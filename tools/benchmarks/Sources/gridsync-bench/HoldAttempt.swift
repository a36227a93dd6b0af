import Synchronization

/// One connection attempt's phase, moved forward by its reader and its writer, so that the
/// tally counts it in exactly one phase until it ends.
final class HoldAttempt: Sendable {
    private let tally: HoldTally
    /// The phase, or `nil` once ended.
    private let phase = Mutex<HoldTally.Phase?>(.handshake)

    /// Counts a new attempt in `tally`.
    init(tally: HoldTally) {
        self.tally = tally
        tally.attempted()
    }

    /// Moves from `old` to `new`, unless the attempt is elsewhere or over; returns whether it moved.
    @discardableResult
    func move(from old: HoldTally.Phase, to new: HoldTally.Phase) -> Bool {
        phase.withLock { phase in
            guard phase == old else { return false }
            phase = new
            tally.moved(from: old, to: new)
            return true
        }
    }

    /// Ends the attempt with `outcome` (once; later calls do nothing).
    func end(_ outcome: HoldTally.Outcome) {
        phase.withLock { phase in
            guard let current = phase else { return }
            phase = nil
            tally.ended(in: current, outcome)
        }
    }

    /// The phase now (`nil` once ended).
    var current: HoldTally.Phase? { phase.withLock { $0 } }
}
