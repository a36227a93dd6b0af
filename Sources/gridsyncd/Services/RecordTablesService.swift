import GridStorePostgres
import Logging
import ServiceLifecycle

/// The record tables in PostgreSQL kept up with the op log, in this daemon's turns, as a
/// service that stops with the daemon.
struct RecordTablesService: Service {
    let publisher: RecordPublisher
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await publisher.run { outcome in
                switch outcome {
                case .success(let round?) where round.rows > 0:
                    logger.debug(
                        "record tables written", metadata: ["rows": "\(round.rows)", "through": "\(round.through)"])
                case .failure(let error):
                    logger.warning(
                        "the record tables could not be written; trying again shortly (syncs go on)",
                        metadata: ["error": "\(error)"])
                default:
                    break
                }
            }
        }
    }
}
