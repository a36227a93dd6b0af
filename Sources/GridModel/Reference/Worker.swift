/// A person who records data: a grid worker (网格员) or a member of the office staff.
public struct Worker: Hashable, Sendable, Codable {
    /// The account key, which ops carry as their author.
    public var id: WorkerID
    /// The person's name, for example `王芳`.
    public var name: String
    /// Whether the account works in grids or oversees them all.
    public var role: WorkerRole
    /// The grids a grid worker works in (usually one, sometimes a few); empty for office staff.
    public var grids: [GridID]

    /// Creates a worker.
    public init(id: WorkerID, name: String, role: WorkerRole, grids: [GridID]) {
        self.id = id
        self.name = name
        self.role = role
        self.grids = grids
    }
}
