import GridMerge
import GridModel
import GridProtocol
import GridStore

/// Drives a client session against a server session in one process, each message going
/// out as its lines and back in through a `MessageReader`: the sync core with the
/// network taken out, as the daemon and the field client will drive it over TCP.
struct InProcessSync {
    /// The tokens the server accepts, with the scopes each may read and write.
    var tokens: [String: [GridScope]]
    /// Cut the connection after this many messages (both ways), as a dropped mobile link would.
    var cutAfterMessages: Int?
    /// The server's limits.
    var limits = Limits.standard

    /// Thrown when the connection is cut.
    struct ConnectionCut: Error {}

    /// Syncs `client` with `server` once.
    func run(client: SQLiteReplicaStore, server: SQLiteReplicaStore, token: String) async throws
        -> ClientSession.Summary
    {
        let serverID = server.identity.replica
        var clientSession = ClientSession(replica: client.identity.replica, token: token, deflate: false)
        var serverSession = ServerSession(replica: serverID, limits: limits)
        var toServer = MessageReader()
        var toClient = MessageReader()
        var messages = 0
        func transmit(_ message: Message, into reader: inout MessageReader) throws -> Message {
            messages += 1
            if let cut = cutAfterMessages, messages > cut { throw ConnectionCut() }
            var received: Message?
            for line in message.lines { received = try reader.read(line[...]) }
            guard let received else { throw ProtocolError(.badCount, "a message's lines did not make a message") }
            return received
        }

        var clientAction = clientSession.start()
        while true {
            switch clientAction {
            case .send(let message):
                var serverAction = serverSession.received(try transmit(message, into: &toServer))
                reply: while true {
                    switch serverAction {
                    case .send(let reply):
                        clientAction = clientSession.received(try transmit(reply, into: &toClient))
                        break reply
                    case .authenticate(let replica, let token):
                        if let scopes = tokens[token] {
                            let received = try await server.cursor(for: replica).pulledThrough
                            serverAction = serverSession.authenticated(
                                ServerSession.Grant(
                                    read: scopes, write: scopes, worker: client.identity.worker,
                                    receivedThrough: received))
                        } else {
                            serverAction = serverSession.authenticationFailed(
                                "unknown token: ask the office for a new one")
                        }
                    case .storePush(let ops, let through, let pusher):
                        do {
                            _ = try await server.ingest(ops, pulledFrom: pusher, through: through)
                            serverAction = serverSession.pushStored()
                        } catch {
                            serverAction = serverSession.pushRefused(ProtocolError(.refused, "\(error)"))
                        }
                    case .loadBatch(let after, let limit, let scopes, let puller):
                        let batch = try await server.batch(
                            after: after, limit: limit, scopes: scopes, writers: .allBut(puller))
                        serverAction = serverSession.batchLoaded(
                            ops: batch.ops, through: batch.through, more: batch.more)
                    case .close(let last):
                        guard let last else { throw ConnectionCut() }
                        clientAction = clientSession.received(try transmit(last, into: &toClient))
                        break reply
                    }
                }
            case .readCursor(let server):
                clientAction = clientSession.cursorRead(
                    pulledThrough: try await client.cursor(for: server).pulledThrough)
            case .loadPush(let after, let limit):
                let batch = try await client.batch(
                    after: after, limit: limit, scopes: client.identity.scopes, writers: .only(client.identity.replica))
                clientAction = clientSession.pushLoaded(ops: batch.ops, through: batch.through, more: batch.more)
            case .markPushed(let through):
                try await client.markPushed(to: serverID, through: through)
                clientAction = clientSession.pushMarked()
            case .storePulled(let ops, let through):
                _ = try await client.ingest(ops, pulledFrom: serverID, through: through)
                clientAction = clientSession.pulledStored()
            case .finished(let summary):
                return summary
            case .fail(let error), .refused(let error):
                throw error
            }
        }
    }
}
