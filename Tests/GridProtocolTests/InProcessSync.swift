import GridMerge
import GridModel
import GridProtocol
import GridStore

/// Drives a client session against a server session in one process, each message going
/// out as its lines and back in through a `MessageReader`: the sync core with the
/// network taken out, as the daemon and the field client drive it over TCP.
struct InProcessSync {
    /// The tokens the server accepts, with the scopes each may read and write.
    var tokens: [String: [GridScope]]
    /// Cut the connection after this many messages (both ways), as a dropped mobile link would.
    var cutAfterMessages: Int?
    /// The server's limits.
    var limits = Limits.standard
    /// The client's files and the server's, moved after the ops when both are given.
    var clientFiles: FileStore?
    var serverFiles: FileStore?

    /// Counts the bytes of files that `CHUNK`s delivered each way, across syncs.
    final class Deliveries: @unchecked Sendable {
        var toServer = 0
        var toClient = 0
    }
    var deliveries: Deliveries?

    /// Thrown when the connection is cut.
    struct ConnectionCut: Error {}

    /// Syncs `client` with `server` once.
    func run(client: SQLiteReplicaStore, server: SQLiteReplicaStore, token: String) async throws
        -> ClientSession.Summary
    {
        // Every token belongs to the worker of the client that presents it.
        var serverSide = ServerSide(
            store: server, files: serverFiles, tokens: tokens.mapValues { (client.identity.worker, $0) },
            limits: limits)
        var clientSide = ClientSide(store: client, files: clientFiles, token: token)
        var toServer = MessageReader(limits: limits)
        var toClient = MessageReader(limits: limits)
        var messages = 0
        func transmit(_ message: Message, into reader: inout MessageReader, toServer: Bool) throws -> Message {
            messages += 1
            if let cut = cutAfterMessages, messages > cut { throw ConnectionCut() }
            var received: Message?
            for line in message.lines(within: limits) { received = try reader.read(line[...]) }
            guard let received else { throw ProtocolError(.badCount, "a message's lines did not make a message") }
            if case .chunk(_, _, _, let bytes) = received, let deliveries {
                if toServer { deliveries.toServer += bytes.count } else { deliveries.toClient += bytes.count }
            }
            return received
        }
        // As over TCP: the server reads and answers the client's messages in turn; the client
        // reads each answer as it comes, and may send several messages before the next answer
        // (a file's chunks, ahead of theirs).
        var outgoing = [try await clientSide.start()]
        do {
            while !outgoing.isEmpty {
                var answers: [Message] = []
                var closes = false
                for message in outgoing {
                    let (answer, closing) = try await serverSide.receive(
                        try transmit(message, into: &toServer, toServer: true))
                    if let answer { answers.append(answer) }
                    closes = closing
                    if closing { break }
                }
                outgoing = []
                for answer in answers {
                    outgoing += try await clientSide.receive(try transmit(answer, into: &toClient, toServer: false))
                }
                if closes { throw ConnectionCut() }
            }
            throw ConnectionCut()
        } catch ClientSide.Ending.finished(let summary) {
            return summary
        } catch ClientSide.Ending.failed(let error) {
            throw error
        }
    }
}
