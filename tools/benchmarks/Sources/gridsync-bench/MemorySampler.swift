import Foundation
import Synchronization

/// Samples the daemon's resident memory (VmRSS) every 100 ms, and its metrics every second,
/// each on a thread of its own: the cooperative pool is busy with the connections, and a
/// reading of the memory must not wait for a slow scrape or for them.
final class MemorySampler: Sendable {
    /// One second of the run.
    struct Point: Encodable, Sendable {
        /// Seconds since the held messages started (negative before).
        let seconds: Double
        let residentBytes: Int
        /// The message budget in use and the connections open, from the daemon's last metrics
        /// scrape that answered (`nil` before the first).
        let connectionMemoryBytes: Int?
        let connectionsOpen: Int?
        /// Held connections pushing, and having sent their whole message.
        let pushing: Int
        let holding: Int
    }

    private struct State {
        var running = true
        var peak = 0
        var peakAt = 0.0
        var mostConnectionMemory = 0
        var metrics: MetricsReading?
        var failedScrapes = 0
        var timeline: [Point] = []
    }

    private let state = Mutex(State())
    private let pid: Int32
    private let metricsPort: Int?
    private let tally: HoldTally
    /// When the held messages start (``restart()``): the origin of the timeline and of the peak.
    private let origin = Mutex(ContinuousClock.now)

    /// Starts sampling the process `pid`, whose metrics are at `metricsPort`.
    init(pid: Int32, metricsPort: Int?, tally: HoldTally) {
        self.pid = pid
        self.metricsPort = metricsPort
        self.tally = tally
        let memory = Thread { [self] in self.sampleMemory() }
        memory.name = "rss-sampler"
        memory.start()
        if let metricsPort {
            let metrics = Thread { [self] in self.scrapeMetrics(port: metricsPort) }
            metrics.name = "metrics-sampler"
            metrics.start()
        }
    }

    /// Forgets the peaks so far and counts time from now: the held messages start.
    func restart() {
        origin.withLock { $0 = .now }
        state.withLock {
            $0.peak = 0
            $0.mostConnectionMemory = 0
            $0.failedScrapes = 0
        }
    }

    /// The highest VmRSS since ``restart()``, in bytes, and when (seconds after it).
    var peak: (bytes: Int, seconds: Double) { state.withLock { ($0.peak, $0.peakAt) } }
    /// The most connection memory in use seen in the metrics since ``restart()``.
    var mostConnectionMemory: Int { state.withLock { $0.mostConnectionMemory } }
    /// Scrapes since ``restart()`` that got no answer within 5 s.
    var failedScrapes: Int { state.withLock { $0.failedScrapes } }
    /// A point a second.
    var timeline: [Point] { state.withLock { $0.timeline } }
    /// The last point.
    var latest: Point? { state.withLock { $0.timeline.last } }

    /// Stops the threads.
    func stop() {
        state.withLock { $0.running = false }
    }

    /// The VmRSS of `pid` now, in bytes (0 once it is gone).
    static func resident(of pid: Int32) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "")
        else { return 0 }
        return kilobytes * 1024
    }

    private var seconds: Double { origin.withLock { $0 }.duration(to: .now).seconds }

    private func sampleMemory() {
        var tick = 0
        while state.withLock({ $0.running }) {
            let resident = Self.resident(of: pid)
            let seconds = self.seconds
            let counts = tick % 10 == 0 ? tally.snapshot : nil
            state.withLock {
                if resident > $0.peak {
                    $0.peak = resident
                    $0.peakAt = seconds
                }
                if let counts {
                    $0.timeline.append(
                        Point(
                            seconds: (seconds * 10).rounded() / 10, residentBytes: resident,
                            connectionMemoryBytes: $0.metrics?.connectionMemory, connectionsOpen: $0.metrics?.connectionsOpen,
                            pushing: counts[.pushing], holding: counts[.holding]))
                }
            }
            tick += 1
            Thread.sleep(forTimeInterval: 0.1)
        }
    }

    private func scrapeMetrics(port: Int) {
        while state.withLock({ $0.running }) {
            let reading = MetricsReading.scrape(port: port)
            state.withLock {
                guard let reading else {
                    $0.failedScrapes += 1
                    return
                }
                $0.metrics = reading
                $0.mostConnectionMemory = max($0.mostConnectionMemory, reading.connectionMemory)
            }
            Thread.sleep(forTimeInterval: 1)
        }
    }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
