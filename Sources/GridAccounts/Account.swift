import GridModel

/// A worker's account on the daemon: who, in what role, which scopes, and whether its
/// token still works. The token itself is never stored, only its hash.
public struct Account: Hashable, Sendable, Codable {
    /// The worker.
    public var worker: WorkerID
    /// A grid worker or the office.
    public var role: WorkerRole
    /// The grids (or, for the office, communities) the account reads and writes.
    public var scopes: [GridScope]
    /// The first characters of the token, to tell tokens apart in lists.
    public var tokenHint: String
    /// When the account (or its current token) was made, ISO 8601.
    public var createdAt: String
    /// When the token was revoked, if it was.
    public var revokedAt: String?
    /// The replicas that have synced with this account's token.
    public var replicas: [String] = []

    /// Describes an account.
    public init(
        worker: WorkerID, role: WorkerRole, scopes: [GridScope], tokenHint: String, createdAt: String,
        revokedAt: String? = nil, replicas: [String] = []
    ) {
        self.worker = worker
        self.role = role
        self.scopes = scopes
        self.tokenHint = tokenHint
        self.createdAt = createdAt
        self.revokedAt = revokedAt
        self.replicas = replicas
    }
}
