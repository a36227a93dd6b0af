import GridMerge
import GridProtocol
import GridStore
import Logging

/// What a ``ServerSession`` asks of the daemon's store, done: the one place where the
/// daemon's side of a sync reads and writes its replica, shared by ``ServerConnection`` and
/// by the tests' in-process driver.
public struct ServerStoreWork: Sendable {
    /// The daemon's store.
    public let store: any ServerStore
    /// The daemon's files, if it keeps them (gridsync/4).
    public let files: FileService?

    /// Creates the store work of the daemon's connections to `store`, and to `files`.
    public init(store: any ServerStore, files: FileService? = nil) {
        self.store = store
        self.files = files
    }

    /// Answers an authenticated client: what its token grants, how far the op log holds its
    /// ops, the server's clock and its lineage.
    public func welcome(
        _ grant: ServerSession.Grant, replica: ReplicaID, serverTime: UInt64, on session: inout ServerSession
    ) async throws -> ServerSession.Action {
        let held = try await store.heldThrough(of: replica)
        return session.authenticated(
            grant, heldThrough: Int64(held), serverTime: Int64(serverTime), lineage: store.identity.lineage)
    }

    /// Performs `action` if it asks for store work (a push or a give-back to admit, a batch
    /// to load), counts it in `report`, notes the unusual in `logger`, and returns the
    /// session's next action; `nil` for an action that is not store work.
    public func perform(
        _ action: ServerSession.Action, on session: inout ServerSession, report: inout ConnectionReport,
        logger: Logger? = nil
    ) async throws -> ServerSession.Action? {
        switch action {
        case .storePush(let ops, _, let client):
            report.opsPushed += ops.count
            do {
                let result = try await store.admit(ops, pushedBy: client)
                report.opsStored += result.stored
                return session.pushStored()
            } catch let error as StoreError {
                return session.pushRefused(Self.protocolError(for: error))
            }
        case .storeReturn(let ops, _, let client):
            do {
                let result = try await store.admitGivenBack(ops, by: client)
                report.opsGivenBack += result.stored
                if result.stored > 0 || result.skipped > 0 {
                    logger?.notice(
                        "a laptop gave back ops this server had lost in its restore",
                        metadata: [
                            "offered": "\(ops.count)", "stored": "\(result.stored)", "left_out": "\(result.skipped)",
                        ])
                }
                return session.pushStored()
            } catch let error as StoreError {
                return session.pushRefused(Self.protocolError(for: error))
            }
        case .loadBatch(let after, let limit, let scopes, let client):
            let batch = try await store.batch(after: after, limit: limit, scopes: scopes, writers: .allBut(client))
            let next = session.batchLoaded(ops: batch.ops, through: batch.through, more: batch.more)
            if case .send = next {
                report.opsPulled += batch.ops.count
                report.pulledThrough = batch.through
            }
            return next
        case .loadOwn(let after, let limit, let client):
            let ops = try await store.ops(of: client, after: UInt64(after), limit: limit)
            let through = ops.last.map { Int64($0.id.sequence) } ?? after
            let next = session.batchLoaded(ops: ops, through: through, more: ops.count == limit)
            if case .send = next {
                report.opsRecovered += ops.count
                logger?.notice(
                    "gave a laptop back its own ops",
                    metadata: ["count": "\(ops.count)", "after": "\(after)", "through": "\(through)"])
            }
            return next
        case .answerFile(let message, let read, let write, let chunkBytes):
            guard let files else {
                return session.fileAnswered(
                    .error(ProtocolError(.fileUnknown, "this server keeps no files: tell the office")))
            }
            let answer = await files.answer(message, read: read, write: write, chunkBytes: chunkBytes)
            if case .chunk(_, _, _, let bytes) = message {
                report.fileBytesIn += bytes.count
                if case .have = answer { report.filesKept += 1 }
            }
            if case .chunk(_, _, _, let bytes) = answer { report.fileBytesOut += bytes.count }
            return session.fileAnswered(answer)
        case .send, .authenticate, .close:
            return nil
        }
    }

    /// The error a client is sent when the store refuses its batch, or cannot do what it asked.
    static func protocolError(for error: StoreError) -> ProtocolError {
        switch error.code {
        case .refused where error.merge?.code == .reusedID:
            return ProtocolError(.reusedID, "\(error.message): nothing of the batch was stored")
        case .refused where error.merge?.code == .badParents:
            return ProtocolError(.badParents, "\(error.message): nothing of the batch was stored")
        case .refused, .outOfScope, .unknownRecord:
            return ProtocolError(.refused, "\(error.message): nothing of the batch was stored")
        case .busy:
            return ProtocolError(.unavailable, "the server's store is busy: sync again in a minute")
        case .unavailable:
            return ProtocolError(
                .unavailable, "the server cannot reach its database for the moment: sync again in a minute")
        case .diskFull:
            return ProtocolError(
                .diskFull,
                "the server's disk is full: nothing of the batch was stored; tell the office, then sync again")
        default:
            return ProtocolError(.internal, "the server's store failed (\(error.code)): tell the office")
        }
    }
}
