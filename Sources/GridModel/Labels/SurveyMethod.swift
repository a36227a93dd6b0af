/// How residents' satisfaction with a micro-project was asked.
public enum SurveyMethod: String, LabelledKey {
    /// Face-to-face interviews.
    case interview
    /// Paper or online questionnaires.
    case questionnaire

    public var label: Label {
        switch self {
        case .interview: Label("访谈", "interview")
        case .questionnaire: Label("问卷", "questionnaire")
        }
    }
}
