/// Keeps a server's records close behind its op log: merges the log's tail into them in
/// groups, while pushes only append to the log (see ``ReplicaStore``).
///
/// The tail is merged when no op has arrived for ``Policy/quiet`` (the pushes of the moment
/// are over), when it reaches ``Policy/backlog`` ops, or when its oldest op has waited
/// ``Policy/longest``: while laptops push, their batches only append, and a record they all
/// touch is written once for many batches. Each transaction merges at most ``Policy/group``
/// ops, so that pushes waiting for the store are held up briefly. Reads of records never wait
/// for the loop: they merge whatever is left themselves.
public struct DerivationLoop: Sendable {
    /// When to merge.
    public struct Policy: Sendable {
        /// How often the tail is looked at.
        public var poll: Duration = .milliseconds(50)
        /// The most ops merged in one transaction.
        public var group = 20_000
        /// The tail that is merged even while ops keep coming.
        public var backlog = 100_000
        /// How long without new ops before the tail is merged.
        public var quiet: Duration = .seconds(1)
        /// The longest an op waits to be merged while ops keep coming.
        public var longest: Duration = .seconds(5)

        /// The default policy.
        public init() {}
    }

    /// The store whose records are kept up to date.
    public let store: any ReplicaStore
    /// When to merge.
    public var policy: Policy

    /// Creates the loop of `store`.
    public init(store: any ReplicaStore, policy: Policy = Policy()) {
        self.store = store
        self.policy = policy
    }

    /// What the loop tells its owner (the daemon's metrics and log).
    public enum Event: Sendable {
        /// The tail was looked at: this many ops are not in the records yet.
        case behind(Int)
        /// Ops were merged.
        case derived(Derivation)
        /// Looking at the tail or merging it failed; it is tried again a moment later.
        case failed(any Error)
    }

    /// Merges the tail as the policy says until the task is cancelled, then merges what is
    /// left (a daemon shutting down leaves its records up to date), telling `report` what it
    /// sees and does.
    ///
    /// A merge that fails (a full disk, another program holding the store) is reported and
    /// tried again a second later: the ops are safe in the log, reads merge the tail
    /// themselves, and a server must not stop serving for it. At shutdown, a failure ends the
    /// loop; the next start merges what is left.
    public func run(report: @Sendable (Event) -> Void = { _ in }) async {
        let clock = ContinuousClock()
        var behindSince: ContinuousClock.Instant?
        var lastCount = 0
        var lastGrowth = clock.now
        while !Task.isCancelled {
            try? await Task.sleep(for: policy.poll)
            let count: Int
            do {
                count = try await store.underivedCount()
            } catch where Task.isCancelled {
                break  // the read was cancelled with the task: merge what is left below
            } catch {
                report(.failed(error))
                try? await Task.sleep(for: Self.retry)
                continue
            }
            report(.behind(count))
            let now = clock.now
            guard count > 0 else {
                behindSince = nil
                lastCount = 0
                continue
            }
            if behindSince == nil { behindSince = now }
            if count != lastCount { lastGrowth = now }
            lastCount = count
            guard
                count >= policy.backlog || now - lastGrowth >= policy.quiet
                    || now - behindSince! >= policy.longest
            else { continue }
            // Once started, to the end of the tail, a transaction at a time.
            do {
                try await mergeTail(report: report) { !Task.isCancelled }
                behindSince = nil
                lastCount = 0
            } catch {
                report(.failed(error))
                try? await Task.sleep(for: Self.retry)
            }
        }
        do {
            try await mergeTail(report: report) { true }
        } catch {
            report(.failed(error))
        }
    }

    /// Merges the tail a transaction at a time, while `going` says so, to its end.
    private func mergeTail(report: @Sendable (Event) -> Void, while going: () -> Bool) async throws {
        var derivation: Derivation
        repeat {
            derivation = try await store.derive(atMost: policy.group)
            report(.derived(derivation))
        } while derivation.remaining > 0 && derivation.ops > 0 && going()
    }

    /// How long after a failed merge the next is tried.
    static let retry = Duration.seconds(1)
}
