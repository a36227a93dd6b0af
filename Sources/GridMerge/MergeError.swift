import GridModel

/// An op or a clock reading that the merge core refuses.
///
/// Nothing is changed when one of these is thrown: not the state, not the clock.
public struct MergeError: CodedError {
    /// What went wrong: see the codes in the extension below.
    public typealias Code = ErrorCode<MergeError>

    /// What went wrong.
    public var code: Code
    /// A one-line explanation that says what to do.
    public var message: String
    /// The error underneath: the schema's reason for ``Code/invalidOp``.
    public var cause: ErrorCause?

    /// The schema's reason, for ``Code/invalidOp``.
    public var validation: ValidationError? { cause?.error as? ValidationError }

    /// Creates a merge error.
    public init(_ code: Code, _ message: String, validation: ValidationError? = nil) {
        self.code = code
        self.message = message
        self.cause = validation.map(ErrorCause.init)
    }

    public var description: String { "\(code): \(message)" }
}

extension ErrorCode<MergeError> {
    /// A remote clock is further ahead of the local wall clock than the configured bound.
    public static var clockTooFarAhead: Self { "clock-too-far-ahead" }
    /// The op does not fit its record type's schema; ``MergeError/validation`` says why.
    public static var invalidOp: Self { "invalid-op" }
    /// The op names a record that this replica knows with another type or scope.
    public static var recordMismatch: Self { "record-mismatch" }
    /// The edit names a record that this replica does not hold, or one that is deleted.
    public static var unknownRecord: Self { "unknown-record" }
    /// Stored bytes of a record state are damaged, or of a format this version cannot read.
    public static var unreadableState: Self { "unreadable-state" }
    /// An op id the replica holds already, with other content (see ``OpAdmission``).
    public static var reusedID: Self { "reused-id" }
    /// An op names parents it cannot have been written on top of (see ``OpAdmission``).
    public static var badParents: Self { "bad-parents" }
}
