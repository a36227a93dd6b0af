import GridStore

/// A page's language: Chinese by default, English on request (`?lang=en`, kept in a
/// cookie). Every word a page shows goes through ``callAsFunction(_:_:)``.
public struct Words: Sendable {
    /// The language, as the report and the history write it too.
    public let language: ReportLanguage

    /// Chinese unless `code` is `en`.
    public init(_ code: String?) {
        self.language = code == "en" ? .english : .chinese
    }

    /// `zh` or `en`, for the page's `lang` and the cookie.
    public var code: String { language.rawValue }

    /// The word in this language.
    public func callAsFunction(_ chinese: String, _ english: String) -> String {
        language(chinese, english)
    }

    /// Whether labels of keys are shown in English.
    public var isEnglish: Bool { language == .english }
}
