import GridMerge
import GridModel

/// One message of the line protocol (see `protocol/PROTOCOL.md`).
public enum Message: Hashable, Sendable {
    /// Client → server, first: protocol version, replica id, bearer token, wish to compress.
    case hello(version: String, replica: ReplicaID, token: String, deflate: Bool)
    /// Server → client, answering `hello`: the server's replica, the scopes the token may
    /// read and write, the limits, the sequence up to which the server holds every op the
    /// client's replica wrote (where the next push starts), the server's clock (milliseconds
    /// since 1970), the server replicas whose history this server continues (it was restored
    /// from a backup and took a new id), and whether the rest of the connection is compressed.
    case welcome(
        version: String, replica: ReplicaID, read: [GridScope], write: [GridScope], limits: Limits,
        heldThrough: Int64, serverTime: Int64, lineage: [ReplicaID], deflate: Bool)
    /// Client → server: the client's own next ops, in order; `through` is the last one's sequence.
    case push(through: Int64, ops: [Op])
    /// Client → server, to a server restored from a backup: ops the client held before it
    /// met the restored server, any replica's, in the client's local order; `through` is the
    /// client's local sequence the batch reaches, echoed by the `ack`.
    case giveBack(through: Int64, ops: [Op])
    /// Server → client: the pushed (or given back) ops up to `through` are committed.
    case ack(through: Int64)
    /// Client → server: the ops after the server's local sequence `after`, at most `limit`.
    case pull(after: Int64, limit: Int)
    /// Client → server: the client replica's own ops that the server holds after the
    /// sequence `after`, at most `limit` (a laptop restored from a backup takes them back).
    case recover(after: Int64, limit: Int)
    /// Server → client: ops in the client's scopes, the cursor to pull after next, and whether more follow.
    case batch(through: Int64, more: Bool, ops: [Op])
    /// Client → server (gridsync/4): which of these files, held here and named by records here,
    /// does the server hold whole? (One round trip for every photo a laptop holds.)
    case ask(files: [FileID])
    /// Server → client, answering `ask`: those of them it holds whole, in the order asked.
    case held(files: [FileID])
    /// Client → server (gridsync/4): a file the client holds that its records name, and its size.
    case offer(file: FileID, size: Int64)
    /// Server → client: send the file from byte `offset` (the bytes before it have arrived).
    case want(file: FileID, offset: Int64)
    /// Server → client: the server holds the file whole (it had it, or has just kept it).
    case have(file: FileID)
    /// Client → server: send the file from byte `offset` (the client holds the bytes before it).
    case fetch(file: FileID, offset: Int64)
    /// Client → server: how large is the file (a laptop that defers large photos asks first)?
    case stat(file: FileID)
    /// Server → client, answering `stat`: the file's size in bytes.
    case size(file: FileID, size: Int64)
    /// Either way: the bytes of a file of `size` bytes from `offset`, at most ``Limits/fileChunkBytes``.
    case chunk(file: FileID, size: Int64, offset: Int64, bytes: [UInt8])
    /// Either way: an error; fatal ones close the connection.
    case error(ProtocolError)
    /// Either way: the end of the exchange.
    case bye
}

extension Message {
    /// The most lines of bytes one `CHUNK` carries after its header.
    public static let fileChunkLines = 32
    /// The most requests for a file's bytes (`CHUNK`s sent, or `FETCH`es) a client has
    /// unanswered at once (gridsync/5): one being handled, the next on its way.
    public static let fileRequestsAhead = 2
    /// The most files one `ASK` names (and so one `HELD`).
    public static let filesPerAsk = 5_000
}

/// The limits a server announces in `welcome` and enforces (the first three), and the
/// ones both sides enforce on what they read without announcing them.
public struct Limits: Hashable, Sendable {
    /// The longest line, in bytes, without its line feed.
    public var lineBytes: Int
    /// The most ops in one `push` or `batch`.
    public var opsPerBatch: Int
    /// The most bytes of lines in one message, after inflating.
    public var messageBytes: Int
    /// The longest line before the peer is authenticated.
    public var handshakeLineBytes: Int

    /// Creates limits.
    public init(
        lineBytes: Int = 64 * 1024, opsPerBatch: Int = 5_000, messageBytes: Int = 16 * 1024 * 1024,
        handshakeLineBytes: Int = 1_024
    ) {
        self.lineBytes = lineBytes
        self.opsPerBatch = opsPerBatch
        self.messageBytes = messageBytes
        self.handshakeLineBytes = handshakeLineBytes
    }

    /// These limits with the three that a `welcome` announces taken from `announced`.
    public func announced(by announced: Limits) -> Limits {
        var limits = self
        limits.lineBytes = announced.lineBytes
        limits.opsPerBatch = announced.opsPerBatch
        limits.messageBytes = announced.messageBytes
        return limits
    }

    /// The bytes of a file one line of a `CHUNK` carries: as many as fit in a line in base64
    /// (three bytes in four characters), at most 48 KiB (65,536 characters, the standard line limit).
    public var fileLineBytes: Int {
        min(48 * 1024, lineBytes / 4 * 3)
    }

    /// The most bytes of a file one `CHUNK` carries: ``Message/fileChunkLines`` lines, or as
    /// many as take at most half of ``messageBytes`` (1.5 MiB under the standard limits).
    public var fileChunkBytes: Int {
        fileLineBytes * max(1, min(Message.fileChunkLines, messageBytes / 2 / (lineBytes + 1)))
    }

    /// The limits of this protocol version's defaults.
    public static let standard = Limits()
}
