import GridModel

/// Something `gridsync-inspect` cannot do; nothing was written.
///
/// New codes may be added; match on ``code``.
struct InspectError: CodedError {
    /// What went wrong: see the codes in the extension below.
    typealias Code = ErrorCode<InspectError>

    var code: Code
    var message: String

    /// The error underneath, if any.
    var cause: ErrorCause?

    /// Creates an error.
    init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause.map(ErrorCause.init)
    }
}

extension ErrorCode<InspectError> {
    /// The field is not in conflict.
    static var noConflict: Self { "no-conflict" }
    /// `--pick` names none of the competing values.
    static var badPick: Self { "bad-pick" }
    /// `--as` names no office account that may write the record.
    static var notAllowed: Self { "not-allowed" }
    /// The command needs the daemon's data folder.
    static var needsDaemon: Self { "needs-daemon" }
}
