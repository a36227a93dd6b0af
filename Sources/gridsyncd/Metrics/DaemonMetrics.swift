import GridNet
import GridStore
import GridProtocol
import Prometheus

/// The daemon's Prometheus metrics: connections, ops and bytes each way (raw and
/// compressed), conflicts created, errors by code, and how long syncs take.
final class DaemonMetrics: Sendable {
    /// The registry the metrics endpoint serves.
    let registry = PrometheusCollectorRegistry()
    private let open: Gauge
    private let connections: Counter
    private let opsReceived: Counter
    private let opsStored: Counter
    private let opsSent: Counter
    private let conflicts: Counter
    private let underived: Gauge
    private let bytesIn: (wire: Counter, text: Counter)
    private let bytesOut: (wire: Counter, text: Counter)
    private let duration: ValueHistogram
    private let connectionMemory: Gauge
    private let budget: MessageBudget
    private let files: (kept: Counter, bytesIn: Counter, bytesOut: Counter, held: Gauge, heldBytes: Gauge)

    /// Creates the metrics; `budget` is the listener's, whose use is shown at each scrape.
    init(budget: MessageBudget) {
        self.budget = budget
        connectionMemory = registry.makeGauge(
            descriptor: Self.metric(
                "connection_memory", "bytes",
                "Bytes the connections hold, all together: 256 KiB each while open, and the messages being read."))
        open = registry.makeGauge(descriptor: Self.metric("connections_open", "", "Connections being served now."))
        connections = registry.makeCounter(descriptor: Self.metric("connections", "total", "Connections accepted."))
        opsReceived = registry.makeCounter(
            descriptor: Self.metric("ops_received", "total", "Ops pushed by field clients, new or not."))
        opsStored = registry.makeCounter(descriptor: Self.metric("ops_stored", "total", "Pushed ops that were new."))
        opsSent = registry.makeCounter(descriptor: Self.metric("ops_sent", "total", "Ops sent to field clients."))
        conflicts = registry.makeCounter(
            descriptor: Self.metric("conflicts_created", "total", "Conflicts opened by received ops."))
        underived = registry.makeGauge(
            descriptor: Self.metric(
                "records_behind", "ops",
                "Ops in the op log that the records do not reflect yet (merged within seconds)."))
        let bytesHelp = "Bytes on the wire (compressed) and of lines (before compression)."
        bytesIn = (
            registry.makeCounter(
                descriptor: Self.metric("bytes_received", "total", bytesHelp), labels: [("encoding", "wire")]),
            registry.makeCounter(
                descriptor: Self.metric("bytes_received", "total", bytesHelp), labels: [("encoding", "text")])
        )
        bytesOut = (
            registry.makeCounter(
                descriptor: Self.metric("bytes_sent", "total", bytesHelp), labels: [("encoding", "wire")]),
            registry.makeCounter(
                descriptor: Self.metric("bytes_sent", "total", bytesHelp), labels: [("encoding", "text")])
        )
        duration = registry.makeValueHistogram(
            descriptor: Self.metric("sync_duration", "seconds", "From accepting a connection to closing it."),
            buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60])
        files = (
            registry.makeCounter(
                descriptor: Self.metric("files_received", "total", "Photos laptops sent that this daemon now keeps.")),
            registry.makeCounter(
                descriptor: Self.metric("file_bytes_received", "total", "Bytes of photos received from laptops.")),
            registry.makeCounter(
                descriptor: Self.metric("file_bytes_sent", "total", "Bytes of photos sent to laptops.")),
            registry.makeGauge(descriptor: Self.metric("files_held", "", "Photos kept in the data folder's files/.")),
            registry.makeGauge(descriptor: Self.metric("files_held", "bytes", "Bytes of the photos kept."))
        )
        for code in ProtocolError.Code.all { _ = errorCounter(code) }
    }

    /// The photos kept now, as the last collection counted them.
    func filesHeld(count: Int, bytes: Int) {
        files.held.set(Int64(count))
        files.heldBytes.set(Int64(bytes))
    }

    /// A connection was accepted.
    func connectionOpened() {
        open.increment()
        connections.increment()
    }

    /// A connection ended.
    func connectionClosed(_ report: ConnectionReport) {
        open.decrement()
        opsReceived.increment(by: Int64(report.opsPushed))
        opsStored.increment(by: Int64(report.opsStored))
        opsSent.increment(by: Int64(report.opsPulled))
        bytesIn.wire.increment(by: Int64(report.wireBytesIn))
        bytesIn.text.increment(by: Int64(report.textBytesIn))
        bytesOut.wire.increment(by: Int64(report.wireBytesOut))
        bytesOut.text.increment(by: Int64(report.textBytesOut))
        files.kept.increment(by: Int64(report.filesKept))
        files.bytesIn.increment(by: Int64(report.fileBytesIn))
        files.bytesOut.increment(by: Int64(report.fileBytesOut))
        duration.record(report.seconds)
        for code in report.errors { errorCounter(code).increment() }
    }

    /// What the records' catch-up saw or did: how far behind they are, and the conflicts the
    /// ops they took in opened.
    func records(_ event: DerivationLoop.Event) {
        switch event {
        case .behind(let count):
            underived.set(Int64(count))
        case .derived(let derivation):
            conflicts.increment(by: Int64(derivation.conflictsOpened))
            underived.set(Int64(derivation.remaining))
        case .failed:
            break
        }
    }

    private func errorCounter(_ code: ProtocolError.Code) -> Counter {
        registry.makeCounter(
            descriptor: Self.metric("errors", "total", "ERR lines sent, by code."), labels: [("code", code.rawValue)])
    }

    /// The descriptor of a metric named `gridsync_<name>_<unit>`.
    private static func metric(_ name: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "gridsync", metricName: name, unitName: unit, helpText: help)
    }

    /// The metrics in Prometheus's text format.
    func exposition() -> [UInt8] {
        connectionMemory.set(Int64(budget.inUse))
        return registry.emitToBuffer()
    }
}
