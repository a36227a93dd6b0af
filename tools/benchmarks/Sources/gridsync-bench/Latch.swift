import Synchronization

/// A signal that tasks wait for until it is given, once.
final class Latch: Sendable {
    private let state = Mutex<(open: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))

    /// Waits until ``open()`` (returns at once if it was given).
    func wait() async {
        await withCheckedContinuation { continuation in
            let now = state.withLock { state in
                if state.open { return true }
                state.waiting.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// Whether the signal was given.
    var isOpen: Bool { state.withLock { $0.open } }

    /// Gives the signal: every waiting task goes on, and later ones do not wait.
    func open() {
        let waiting = state.withLock { state in
            state.open = true
            defer { state.waiting = [] }
            return state.waiting
        }
        for continuation in waiting { continuation.resume() }
    }
}
