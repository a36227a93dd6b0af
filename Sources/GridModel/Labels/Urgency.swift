/// How soon a demand needs an answer.
public enum Urgency: String, LabelledKey {
    /// Can wait for the next monthly meeting.
    case normal
    /// Should be taken up this month.
    case pressing
    /// A risk to safety or health: act now.
    case urgent

    public var label: Label {
        switch self {
        case .normal: Label("一般", "normal")
        case .pressing: Label("较急", "pressing")
        case .urgent: Label("紧急", "urgent")
        }
    }
}
