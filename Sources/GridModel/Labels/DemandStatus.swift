/// Where a resident's demand stands, from first being raised to being closed.
public enum DemandStatus: String, LabelledKey {
    /// Raised by residents and recorded by a grid worker.
    case raised
    /// Accepted by the community as something to act on.
    case accepted
    /// Being worked on, usually through a micro-project.
    case inProgress = "in-progress"
    /// Done: the need was met.
    case resolved
    /// Closed, for example after residents confirmed the result or the demand lapsed.
    case closed
    /// Declined, with the reason given in the demand's notes.
    case declined

    public var label: Label {
        switch self {
        case .raised: Label("已提出", "raised")
        case .accepted: Label("已受理", "accepted")
        case .inProgress: Label("处理中", "in progress")
        case .resolved: Label("已解决", "resolved")
        case .closed: Label("已关闭", "closed")
        case .declined: Label("不予受理", "declined")
        }
    }

    /// Whether the demand still needs work (raised, accepted or in progress).
    public var isOpen: Bool {
        switch self {
        case .raised, .accepted, .inProgress: true
        case .resolved, .closed, .declined: false
        }
    }
}
