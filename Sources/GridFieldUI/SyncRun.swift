/// The sync the worker's screen started with its button: none yet, under way with what has
/// moved so far, or ended with the summary `gridsync sync` printed (or what it said when it
/// failed). One runs at a time: pressing the button again while one runs shows that one.
public actor SyncRun {
    /// How many edits a sync has sent and received so far.
    public struct Progress: Sendable, Equatable {
        public var sent: Int
        public var received: Int

        public init(sent: Int, received: Int) {
            self.sent = sent
            self.received = received
        }
    }

    /// Where the sync stands.
    enum State: Sendable {
        case idle
        case running(Progress)
        case ended(summary: String, failed: Bool)
    }

    private(set) var state = State.idle
    private let sync: FieldScreen.Sync

    init(_ sync: @escaping FieldScreen.Sync) {
        self.sync = sync
    }

    /// Starts a sync unless one is running; returns at once.
    func start() {
        if case .running = state { return }
        state = .running(Progress(sent: 0, received: 0))
        Task {
            do {
                let summary = try await sync { progress in Task { await self.moved(progress) } }
                end(summary: summary, failed: false)
            } catch {
                end(summary: "\(error)", failed: true)
            }
        }
    }

    private func moved(_ progress: Progress) {
        // Progress reported out of order (each report is its own task) never goes back.
        if case .running(let shown) = state, progress.sent >= shown.sent, progress.received >= shown.received {
            state = .running(progress)
        }
    }

    private func end(summary: String, failed: Bool) {
        state = .ended(summary: summary, failed: failed)
    }
}
