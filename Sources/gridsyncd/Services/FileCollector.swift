import Foundation
import GridNet
import GridStore
import Logging
import ServiceLifecycle

/// The daemon's photos kept in check, as a service that stops with the daemon: every ten
/// minutes, the files no record has named for a week (``FileStore/gracePeriod``) and the parts
/// of files that have not grown for a day (``FileStore/unfinishedGracePeriod``) are removed,
/// and the metrics told how many photos and bytes are kept.
struct FileCollector: Service {
    let files: FileService
    let metrics: DaemonMetrics
    let logger: Logger
    /// How often to look.
    var interval = Duration.seconds(600)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await collect()
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// One round: collect, then count.
    func collect() async {
        do {
            let named = try await files.replica.namedFiles()
            let removed = try files.files.collect(
                keeping: named, storedBefore: Date().addingTimeInterval(-FileStore.gracePeriod),
                unfinishedBefore: Date().addingTimeInterval(-FileStore.unfinishedGracePeriod))
            if removed.files > 0 {
                logger.info(
                    "removed photos no record has named for a week",
                    metadata: ["files": "\(removed.files)", "bytes": "\(removed.bytes)"])
            }
            let held = try files.files.held()
            metrics.filesHeld(count: held.count, bytes: held.reduce(0) { $0 + $1.size })
        } catch {
            logger.warning("the photos could not be counted or collected", metadata: ["error": "\(error)"])
        }
    }
}
