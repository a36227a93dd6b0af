import GridMerge
import GridModel

/// Decides what a bearer token may do: the daemon's accounts, or a test's table.
public protocol SyncAuthority: Sendable {
    /// What `token`, presented by the replica `replica`, grants.
    ///
    /// - Throws: ``TokenRefusal`` for a wrong, unknown or revoked token (or a replica that
    ///   belongs to another account); any other error is the authority's own failure.
    func authorize(replica: ReplicaID, token: String) async throws -> TokenGrant
}

/// What an accepted token grants.
public struct TokenGrant: Hashable, Sendable {
    /// The worker account, whose id every pushed op must name as its author.
    public var worker: WorkerID
    /// The scopes whose ops the account may pull.
    public var read: [GridScope]
    /// The scopes in which the account may push ops.
    public var write: [GridScope]

    /// Creates a grant.
    public init(worker: WorkerID, read: [GridScope], write: [GridScope]) {
        self.worker = worker
        self.read = read
        self.write = write
    }
}

/// A token that grants nothing, with the reason the client is told.
public struct TokenRefusal: Error, Hashable, Sendable {
    /// Why, for the client's user: what was wrong and what to do.
    public var message: String

    /// Creates a refusal.
    public init(_ message: String) { self.message = message }
}
