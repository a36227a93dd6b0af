import GridModel
import GridProtocol
import Synchronization

/// Who may hold the daemon's connections: at most so many at once in all, from one address,
/// and for one worker's token, and no more than a few wrong tokens a minute from one address.
///
/// A valid token used badly cannot take every slot (the per-worker limit), a building
/// behind one NAT address cannot either (the per-address limit, set well above one office's
/// laptops), and token guessing is slowed to a few tries a minute per address.
public final class ConnectionGate: Sendable {
    /// The limits kept.
    public struct Limits: Hashable, Sendable {
        /// Connections served at once, all together.
        public var connections: Int
        /// Connections at once from one IP address.
        public var perAddress: Int
        /// Connections at once authenticated with one worker's token.
        public var perWorker: Int
        /// Wrong tokens from one address within ``failureWindow`` before it is refused until
        /// the window ends.
        public var failures: Int
        /// The window of ``failures``.
        public var failureWindow: Duration

        /// Creates limits.
        public init(
            connections: Int = 512, perAddress: Int = 64, perWorker: Int = 4, failures: Int = 10,
            failureWindow: Duration = .seconds(60)
        ) {
            self.connections = connections
            self.perAddress = perAddress
            self.perWorker = perWorker
            self.failures = failures
            self.failureWindow = failureWindow
        }
    }

    /// A connection let in: what ``leave(_:)`` gives back.
    public struct Pass: Hashable, Sendable {
        /// The peer's IP address.
        public let address: String
    }

    private struct State {
        var open = 0
        var stopping = false
        var byAddress: [String: Int] = [:]
        var byWorker: [WorkerID: Int] = [:]
        /// Wrong tokens by address: how many, since when.
        var failures: [String: (count: Int, since: ContinuousClock.Instant)] = [:]
    }

    /// The limits kept.
    public let limits: Limits
    private let state = Mutex(State())

    /// Creates a gate with `limits`.
    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Lets a connection from `address` in, or says why not.
    public func enter(from address: String) -> Result<Pass, ProtocolError> {
        let now = ContinuousClock.now
        return state.withLock { state in
            guard !state.stopping else {
                return .failure(ProtocolError(.unavailable, "the server is shutting down: sync again in a minute"))
            }
            if let failed = state.failures[address], failed.count >= limits.failures {
                let left = failed.since + limits.failureWindow - now
                if left > .zero {
                    return .failure(
                        ProtocolError(
                            .tooManyFailures,
                            "too many wrong tokens came from \(address): try again in \(Self.seconds(left)) s "
                                + "with the token the office gave you"))
                }
                state.failures[address] = nil
            }
            guard state.open < limits.connections else {
                return .failure(ProtocolError(.unavailable, "the server is full: sync again in a minute"))
            }
            guard state.byAddress[address, default: 0] < limits.perAddress else {
                return .failure(
                    ProtocolError(
                        .tooManyConnections,
                        "\(limits.perAddress) connections from \(address) are open already: sync again in a minute"))
            }
            state.open += 1
            state.byAddress[address, default: 0] += 1
            return .success(Pass(address: address))
        }
    }

    /// Counts one more connection for `worker`, or says why not; ``release(_:)`` gives it back.
    public func claim(_ worker: WorkerID) -> ProtocolError? {
        let taken = state.withLock { state -> Bool in
            guard state.byWorker[worker, default: 0] < limits.perWorker else { return false }
            state.byWorker[worker, default: 0] += 1
            return true
        }
        guard !taken else { return nil }
        return ProtocolError(
            .tooManyConnections,
            "\(limits.perWorker) connections with the token of \(worker) are open already: wait for them to end; "
                + "if no other sync of yours is running, tell the office the token may be in someone else's hands")
    }

    /// A connection claimed for `worker` is over.
    public func release(_ worker: WorkerID) {
        state.withLock { state in
            state.byWorker[worker, default: 1] -= 1
            if state.byWorker[worker] == 0 { state.byWorker[worker] = nil }
        }
    }

    /// Notes a wrong token from `pass`'s address.
    public func authenticationFailed(_ pass: Pass) {
        let now = ContinuousClock.now
        state.withLock { state in
            if let failed = state.failures[pass.address], now - failed.since < limits.failureWindow {
                state.failures[pass.address] = (failed.count + 1, failed.since)
            } else {
                state.failures[pass.address] = (1, now)
            }
            // Addresses whose window has passed are forgotten, so the table stays small.
            if state.failures.count > 4_096 {
                state.failures = state.failures.filter { now - $0.value.since < limits.failureWindow }
            }
        }
    }

    /// The connection of `pass` is over.
    public func leave(_ pass: Pass) {
        state.withLock { state in
            state.open -= 1
            state.byAddress[pass.address, default: 1] -= 1
            if state.byAddress[pass.address] == 0 { state.byAddress[pass.address] = nil }
        }
    }

    /// Lets nobody in from now on.
    public func close() {
        state.withLock { $0.stopping = true }
    }

    /// Connections let in and not yet gone.
    public var open: Int { state.withLock { $0.open } }

    private static func seconds(_ duration: Duration) -> Int64 {
        duration.components.seconds + (duration.components.attoseconds > 0 ? 1 : 0)
    }
}
