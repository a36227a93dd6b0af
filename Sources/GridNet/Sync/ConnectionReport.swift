import GridMerge
import GridModel
import GridProtocol

/// What one connection to the daemon did, for its log line and its metrics.
public struct ConnectionReport: Hashable, Sendable {
    /// The peer's address.
    public var peer: String
    /// The client's replica, once it said hello.
    public var replica: ReplicaID?
    /// The worker account, once authenticated.
    public var worker: WorkerID?
    /// Whether the connection was compressed.
    public var compressed = false
    /// Ops the client pushed that were new to the server.
    public var opsStored = 0
    /// Ops the client pushed, new or not.
    public var opsPushed = 0
    /// Ops sent to the client.
    public var opsPulled = 0
    /// Ops given back to a laptop that had lost its own (restored from a backup, or copied).
    public var opsRecovered = 0
    /// Ops a laptop gave back that this server had lost when it was restored from a backup.
    public var opsGivenBack = 0
    /// Files the client sent that the server now keeps, and bytes of files received and sent.
    public var filesKept = 0, fileBytesIn = 0, fileBytesOut = 0
    /// The daemon's local sequence up to which the client has pulled, if it pulled.
    public var pulledThrough: Int64?
    /// Bytes of lines received and sent, before compression.
    public var textBytesIn = 0, textBytesOut = 0
    /// Bytes received and sent on the wire.
    public var wireBytesIn = 0, wireBytesOut = 0
    /// The error the server sent, if any (non-fatal ones included).
    public var errors: [ProtocolError.Code] = []
    /// How the connection ended: `bye`, an error code, `cut` or `closed`.
    public var ending = "closed"
    /// From accepting the connection to closing it.
    public var seconds = 0.0

    /// Creates the report of a new connection.
    public init(peer: String) {
        self.peer = peer
    }
}

/// Hears about the daemon's connections: its metrics.
public protocol SyncObserver: Sendable {
    /// A connection was accepted.
    func connectionOpened()
    /// A connection ended.
    func connectionClosed(_ report: ConnectionReport) async
}
