import Foundation
import GridNet

extension HoldBenchmark.Report {
    /// The report as Markdown: what ran, then a table of the figures.
    var table: String {
        let mib = HoldBenchmark.mebibytes
        let rows: [(String, String)] = [
            ("daemon RSS after start, no connection", mib(baselineResidentBytes)),
            ("daemon RSS, \(idleWelcomed) connections welcomed and idle", mib(idleResidentBytes)),
            (
                "daemon peak RSS while messages were held (VmRSS every 100 ms)",
                "\(mib(peakResidentBytes)) at \(peakAtSeconds) s"
            ),
            ("daemon VmHWM at the end", mib(highWaterBytes)),
            (
                "the daemon's memory",
                mib(memoryBytes) + (memoryIsDefault ? " (default)" : " (GRIDSYNCD_MEMORY)")
            ),
            ("peak RSS, per byte of the daemon's memory (under 1: within it)", twoDecimals(withinMemory)),
            ("the connections' budget (the daemon's memory less its own 64 MiB)", mib(connectionBudget)),
            (
                "most of the budget in use (metrics, every 1 s; \(failedScrapes) scrapes unanswered in 5 s)",
                mib(peakConnectionMemoryBytes)
            ),
            ("peak RSS above the idle RSS, per byte of budget", twoDecimals(growth)),
            (
                "the daemon's decoder alone holding one such message (in this process): RSS per budgeted byte; speed",
                twoDecimals(decoder.residentPerBudgetedByte) + String(format: "; %.0f MB/s", decoder.megabytesPerSecond)
            ),
            (
                "peak RSS above idle not explained by a full budget × that ratio, per connection (at least)",
                String(format: "%.2f MiB", max(0, unexplained) / 1_048_576 / Double(connections))
            ),
            (
                "connections that had sent their whole message: most at once / at the end",
                "\(mostHoldingAtOnce) / \(holdingAtEnd)"
            ),
            ("connection attempts / welcomed", "\(attempts) / \(welcomed)"),
            ("attempts by ending", refusals),
            ("ERR lines the daemon sent (metrics)", daemonSent),
            ("legitimate laptop's sync", laptopLine),
        ]
        return ([setting, "", row(["measurement", "value"]), "|---|---:|"] + rows.map { row([$0.0, $0.1]) })
            .joined(separator: "\n")
    }

    /// What ran, in a paragraph.
    private var setting: String {
        let persistence =
            reconnect
            ? "a refused connection connects again after \(retryDelaySeconds) s"
                + (linger ? ", once the daemon has closed it (it does not close first)" : "")
            : "a refused connection does not come back"
        let extra = daemonEnvironment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            .joined(separator: " ")
        return """
            \(connections) connections (\(tokens) token\(tokens == 1 ? "" : "s") × \(connections / tokens), the \
            per-worker limit) over TLS with the pinned certificate, all from 127.0.0.1: \
            GRIDSYNCD_MAX_CONNECTIONS_PER_ADDRESS=\(maxConnectionsPerAddress) lifts the per-address limit (64) for \
            this lab. Each pushes `PUSH 5000 5000` and \(heldMessageOps) op lines of up to \(longestOpLineBytes) \
            bytes, \(heldMessageBytes) bytes of the \(messageLimitBytes) allowed, never the last op, and holds it \
            for \(Int(holdSeconds)) s; \(persistence). A legitimate laptop (w200, \(laptopDemands) demands) syncs \
            \(Int(laptop.startedAt)) s in.\(extra.isEmpty ? "" : " The daemon also runs with \(extra).")
            """
    }

    /// The connections' share of the daemon's memory.
    private var connectionBudget: Int { memoryBytes - SyncListener.Configuration.ownMemory }

    /// The peak resident memory, per byte of the daemon's memory.
    private var withinMemory: Double { Double(peakResidentBytes) / Double(memoryBytes) }

    /// Resident memory gained under the held messages, per byte of the connections' budget.
    private var growth: Double {
        Double(peakResidentBytes - idleResidentBytes) / Double(connectionBudget)
    }

    /// Resident memory gained that the decoders' share of a full budget does not explain.
    private var unexplained: Double {
        Double(peakResidentBytes - idleResidentBytes) - decoder.residentPerBudgetedByte * Double(connectionBudget)
    }

    private var laptopLine: String {
        guard laptop.completed else {
            return String(
                format: "**failed** after %d tries in %.1f s: %@", laptop.tries, laptop.seconds,
                laptop.failures.joined(separator: ", "))
        }
        return String(
            format: "completed on try %d, %.1f s after its first try (that try %.1f s), %d ops sent", laptop.tries,
            laptop.seconds, laptop.lastTrySeconds, laptop.pushed ?? 0)
    }

    private var refusals: String {
        guard !endings.isEmpty else { return "none ended" }
        return endings.sorted { $0.value > $1.value }.map { "\($0.key): \($0.value)" }.joined(separator: "; ")
    }

    private var daemonSent: String {
        let codes =
            daemonErrors.isEmpty
            ? "none"
            : daemonErrors.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        return codes + (daemonConnections.map { " (of \($0) connections accepted)" } ?? " (metrics did not answer)")
    }
}
