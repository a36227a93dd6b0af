import GridMerge
import GridModel
import GridProtocol
import GridStore

/// What a ``ClientSession`` asks of the field replica's store, done: the one place where a
/// client's sync reads and writes its replica, shared by ``ClientSync`` over the network
/// and by the tests' in-process driver.
public struct ClientStoreWork: Sendable {
    /// The replica that syncs.
    public let store: any ReplicaStore
    /// Its files (photos), if they are moved too (gridsync/4).
    public let files: FileStore?
    /// The next push batch, read while the server stores the last.
    private let prefetch = PushPrefetch()

    /// Creates the store work of one of `store`'s syncs, moving `files` too if given.
    public init(store: any ReplicaStore, files: FileStore? = nil) {
        self.store = store
        self.files = files
    }

    /// The files to move after the ops: every file held that a record names, offered (the
    /// server answers `HAVE` for those it holds), and every one a record names that is not
    /// held, fetched from where its partial copy ends; chunks as large as `limits` allow. With
    /// `deferOver`, files larger than that are left for later, but those in `wanted`.
    public func fileExchange(within limits: Limits, deferOver: Int64? = nil, wanted: Set<FileID> = []) async throws
        -> FileExchange
    {
        guard let files else { return FileExchange(offers: [], fetches: [], chunkBytes: limits.fileChunkBytes) }
        let named = try await store.namedFiles()
        let held = try files.held().filter { named.contains($0.id) }
        let heldIDs = Set(held.map(\.id))
        return FileExchange(
            offers: held.map { ($0.id, Int64($0.size)) },
            fetches: named.subtracting(heldIDs).sorted().map { ($0, files.partialSize(of: $0)) },
            chunkBytes: limits.fileChunkBytes, deferOver: deferOver, exempt: wanted)
    }

    /// Performs `action` if it asks for file work (a chunk to read or to store), and returns
    /// the exchange's next action; `nil` for one that is not.
    public func perform(_ action: FileExchange.Action, on exchange: inout FileExchange) throws
        -> FileExchange.Action?
    {
        switch action {
        case .loadChunk(let file, let offset, let length):
            guard let files else { return nil }
            return exchange.chunkLoaded(try files.read(file, offset: offset, length: length))
        case .storeChunk(let file, let size, let offset, let bytes):
            guard let files else { return nil }
            let stored: FileExchange.Stored =
                switch try files.receive(file, size: size, offset: offset, bytes: bytes) {
                case .kept: .kept
                case .corrupt: .corrupt
                case .partial(let held): .partial(held: held)
                }
            return exchange.chunkStored(stored)
        case .send, .sendAhead, .awaitAnswer, .finished, .fail, .refused:
            return nil
        }
    }

    /// Performs `action` if it asks for store work, and returns the session's next action;
    /// `nil` for an action that is not store work (send, finish, fail).
    public func perform(_ action: ClientSession.Action, on session: inout ClientSession) async throws
        -> ClientSession.Action?
    {
        let identity = store.identity
        switch action {
        case .readCursor(let server, let lineage):
            let giveBack = try await store.giveBack(to: server, lineage: lineage)
            let cursor = try await store.cursor(for: server)
            // A restored server continues its former ids: what they acknowledged still counts.
            var pushed = cursor.pushedThrough
            for former in lineage { pushed = max(pushed, try await store.cursor(for: former).pushedThrough) }
            return session.cursorRead(pulledThrough: cursor.pulledThrough, pushedThrough: pushed, giveBack: giveBack)
        case .reconcile(let ops):
            let reconciliation = try await store.reconcile(ownOps: ops)
            return session.reconciled(stored: reconciliation.stored, differing: reconciliation.differing)
        case .reissue(let copies, let above):
            let reissue = try await store.reissue(
                replacing: copies, above: UInt64(above), as: ReplicaID.random(),
                reason: "the server holds ops of \(identity.replica) that differ from this laptop's: "
                    + "its data folder was copied, or restored from a backup after it had written them")
            return session.reissued(as: reissue.identity.replica, count: reissue.count)
        case .restamp(let after, let beyond):
            let restamp = try await store.restampUnsent(after: UInt64(after), beyond: beyond)
            return session.restamped(count: restamp.count, shift: restamp.shift)
        case .loadGiveBack(let after, let limit):
            let batch = try await store.batch(after: after, limit: limit, scopes: identity.scopes, writers: .all)
            return session.giveBackLoaded(ops: batch.ops, through: batch.through, more: batch.more)
        case .markGivenBack(let through):
            try await store.markGivenBack(to: session.server!, through: through)
            return session.giveBackMarked()
        case .loadPush(let after, let limit):
            return session.pushLoaded(ops: try await prefetch.batch(of: store, after: after, limit: limit))
        case .markPushed(let through):
            try await store.markPushed(to: session.server!, through: through)
            return session.pushMarked()
        case .storePulled(let ops, let through):
            _ = try await store.ingest(ops, pulledFrom: session.server!, through: through)
            return session.pulledStored()
        case .send, .exchangeFiles, .finished, .fail, .refused:
            return nil
        }
    }
}
