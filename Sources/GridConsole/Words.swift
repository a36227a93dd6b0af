/// The console's language: Chinese by default, English on request (`?lang=en`, kept in a
/// cookie). Every word a page shows goes through ``callAsFunction(_:_:)``.
struct Words: Sendable {
    /// `zh` or `en`.
    let language: String

    /// Chinese unless `language` is `en`.
    init(_ language: String?) {
        self.language = language == "en" ? "en" : "zh"
    }

    /// The word in this language.
    func callAsFunction(_ chinese: String, _ english: String) -> String {
        language == "en" ? english : chinese
    }

    /// Whether labels of keys are shown in English.
    var isEnglish: Bool { language == "en" }
}
