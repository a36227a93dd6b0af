import GridNet
import GridProtocol
import GridStore
import Logging
import NIOCore
import ServiceLifecycle

/// The listener as a service: serves until a graceful shutdown, then lets every open
/// connection finish the message in flight, for at most `grace`.
struct SyncService: Service {
    let listener: SyncListener
    let connection: ServerConnection
    let gate: ConnectionGate
    let limits: Limits
    let grace: TimeAmount
    let logger: Logger
    let observer: DaemonObserver

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await listener.run(connection, limits: limits, logger: logger, observer: observer)
        } onGracefulShutdown: {
            logger.notice(
                "shutting down: closing each connection after its message in flight",
                metadata: ["open": "\(gate.open)", "grace_seconds": "\(grace.nanoseconds / 1_000_000_000)"])
            listener.shutdown(within: grace, gate: gate)
        }
        logger.notice("every connection is closed")
    }
}

/// The metrics endpoint as a service.
struct MetricsService: Service {
    let endpoint: MetricsEndpoint
    let metrics: DaemonMetrics

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await endpoint.run(metrics: metrics)
        } onGracefulShutdown: {
            endpoint.close()
        }
    }
}

/// The records catching up with the op log behind the pushes, as a service: at shutdown,
/// once the connections are closed, it merges what is left.
struct DerivationService: Service {
    let loop: DerivationLoop
    let metrics: DaemonMetrics
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await loop.run { event in
                metrics.records(event)
                switch event {
                case .derived(let derivation) where derivation.ops >= loop.policy.group:
                    logger.debug(
                        "records caught up with the op log",
                        metadata: ["ops": "\(derivation.ops)", "behind": "\(derivation.remaining)"])
                case .failed(let error):
                    logger.warning(
                        "the records could not catch up with the op log; trying again in a second (syncs go on, and reads catch up by themselves)",
                        metadata: ["error": "\(error)"])
                default:
                    break
                }
            }
        }
    }
}
