import Foundation
import GridModel
import Testing

/// Runs `body` and returns the validation error it throws, or `nil` if it throws none.
///
/// Lets a test say `#expect(refusal { try ... }?.code == .tooLong)` and then look at the
/// error's field, value and allowed text.
/// Any other error is recorded as an issue. (The closure throws untyped errors because
/// `#expect` and `#require` rewrite the `try` expressions inside them.)
func refusal(
    _ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation
) -> ValidationError? {
    do {
        try body()
        return nil
    } catch let error as ValidationError {
        return error
    } catch {
        Issue.record("expected a ValidationError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// The bytes of a string's UTF-8 form, to compare text exactly (Swift's `==` on strings
/// treats canonically equivalent text, such as `e\u{301}` and `é`, as equal).
func utf8Bytes(_ text: String?) -> [UInt8]? {
    text.map { Array($0.utf8) }
}

/// Encodes `value` with a plain JSONEncoder and decodes it back.
func jsonRoundTrip<Value: Codable>(_ value: Value) throws -> Value {
    try JSONDecoder().decode(Value.self, from: JSONEncoder().encode(value))
}

/// Whether `text` holds at least one CJK ideograph.
func containsChinese(_ text: String) -> Bool {
    text.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) }
}
