import GridModel

/// The language a report is written in: Chinese for the office, English on request.
public enum ReportLanguage: String, Sendable, CaseIterable {
    case chinese = "zh"
    case english = "en"

    /// The words of `label` in this language.
    public func callAsFunction(_ label: Label) -> String {
        self == .chinese ? label.chinese : label.english
    }

    /// `chinese` or `english`, as this language is.
    public func callAsFunction(_ chinese: String, _ english: String) -> String {
        self == .chinese ? chinese : english
    }
}
