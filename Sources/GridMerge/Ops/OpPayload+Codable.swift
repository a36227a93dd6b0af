import GridModel

/// Payloads encode as a one-key JSON object named after the action, for example
/// `{"assign":"accepted"}`, `{"add":"消防"}`, `{"change":3}` or `{"append":{"text":"…"}}`.
extension OpPayload: Codable {
    private enum Action: String, CodingKey {
        case assign, add, remove, change, append
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Action.self)
        guard container.allKeys.count == 1, let action = container.allKeys.first else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: "a payload has exactly one of assign, add, remove, change, append"))
        }
        switch action {
        case .assign: self = .assign(try container.decode(FieldValue.self, forKey: action))
        case .add: self = .add(try container.decode(String.self, forKey: action))
        case .remove: self = .remove(try container.decode(String.self, forKey: action))
        case .change: self = .change(try container.decode(Int64.self, forKey: action))
        case .append: self = .append(try container.decode(LogEntry.self, forKey: action))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Action.self)
        switch self {
        case .assign(let value): try container.encode(value, forKey: .assign)
        case .add(let element): try container.encode(element, forKey: .add)
        case .remove(let element): try container.encode(element, forKey: .remove)
        case .change(let change): try container.encode(change, forKey: .change)
        case .append(let entry): try container.encode(entry, forKey: .append)
        }
    }
}
