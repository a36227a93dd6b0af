import Foundation
import GridMerge
import GridModel
import GridNet
import GridProtocol
import GridStore
import Logging

/// The daemon's sync service in this process, on a loopback port, with its records catching
/// up behind the pushes as the daemon's do: for the benchmarks that time one laptop's sync,
/// where a separate process would only add noise.
struct InProcessDaemon {
    /// Accepts any token, for one worker with the same scopes for reading and writing.
    struct OpenAuthority: SyncAuthority {
        let worker: WorkerID
        let scopes: [GridScope]

        func authorize(replica: ReplicaID, token: String) async throws -> ServerSession.Grant {
            ServerSession.Grant(worker: worker, read: scopes, write: scopes)
        }
    }

    let store: SQLiteReplicaStore
    private let listener: SyncListener
    /// The connections' gate, closed on ``stop()``.
    private let gate: ConnectionGate
    private let serving: Task<Void, any Error>
    private let deriving: Task<Void, Never>

    /// Serves `store` to `worker`, granting `scopes`, with the protocol's standard limits.
    init(store: SQLiteReplicaStore, worker: WorkerID, scopes: [GridScope]) async throws {
        let listener = try await SyncListener.bind(SyncListener.Configuration(host: "127.0.0.1", port: 0))
        let connection = ServerConnection(
            store: store, authority: OpenAuthority(worker: worker, scopes: scopes), limits: .standard,
            compression: true)
        self.store = store
        self.listener = listener
        self.gate = connection.gate
        self.serving = Task {
            try await listener.run(
                connection, limits: .standard, logger: Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() })
        }
        self.deriving = Task { await DerivationLoop(store: store).run() }
    }

    /// One whole sync of `laptop`, compressed.
    func sync(_ laptop: SQLiteReplicaStore) async throws -> ClientSync.Outcome {
        try await syncOnce(laptop, token: "bench", port: listener.port)
    }

    /// Closes the listener and waits for its connections to end, then for the records to take
    /// in what is left of the log.
    func stop() async throws {
        listener.shutdown(within: .seconds(5), gate: gate)
        try await serving.value
        deriving.cancel()
        await deriving.value
    }
}

/// One whole sync of `laptop` with the daemon listening on loopback `port`, compressed, as
/// `gridsync sync` does it: over TLS when `tls` is given (a `DaemonProcess` serves TLS, as
/// `gridsyncd serve` does by default), plain otherwise (an `InProcessDaemon`).
func syncOnce(
    _ laptop: SQLiteReplicaStore, token: String, port: Int, tls: ClientTLS? = nil
) async throws -> ClientSync.Outcome {
    try await SyncConnector(host: "127.0.0.1", port: port, tls: tls).withConnection { connection in
        try await ClientSync(store: laptop, token: token).run(over: connection)
    }
}
