/// The Chinese and English names of something a user sees.
public struct Label: Hashable, Sendable {
    /// The Chinese name, as used by grid workers and office staff (for example `处理中`).
    public let chinese: String
    /// The English name (for example `in progress`).
    public let english: String

    /// Creates a label from its Chinese and English names.
    public init(_ chinese: String, _ english: String) {
        self.chinese = chinese
        self.english = english
    }
}
