import GridNet
import GridProtocol
import Prometheus

/// The daemon's Prometheus metrics: connections, ops and bytes each way (raw and
/// compressed), conflicts created, errors by code, and how long syncs take.
final class DaemonMetrics: SyncObserver {
    /// The registry the metrics endpoint serves.
    let registry = PrometheusCollectorRegistry()
    private let open: Gauge
    private let connections: Counter
    private let opsReceived: Counter
    private let opsStored: Counter
    private let opsSent: Counter
    private let conflicts: Counter
    private let bytesIn: (wire: Counter, text: Counter)
    private let bytesOut: (wire: Counter, text: Counter)
    private let duration: ValueHistogram

    init() {
        open = registry.makeGauge(name: "gridsync_connections_open", help: "Connections being served now.")
        connections = registry.makeCounter(name: "gridsync_connections_total", help: "Connections accepted.")
        opsReceived = registry.makeCounter(
            name: "gridsync_ops_received_total", help: "Ops pushed by field clients, new or not.")
        opsStored = registry.makeCounter(name: "gridsync_ops_stored_total", help: "Pushed ops that were new.")
        opsSent = registry.makeCounter(name: "gridsync_ops_sent_total", help: "Ops sent to field clients.")
        conflicts = registry.makeCounter(
            name: "gridsync_conflicts_created_total", help: "Conflicts opened by pushed ops.")
        let bytesHelp = "Bytes on the wire (compressed) and of lines (before compression)."
        bytesIn = (
            registry.makeCounter(
                name: "gridsync_bytes_received_total", labels: [("encoding", "wire")], help: bytesHelp),
            registry.makeCounter(name: "gridsync_bytes_received_total", labels: [("encoding", "text")], help: bytesHelp)
        )
        bytesOut = (
            registry.makeCounter(name: "gridsync_bytes_sent_total", labels: [("encoding", "wire")], help: bytesHelp),
            registry.makeCounter(name: "gridsync_bytes_sent_total", labels: [("encoding", "text")], help: bytesHelp)
        )
        duration = registry.makeValueHistogram(
            name: "gridsync_sync_duration_seconds", buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
            help: "From accepting a connection to closing it.")
        for code in ProtocolError.Code.all { _ = errorCounter(code) }
    }

    func connectionOpened() {
        open.increment()
        connections.increment()
    }

    func connectionClosed(_ report: ConnectionReport) {
        open.decrement()
        opsReceived.increment(by: Int64(report.opsPushed))
        opsStored.increment(by: Int64(report.opsStored))
        opsSent.increment(by: Int64(report.opsPulled))
        conflicts.increment(by: Int64(report.conflictsCreated))
        bytesIn.wire.increment(by: Int64(report.wireBytesIn))
        bytesIn.text.increment(by: Int64(report.textBytesIn))
        bytesOut.wire.increment(by: Int64(report.wireBytesOut))
        bytesOut.text.increment(by: Int64(report.textBytesOut))
        duration.record(report.seconds)
        for code in report.errors { errorCounter(code).increment() }
    }

    private func errorCounter(_ code: ProtocolError.Code) -> Counter {
        registry.makeCounter(
            name: "gridsync_errors_total", labels: [("code", code.rawValue)], help: "ERR lines sent, by code.")
    }

    /// The metrics in Prometheus's text format.
    func exposition() -> [UInt8] {
        registry.emitToBuffer()
    }
}
