/// An edit or a value that the record schemas do not allow.
///
/// Every validation error names the field, the value that was refused and what is allowed,
/// so that a grid worker at the command line, or a daemon log reader, can fix the input
/// without reading code. New codes may be added; match on ``code``, not on the message.
public struct ValidationError: CodedError {
    /// What went wrong: see the codes in the extension below.
    public typealias Code = ErrorCode<ValidationError>

    /// What went wrong.
    public var code: Code
    /// The field (or `field.part` for a part of a log entry) the error is about.
    public var field: String
    /// The refused value as the user or the peer gave it; `nil` when the value is missing.
    public var value: String?
    /// What the field accepts, in words a grid worker understands.
    public var allowed: String

    /// Creates a validation error.
    public init(_ code: Code, field: String, value: String?, allowed: String) {
        self.code = code
        self.field = field
        self.value = value
        self.allowed = allowed
    }

    /// A validation error stands on its own: nothing lies underneath.
    public var cause: ErrorCause? { nil }

    /// A one-line explanation: the field, the refused value and what is allowed.
    public var message: String {
        switch code {
        case .missingRequired:
            return "\(field) is required: give \(allowed)"
        case .wrongKind:
            return "\(field) is a \(allowed) field: a \(value ?? "different") edit does not apply to it"
        case .unknownField:
            return "\(field) has no field '\(value ?? "")': use one of \(allowed)"
        default:
            let shown = value.map { "'\($0)'" } ?? "nothing"
            return "\(field): \(shown) is not allowed (\(code)): use \(allowed)"
        }
    }
}

extension ErrorCode<ValidationError> {
    /// The field does not exist on this record type.
    public static var unknownField: Self { "unknown-field" }
    /// The value is not one of a fixed list of keys or labels.
    public static var unknownChoice: Self { "unknown-choice" }
    /// A required field is missing or would be cleared.
    public static var missingRequired: Self { "missing-required" }
    /// The text is longer than the field allows.
    public static var tooLong: Self { "too-long" }
    /// The value is not written the way the field needs (a date, an id, a number...).
    public static var badFormat: Self { "bad-format" }
    /// The number is outside the allowed range.
    public static var outOfRange: Self { "out-of-range" }
    /// The edit does not fit the field's merge kind (for example, adding to a register).
    public static var wrongKind: Self { "wrong-kind" }
    /// A step the rules allow only with a reason (a project skipping a stage or going back).
    public static var needsReason: Self { "needs-reason" }
}
