import Foundation
import GridMerge
import GridModel
import GridNet
import GridProtocol

/// The daemon under the worst a set of valid tokens can do to its memory and its slots:
/// every connection a token may open pushes a message just under the limit and never
/// finishes it. Measures the daemon's resident memory against its message budget, how the
/// connections end, and whether a legitimate laptop can sync meanwhile.
struct HoldBenchmark {
    /// What to run.
    struct Settings: Sendable {
        /// Tokens used (accounts w001…), each for as many connections as the daemon allows one worker.
        var tokens = 128
        /// Connections per token: the daemon's default per-worker limit.
        var connectionsPerToken = 4
        /// `GRIDSYNCD_MEMORY`, or `nil` for the daemon's default.
        var memory: Int?
        /// More of the daemon's environment (`MALLOC_ARENA_MAX=2`, to see the allocator's part).
        var daemonEnvironment: [String: String] = [:]
        /// How the connections behave when refused.
        var behaviour = HoldingConnection.Behaviour()
        /// How long the messages are held: past the daemon's message deadline (120 s) by default.
        var seconds = 150.0
        /// When the legitimate laptop starts syncing, in seconds after the messages start.
        var laptopAfter = 20.0
        /// Demands the legitimate laptop records before it syncs.
        var laptopDemands = 100
        /// Retries of the laptop's sync refused with `unavailable`, and the pause between them.
        var laptopRetries = 5
        var laptopPause: Duration = .seconds(2)

        /// The connections opened.
        var connections: Int { tokens * connectionsPerToken }
    }

    /// All connections come from 127.0.0.1 here: the per-address limit (64 by default)
    /// would refuse most of them before any token is used.
    static let perAddress = 512

    /// What the run measured.
    struct Report: Encodable {
        let tokens: Int
        let connections: Int
        let maxConnectionsPerAddress: Int
        let reconnect: Bool
        let retryDelaySeconds: Double
        let linger: Bool
        let holdSeconds: Double
        /// The daemon's memory configured, and whether it is the daemon's default.
        let memoryBytes: Int
        let memoryIsDefault: Bool
        /// What each connection pushes: its bytes (header and op lines), op lines and longest line.
        let heldMessageBytes: Int
        let heldMessageOps: Int
        let longestOpLineBytes: Int
        let messageLimitBytes: Int
        /// The daemon's decoder holding one such message, in this process: the baseline.
        let decoder: DecoderCost
        /// VmRSS after start (accounts added, no connection).
        let baselineResidentBytes: Int
        /// VmRSS with every connection welcomed and idle.
        let idleResidentBytes: Int
        let idleWelcomed: Int
        /// The highest VmRSS sampled (every 100 ms) while the messages were held, and when.
        let peakResidentBytes: Int
        let peakAtSeconds: Double
        /// VmHWM at the end: the daemon's peak over its whole life.
        let highWaterBytes: Int
        /// The most message budget in use, from the daemon's metrics (every second).
        let peakConnectionMemoryBytes: Int
        /// Connection attempts, welcomed ones, the most holding a whole message at once, and
        /// how many held one at the end.
        let attempts: Int
        let welcomed: Int
        let mostHoldingAtOnce: Int
        let holdingAtEnd: Int
        /// Attempts ended, by how ("unavailable while pushing").
        let endings: [String: Int]
        /// `ERR` lines the daemon sent, by code, and connections it accepted, from its metrics
        /// after the connections closed.
        let daemonErrors: [String: Int]
        let daemonConnections: Int?
        /// Metrics scrapes that got no answer within 5 s while the messages were held.
        let failedScrapes: Int
        /// Environment given to the daemon besides the two settings.
        let daemonEnvironment: [String: String]
        let laptopDemands: Int
        let laptop: FieldLaptop.SyncResult
        let timeline: [MemorySampler.Point]
    }

    let settings: Settings
    let daemonExecutable: URL

    /// Progress lines go to standard error when standard output is for JSON.
    let log: @Sendable (String) -> Void

    func run() async throws -> Report {
        let laptopExecutable = daemonExecutable.deletingLastPathComponent().appendingPathComponent("gridsync")
        guard FileManager.default.isExecutableFile(atPath: laptopExecutable.path) else {
            throw BenchFailure(
                "no gridsync next to \(daemonExecutable.path): build it with swift build -c release --product gridsync")
        }
        let description = PushText.description(for: .standard)
        let push = PushText(
            limits: .standard, replica: ReplicaID(rawValue: 1), worker: WorkerID("w001")!, record: RecordID(),
            description: description)
        let decoder = try await DecoderCost.measure(push)
        log(
            String(
                format:
                    "The daemon's decoder alone, one held message: %.2f bytes resident per budgeted byte, %.0f MB/s",
                decoder.residentPerBudgetedByte, decoder.megabytesPerSecond))
        log("Recording \(settings.laptopDemands) demands on the legitimate laptop (gridsync init, demand add)…")
        let laptop = try FieldLaptop(
            executable: laptopExecutable, worker: "w200", grid: SyncBenchmark.grid.description,
            demands: settings.laptopDemands)
        defer { laptop.remove() }

        var environment = settings.daemonEnvironment
        environment["GRIDSYNCD_MAX_CONNECTIONS_PER_ADDRESS"] = "\(Self.perAddress)"
        if let memory = settings.memory { environment["GRIDSYNCD_MEMORY"] = "\(memory)" }
        let daemon = try DaemonProcess(executable: daemonExecutable, environment: environment, metrics: true)
        defer { daemon.stop() }
        guard let fingerprintText = daemon.fingerprint, let fingerprint = CertificateFingerprint(fingerprintText) else {
            throw BenchFailure("gridsyncd printed no certificate fingerprint: it should serve TLS by default")
        }
        log("gridsyncd on 127.0.0.1:\(daemon.port), \(fingerprintText); adding \(settings.tokens + 1) accounts…")
        var tokens: [(worker: WorkerID, token: String)] = []
        for index in 1...settings.tokens {
            let worker = String(format: "w%03d", index)
            let added = try daemon.addGridWorker(worker, grid: SyncBenchmark.grid.description)
            guard added.fingerprint == fingerprintText else {
                throw BenchFailure(
                    "worker add printed \(added.fingerprint ?? "no fingerprint"), the banner \(fingerprintText)")
            }
            tokens.append((WorkerID(worker)!, added.token))
        }
        let laptopToken = try daemon.addGridWorker("w200", grid: SyncBenchmark.grid.description).token

        let pid = daemon.process.processIdentifier
        try await Task.sleep(for: .seconds(1))
        let baseline = await Self.steadyResident(of: pid)
        log("Baseline: \(Self.mebibytes(baseline)) resident with no connection")

        let tally = HoldTally()
        let sampler = MemorySampler(pid: pid, metricsPort: daemon.metricsPort, tally: tally)
        defer { sampler.stop() }
        let go = Latch()
        let tls = try ClientTLS(trust: .fingerprint(fingerprint))
        let slots = tokens.flatMap { account in
            (0..<settings.connectionsPerToken).map { _ in
                HoldingConnection(
                    worker: account.worker, token: account.token, replica: .random(), port: daemon.port, tls: tls,
                    behaviour: settings.behaviour, tally: tally, go: go, description: description)
            }
        }
        let attack = Task(priority: .low) {
            await withDiscardingTaskGroup { group in
                for (index, slot) in slots.enumerated() {
                    group.addTask(priority: .low) {
                        // A few milliseconds apart, so that the daemon's backlog takes them all.
                        try? await Task.sleep(for: .milliseconds(4 * index))
                        await slot.run()
                    }
                }
            }
        }

        // Every connection welcomed and idle.
        let welcomeDeadline = ContinuousClock.now + .seconds(40)
        while tally.snapshot[.idle] < settings.connections, ContinuousClock.now < welcomeDeadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        try await Task.sleep(for: .seconds(2))
        let idleWelcomed = tally.snapshot[.idle]
        let idle = await Self.steadyResident(of: pid)
        log("Idle: \(idleWelcomed) connections welcomed, \(Self.mebibytes(idle)) resident; pushing now")

        // The messages: pushed, held, refused, pushed again.
        sampler.restart()
        let started = ContinuousClock.now
        go.open()
        let port = daemon.port
        let laptopDone = Latch()
        let sync = Task(priority: .high) {
            try? await Task.sleep(for: .seconds(settings.laptopAfter))
            var result = await laptop.sync(
                port: port, fingerprint: fingerprintText, token: laptopToken, retries: settings.laptopRetries,
                pause: settings.laptopPause)
            result.startedAt = settings.laptopAfter
            laptopDone.open()
            return result
        }
        // Held for the time asked, and at least until the laptop is done.
        var nextReport = 10.0
        while true {
            let elapsed = started.duration(to: .now).seconds
            guard elapsed < settings.seconds || !laptopDone.isOpen else { break }
            if elapsed >= nextReport, let point = sampler.latest {
                let counts = tally.snapshot
                log(
                    String(
                        format:
                            "%5.0f s: %@ resident, %@ of messages held (budget), %@ open; "
                            + "%d pushing, %d sent whole; %d attempts",
                        elapsed, Self.mebibytes(point.residentBytes),
                        point.connectionMemoryBytes.map(Self.mebibytes) ?? "?",
                        point.connectionsOpen.map(String.init) ?? "?",
                        counts[.pushing], counts[.holding], counts.attempts))
                nextReport += 10
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        let held = started.duration(to: .now).seconds
        let counts = tally.snapshot
        let peak = sampler.peak
        let highWater = daemon.peakMemory
        let failedScrapes = sampler.failedScrapes
        let laptopResult = await sync.value
        log("Ending the held connections…")
        go.open()
        attack.cancel()
        await attack.value
        sampler.stop()
        // The daemon counts a connection's ERR lines when it has closed.
        try await Task.sleep(for: .seconds(2))
        let metrics = daemon.metricsPort.flatMap { MetricsReading.scrape(port: $0, timeout: 10) }

        return Report(
            tokens: settings.tokens, connections: settings.connections, maxConnectionsPerAddress: Self.perAddress,
            reconnect: settings.behaviour.reconnect, retryDelaySeconds: settings.behaviour.retryDelay.seconds,
            linger: settings.behaviour.linger, holdSeconds: (held * 10).rounded() / 10,
            memoryBytes: settings.memory ?? SyncListener.Configuration.defaultMemory,
            memoryIsDefault: settings.memory == nil, heldMessageBytes: push.bytes,
            heldMessageOps: push.ops, longestOpLineBytes: push.longestLine,
            messageLimitBytes: Limits.standard.messageBytes,
            decoder: decoder,
            baselineResidentBytes: baseline, idleResidentBytes: idle, idleWelcomed: idleWelcomed,
            peakResidentBytes: peak.bytes, peakAtSeconds: (peak.seconds * 10).rounded() / 10, highWaterBytes: highWater,
            peakConnectionMemoryBytes: sampler.mostConnectionMemory, attempts: counts.attempts, welcomed: counts.welcomed,
            mostHoldingAtOnce: counts.mostHolding, holdingAtEnd: counts[.holding], endings: counts.endings,
            daemonErrors: metrics?.errors ?? [:], daemonConnections: metrics?.connections,
            failedScrapes: failedScrapes, daemonEnvironment: settings.daemonEnvironment,
            laptopDemands: settings.laptopDemands, laptop: laptopResult, timeline: sampler.timeline)
    }

    /// The largest of ten VmRSS readings over a second.
    private static func steadyResident(of pid: Int32) async -> Int {
        var most = 0
        for _ in 0..<10 {
            most = max(most, MemorySampler.resident(of: pid))
            try? await Task.sleep(for: .milliseconds(100))
        }
        return most
    }

    /// Bytes as MiB, one decimal.
    static func mebibytes(_ bytes: Int) -> String {
        String(format: "%.1f MiB", Double(bytes) / 1_048_576)
    }
}
