import GridModel

/// Something the daemon or one of its commands cannot do, with what to do instead.
///
/// New codes may be added; match on ``code``.
struct DaemonError: CodedError {
    /// What went wrong: see the codes in the extension below.
    typealias Code = ErrorCode<DaemonError>

    /// What went wrong.
    var code: Code
    /// What was wrong and what to do.
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

extension ErrorCode<DaemonError> {
    /// A configuration value (file, environment or flag) that cannot be used.
    static var badConfiguration: Self { "bad-configuration" }
    /// The daemon could not listen on its address.
    static var cannotListen: Self { "cannot-listen" }
    /// Another daemon serves the data folder.
    static var folderInUse: Self { "folder-in-use" }
    /// A backup to restore is missing, or is not the daemon's.
    static var badBackup: Self { "bad-backup" }
}
