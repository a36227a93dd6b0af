import Foundation
import Synchronization

/// Blocking work (starting processes, creating SQLite files with their `fsync`s) spread over
/// threads of its own, so that it neither holds Swift's cooperative threads nor waits for one
/// file at a time.
final class BlockingWork<Output: Sendable>: Sendable {
    private let count: Int
    private let body: @Sendable (Int) throws -> Output
    private let next = Atomic<Int>(0)
    private let results: Mutex<[Int: Result<Output, any Error>]> = Mutex([:])

    private init(count: Int, body: @escaping @Sendable (Int) throws -> Output) {
        self.count = count
        self.body = body
    }

    /// Runs `body` for every index of `0..<count` on `threads` threads, and returns the
    /// results in index order, or the first error by index.
    static func run(
        _ count: Int, threads: Int, _ body: @escaping @Sendable (Int) throws -> Output
    ) async throws -> [Output] {
        let work = BlockingWork(count: count, body: body)
        let threads = max(1, min(threads, count))
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let running = Mutex(threads)
            for _ in 0..<threads {
                Thread {
                    work.drain()
                    if running.withLock({ (left: inout Int) -> Int in left -= 1; return left }) == 0 { done.resume() }
                }.start()
            }
        }
        return try work.results.withLock { results in try (0..<count).map { try results[$0]!.get() } }
    }

    private func drain() {
        while true {
            let index = next.add(1, ordering: .relaxed).oldValue
            guard index < count else { return }
            let result = Result { try body(index) }
            results.withLock { $0[index] = result }
        }
    }
}
