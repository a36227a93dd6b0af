import Glibc
import Synchronization

/// Gives memory that messages held back to the system. glibc keeps freed memory in its arenas
/// for reuse, so after hundreds of connections each held a large message the daemon's
/// resident size stays at its peak; trimming after large messages, at most once a second,
/// lets it come back down. Arenas are limited to two, the daemon's event loop threads, so that
/// freed memory is not scattered across many.
final class MemoryTrimmer: Sendable {
    /// Messages smaller than this do not call for a trim.
    static let largeMessageBytes = 1 << 20

    private let lastTrim = Mutex(ContinuousClock.now - .seconds(10))
    /// glibc's `malloc_trim` and `mallopt`, which Swift's Glibc module does not export
    /// (malloc.h); found at run time, and simply not used on a C library without them.
    private let trim: (@convention(c) (Int) -> Int32)?

    init() {
        let mallopt = dlsym(nil, "mallopt").map { unsafeBitCast($0, to: (@convention(c) (Int32, Int32) -> Int32).self) }
        // M_ARENA_MAX is -8 in glibc's malloc.h.
        _ = mallopt?(-8, 2)
        trim = dlsym(nil, "malloc_trim").map { unsafeBitCast($0, to: (@convention(c) (Int) -> Int32).self) }
    }

    /// Trims if a connection that read `bytes` has just closed and no trim ran in the last second.
    func connectionClosed(read bytes: Int) {
        guard bytes >= Self.largeMessageBytes else { return }
        let now = ContinuousClock.now
        let due = lastTrim.withLock { last in
            guard now - last >= .seconds(1) else { return false }
            last = now
            return true
        }
        if due { _ = trim?(0) }
    }
}
