import Synchronization

/// What the held connections are doing now and how their attempts ended, counted for the
/// whole run: shared by every connection's task and read by the sampler and the report.
final class HoldTally: Sendable {
    /// Where an attempt is in its life.
    enum Phase: String, Sendable, CaseIterable {
        /// Connecting, TLS and `HELLO`, until the daemon answers.
        case handshake
        /// Welcomed, waiting for the signal to push (the idle baseline).
        case idle
        /// Sending its message.
        case pushing
        /// Its whole message sent but for the last op, holding it (the daemon may not
        /// have read all of it yet).
        case holding
    }

    /// How an attempt ended.
    enum Outcome: Hashable, Sendable {
        /// The daemon sent `ERR <code>`.
        case refused(String)
        /// The connection closed without an `ERR`, or TLS failed.
        case closed
        /// No TCP connection.
        case unreachable
        /// The run ended with the connection still open.
        case endOfRun
    }

    /// The counts at one moment.
    struct Counts: Sendable {
        var attempts = 0
        var welcomed = 0
        /// Attempts in each phase now.
        var now: [Phase: Int] = [:]
        /// The most attempts holding a whole message at once.
        var mostHolding = 0
        /// Attempts ended, by how and in which phase ("unavailable while pushing").
        var endings: [String: Int] = [:]

        subscript(_ phase: Phase) -> Int { now[phase, default: 0] }
    }

    private let counts = Mutex(Counts())

    /// The counts now.
    var snapshot: Counts { counts.withLock { $0 } }

    /// A connection attempt starts.
    func attempted() {
        counts.withLock {
            $0.attempts += 1
            $0.now[.handshake, default: 0] += 1
        }
    }

    /// An attempt moved from one phase to the next.
    func moved(from old: Phase, to new: Phase) {
        counts.withLock {
            $0.now[old, default: 0] -= 1
            $0.now[new, default: 0] += 1
            if new == .idle { $0.welcomed += 1 }
            $0.mostHolding = max($0.mostHolding, $0.now[.holding, default: 0])
        }
    }

    /// An attempt in `phase` ended with `outcome`.
    func ended(in phase: Phase, _ outcome: Outcome) {
        counts.withLock {
            $0.now[phase, default: 0] -= 1
            $0.endings[Self.describe(outcome, in: phase), default: 0] += 1
        }
    }

    /// "unavailable while pushing", "timeout after sending the whole message", "still idle at the end".
    static func describe(_ outcome: Outcome, in phase: Phase) -> String {
        let when =
            switch phase {
            case .handshake: "in the handshake"
            case .idle: "while idle"
            case .pushing: "while pushing"
            case .holding: "after sending the whole message"
            }
        return switch outcome {
        case .refused(let code): "\(code) \(when)"
        case .closed: "closed without ERR \(when)"
        case .unreachable: "could not connect"
        case .endOfRun: phase == .holding ? "holding the whole message at the end" : "still open \(when) at the end"
        }
    }
}
