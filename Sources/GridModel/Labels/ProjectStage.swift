/// A micro-project's place in the closed loop collect → design → review → implement → evaluate.
public enum ProjectStage: String, LabelledKey {
    /// Collecting the common demands of a grid that the project will answer.
    case collect
    /// Residents' groups and capable residents design the project and submit a proposal.
    case design
    /// Staff, experts, residents and shops discuss the proposal's feasibility and value.
    case review
    /// The community, a social organisation, social workers and N residents carry it out.
    case implement
    /// Residents' satisfaction is surveyed by interviews and questionnaires.
    case evaluate

    public var label: Label {
        switch self {
        case .collect: Label("征集", "collect")
        case .design: Label("设计", "design")
        case .review: Label("论证", "review")
        case .implement: Label("实施", "implement")
        case .evaluate: Label("评估", "evaluate")
        }
    }

    /// The stage after this one in the loop, or `nil` after evaluation.
    public var next: ProjectStage? {
        let all = Self.allCases
        let index = all.firstIndex(of: self)!
        return all.index(after: index) < all.endIndex ? all[all.index(after: index)] : nil
    }
}
