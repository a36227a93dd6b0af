import GridStore

/// The console's language: Chinese by default, English on request (`?lang=en`, kept in a
/// cookie). Every word a page shows goes through ``callAsFunction(_:_:)``.
struct Words: Sendable {
    /// The language, as the report and the history write it too.
    let language: ReportLanguage

    /// Chinese unless `code` is `en`.
    init(_ code: String?) {
        self.language = code == "en" ? .english : .chinese
    }

    /// `zh` or `en`, for the page's `lang` and the cookie.
    var code: String { language.rawValue }

    /// The word in this language.
    func callAsFunction(_ chinese: String, _ english: String) -> String {
        language(chinese, english)
    }

    /// Whether labels of keys are shown in English.
    var isEnglish: Bool { language == .english }
}
