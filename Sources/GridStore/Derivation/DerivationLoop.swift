/// Keeps a server's records close behind its op log: merges the log's tail into them in
/// groups, while pushes only append to the log (see ``ReplicaStore``).
///
/// A group is merged when the tail reaches ``Policy/group`` ops, when no op has arrived for
/// ``Policy/quiet`` (the pushes of the moment are over), or when its oldest op has waited
/// ``Policy/longest``; each merge takes at most ``Policy/group`` ops in one transaction, so
/// that pushes waiting for the store are held up briefly. Reads of records never wait for the
/// loop: they merge whatever is left themselves.
public struct DerivationLoop: Sendable {
    /// When to merge.
    public struct Policy: Sendable {
        /// How often the tail is looked at.
        public var poll: Duration = .milliseconds(50)
        /// The ops merged in one transaction, and the tail that is merged at once.
        public var group = 20_000
        /// How long without new ops before the tail is merged.
        public var quiet: Duration = .milliseconds(150)
        /// The longest an op waits to be merged while pushes keep coming.
        public var longest: Duration = .seconds(2)

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

    /// Merges the tail as the policy says until the task is cancelled, then merges what is
    /// left (a daemon shutting down leaves its records up to date); `derived` hears of each
    /// merge and of the tail it left.
    public func run(derived: @Sendable (Derivation) -> Void = { _ in }) async throws {
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
            }
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
                count >= policy.group || now - lastGrowth >= policy.quiet
                    || now - behindSince! >= policy.longest
            else { continue }
            let derivation = try await store.derive(atMost: policy.group)
            derived(derivation)
            behindSince = derivation.remaining > 0 ? now : nil
            lastCount = derivation.remaining
        }
        while true {
            let derivation = try await store.derive(atMost: policy.group)
            derived(derivation)
            if derivation.remaining == 0 || derivation.ops == 0 { return }
        }
    }
}
