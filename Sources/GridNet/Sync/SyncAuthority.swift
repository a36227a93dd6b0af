import GridMerge
import GridProtocol

/// Decides what a bearer token may do: the daemon's accounts, or a test's table.
public protocol SyncAuthority: Sendable {
    /// What `token`, presented by the replica `replica`, grants.
    ///
    /// - Throws: ``TokenRefusal`` for a wrong, unknown or revoked token (or a replica that
    ///   belongs to another account); any other error is the authority's own failure.
    func authorize(replica: ReplicaID, token: String) async throws -> ServerSession.Grant
}

/// A token that grants nothing, with the reason the client is told.
public struct TokenRefusal: Error, Hashable, Sendable {
    /// Why, for the client's user: what was wrong and what to do.
    public var message: String

    /// Creates a refusal.
    public init(_ message: String) { self.message = message }
}
