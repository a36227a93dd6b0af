/// The shape every GridSync error shares: a stable ``code`` that scripts match on (shown by
/// `--json` and in `ERR` lines), a ``message`` that says what was wrong and what to do, and
/// the ``cause`` underneath, when there is one, kept whole for logs and callers that look
/// deeper (SQLite's extended result code, the merge rule that refused an op).
public protocol CodedError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kinds of failure of this error type.
    associatedtype Owner
    /// What went wrong.
    var code: ErrorCode<Owner> { get }
    /// What was wrong and what to do, for the person reading it.
    var message: String { get }
    /// The error underneath, if any.
    var cause: ErrorCause? { get }
}

extension CodedError {
    public var description: String { message }

    /// The code a script is shown for this error: the code of a ``ValidationError`` underneath (what was wrong
    /// with the input, such as `bad-format`), if the causes hold one, else this error's own.
    public var shownCode: String {
        underlyingValidation?.code.rawValue ?? code.rawValue
    }

    /// The ``ValidationError`` among this error's causes, if any: which field of the input was wrong.
    public var underlyingValidation: ValidationError? {
        var cause = self.cause?.error
        while let error = cause {
            if let validation = error as? ValidationError { return validation }
            cause = (error as? any CodedError)?.cause?.error
        }
        return nil
    }
}

/// A stable, machine-readable kind of failure of the error type `Owner`.
///
/// Each error type names its codes in an extension (`extension ErrorCode<StoreError>`);
/// new codes may be added, so match on the ones you handle and treat the rest alike.
public struct ErrorCode<Owner>: RawRepresentable, Hashable, Sendable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    /// The code as shown, in kebab case.
    public let rawValue: String

    /// Creates a code from its text.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Creates a code from its text.
    public init(stringLiteral value: String) { self.rawValue = value }

    public var description: String { rawValue }
}

/// The error underneath a ``CodedError``, kept whole. Two causes are equal when they read
/// the same: the error itself need not be comparable.
public struct ErrorCause: Hashable, Sendable, CustomStringConvertible {
    /// The error.
    public let error: any Error

    /// Keeps `error`.
    public init(_ error: any Error) { self.error = error }

    public var description: String { String(describing: error) }

    public static func == (lhs: ErrorCause, rhs: ErrorCause) -> Bool { lhs.description == rhs.description }

    public func hash(into hasher: inout Hasher) { hasher.combine(description) }
}
