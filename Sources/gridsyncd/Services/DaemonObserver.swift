import GridAccounts
import GridNet
import Logging

/// What the daemon does when a connection opens and closes: counts it in the metrics, and
/// notes how a replica's sync went in the accounts (for `gridsync-inspect devices`).
struct DaemonObserver: SyncObserver {
    let metrics: DaemonMetrics
    let accounts: any AccountBook
    let logger: Logger
    let trimmer: MemoryTrimmer

    func connectionOpened() {
        metrics.connectionOpened()
    }

    func connectionClosed(_ report: ConnectionReport) async {
        metrics.connectionClosed(report)
        trimmer.connectionClosed(read: report.textBytesIn)
        guard let replica = report.replica, report.worker != nil else { return }
        do {
            try await accounts.recordSync(
                of: replica, ending: report.ending, pushed: report.opsPushed, pulled: report.opsPulled,
                pulledThrough: report.pulledThrough, givenBack: report.opsGivenBack, recovered: report.opsRecovered)
        } catch {
            logger.error("could not note the sync in the accounts", metadata: ["error": "\(error)"])
        }
    }
}
