import Foundation

/// Reads the JSON of the store's text columns (op payloads, written by `CanonicalJSON`).
struct StoreCodec: Sendable {
    private let decoder = JSONDecoder()

    /// Decodes a value from JSON text.
    func decode<Value: Decodable>(_ type: Value.Type, from text: String) throws -> Value {
        try decoder.decode(type, from: Data(text.utf8))
    }
}
