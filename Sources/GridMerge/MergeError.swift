import GridModel

/// An op or a clock reading that the merge core refuses.
///
/// Nothing is changed when one of these is thrown: not the state, not the clock.
public struct MergeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable, machine-readable kind of merge failure.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The stable text of the code.
        public let rawValue: String

        /// Creates a code from its stable text.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// A remote clock is further ahead of the local wall clock than the configured bound.
        public static let clockTooFarAhead = Code(rawValue: "clock-too-far-ahead")
        /// The op does not fit its record type's schema; ``MergeError/validation`` says why.
        public static let invalidOp = Code(rawValue: "invalid-op")
        /// The op names a record that this replica knows with another type or scope.
        public static let recordMismatch = Code(rawValue: "record-mismatch")
        /// The edit names a record that this replica does not hold, or one that is deleted.
        public static let unknownRecord = Code(rawValue: "unknown-record")
        /// Stored bytes of a record state are damaged, or of a format this version cannot read.
        public static let unreadableState = Code(rawValue: "unreadable-state")
        /// An op id the replica holds already, with other content (see ``OpAdmission``).
        public static let reusedID = Code(rawValue: "reused-id")
        /// An op names parents it cannot have been written on top of (see ``OpAdmission``).
        public static let badParents = Code(rawValue: "bad-parents")

        public var description: String { rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// A one-line explanation that says what to do.
    public var message: String
    /// The schema's reason, for ``Code/invalidOp``.
    public var validation: ValidationError?

    /// Creates a merge error.
    public init(_ code: Code, _ message: String, validation: ValidationError? = nil) {
        self.code = code
        self.message = message
        self.validation = validation
    }

    public var description: String { "\(code): \(message)" }
}
