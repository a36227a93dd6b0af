import GridModel

/// A worker's account on the daemon: who, in what role, which scopes, and whether its
/// token still works. The token itself is never stored, only its hash.
struct Account: Hashable, Sendable, Codable {
    /// The worker.
    var worker: WorkerID
    /// A grid worker or the office.
    var role: WorkerRole
    /// The grids (or, for the office, communities) the account reads and writes.
    var scopes: [GridScope]
    /// The first characters of the token, to tell tokens apart in lists.
    var tokenHint: String
    /// When the account (or its current token) was made, ISO 8601.
    var createdAt: String
    /// When the token was revoked, if it was.
    var revokedAt: String?
    /// The replicas that have synced with this account's token.
    var replicas: [String] = []
}
