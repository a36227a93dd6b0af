/// Why a grid worker visited a household or a compound.
public enum VisitPurpose: String, LabelledKey {
    /// The daily round of the grid.
    case routine
    /// Hearing out residents' requests.
    case collectDemands = "collect-demands"
    /// Coming back about a demand already recorded.
    case followUp = "follow-up"
    /// Checking fire, gas or building safety.
    case safetyCheck = "safety-check"
    /// Asking residents how satisfied they are with a micro-project.
    case survey

    public var label: Label {
        switch self {
        case .routine: Label("日常走访", "routine")
        case .collectDemands: Label("收集诉求", "collect demands")
        case .followUp: Label("回访", "follow-up")
        case .safetyCheck: Label("安全检查", "safety check")
        case .survey: Label("满意度调查", "survey")
        }
    }
}
