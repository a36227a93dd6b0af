import GridMerge
import GridModel
import GridNet
import GridProtocol
import GridStore

/// The server half of a sync, in process: a ``ServerSession`` over a replica store, taking
/// one client message at a time and answering with what it would send.
struct ServerSide {
    /// The tokens it accepts: the account's worker and its scopes (read and write).
    var tokens: [String: (worker: WorkerID, scopes: [GridScope])]
    let store: SQLiteReplicaStore
    /// The server's files, if it keeps them.
    let files: FileService?
    /// The server's clock, which `WELCOME` announces.
    let wallClock: any WallClock
    private(set) var session: ServerSession

    init(
        store: SQLiteReplicaStore, files: FileStore? = nil, tokens: [String: (worker: WorkerID, scopes: [GridScope])],
        limits: Limits = .standard, wallClock: any WallClock = SystemWallClock()
    ) {
        self.store = store
        self.files = files.map { FileService(files: $0, replica: store) }
        self.tokens = tokens
        self.wallClock = wallClock
        session = ServerSession(replica: store.identity.replica, lineage: store.identity.lineage, limits: limits)
    }

    /// What the connection did, as the daemon reports it.
    private(set) var report = ConnectionReport(peer: "in process")

    /// Takes one client message; returns the answer (if any) and whether the server closes.
    mutating func receive(_ message: Message) async throws -> (answer: Message?, closes: Bool) {
        let work = ServerStoreWork(store: store, files: files)
        var action = session.received(message)
        while true {
            if let next = try await work.perform(action, on: &session, report: &report) {
                action = next
                continue
            }
            switch action {
            case .send(let answer):
                return (answer, false)
            case .close(let last):
                return (last, true)
            case .authenticate(let replica, let token):
                if let account = tokens[token] {
                    let grant = ServerSession.Grant(worker: account.worker, read: account.scopes, write: account.scopes)
                    action = try await work.welcome(
                        grant, replica: replica, serverTime: wallClock.millisecondsSince1970(), on: &session)
                } else {
                    action = session.authenticationFailed("unknown token: ask the office for a new one")
                }
            default:
                preconditionFailure("store work left undone: \(action)")
            }
        }
    }
}

/// The client half of a sync, in process: a ``ClientSession`` over a field replica,
/// answering each server message with what it would send.
struct ClientSide {
    let store: SQLiteReplicaStore
    /// The replica's files, moved after the ops when given.
    let files: FileStore?
    private(set) var session: ClientSession
    /// The file exchange under way, which takes the server's messages until it finishes.
    private var exchange: FileExchange?

    /// How the sync ended, once it has.
    enum Ending: Error, Equatable {
        case finished(ClientSession.Summary)
        case failed(ProtocolError)
    }

    init(store: SQLiteReplicaStore, files: FileStore? = nil, token: String, deflate: Bool = false) {
        self.store = store
        self.files = files
        session = ClientSession(replica: store.identity.replica, token: token, deflate: deflate)
    }

    /// The first message.
    mutating func start() async throws -> Message {
        try await perform(session.start()) ?? .bye
    }

    /// Takes one server message; returns what the client sends next (none while it waits for
    /// more answers, several when it sends a file's chunks ahead of their answers), or throws
    /// the ``Ending``.
    mutating func receive(_ message: Message) async throws -> [Message] {
        if var running = exchange {
            let step = running.received(message)
            exchange = running
            return try await performFile(step)
        }
        return try await perform(session.received(message)).map { [$0] } ?? []
    }

    private mutating func performFile(_ first: FileExchange.Action) async throws -> [Message] {
        var step = first
        var sent: [Message] = []
        let work = ClientStoreWork(store: store, files: files)
        while true {
            if let next = try work.perform(step, on: &exchange!) {
                step = next
                continue
            }
            switch step {
            case .send(let message):
                return sent + [message]
            case .sendAhead(let message):
                sent.append(message)
                step = exchange!.sentAhead()
            case .awaitAnswer:
                return sent
            case .finished(let summary):
                exchange = nil
                return sent + (try await perform(session.filesExchanged(summary)).map { [$0] } ?? [])
            case .fail(let error), .refused(let error):
                throw Ending.failed(error)
            case .loadChunk, .storeChunk:
                preconditionFailure("file work left undone: \(step)")
            }
        }
    }

    private mutating func perform(_ first: ClientSession.Action) async throws -> Message? {
        var action = first
        while true {
            if let next = try await ClientStoreWork(store: store, files: files).perform(action, on: &session) {
                action = next
                continue
            }
            switch action {
            case .send(let message):
                return message
            case .exchangeFiles:
                var starting = try await ClientStoreWork(store: store, files: files).fileExchange(
                    within: session.limits)
                let step = starting.start()
                exchange = starting
                return try await performFile(step).first
            case .finished(let summary):
                throw Ending.finished(summary)
            case .fail(let error), .refused(let error):
                throw Ending.failed(error)
            default:
                preconditionFailure("store work left undone: \(action)")
            }
        }
    }
}
