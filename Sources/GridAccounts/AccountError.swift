import GridModel

/// An account action that cannot be done; nothing was written.
///
/// New codes may be added; match on ``code``.
public struct AccountError: CodedError {
    /// What went wrong: see the codes in the extension below.
    public typealias Code = ErrorCode<AccountError>

    /// What went wrong.
    public var code: Code
    /// What was wrong and what to do.
    public var message: String

    /// The error underneath, if any.
    public var cause: ErrorCause?

    /// Creates an error.
    public init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause.map(ErrorCause.init)
    }
}

extension ErrorCode<AccountError> {
    /// The accounts file cannot be opened or written.
    public static var accounts: Self { "accounts" }
    /// `worker add` for a worker whose token still works.
    public static var accountExists: Self { "account-exists" }
    /// A worker without an account.
    public static var unknownWorker: Self { "unknown-worker" }
    /// A token that is unknown or revoked, or a replica that syncs for another worker.
    public static var tokenRefused: Self { "token-refused" }
    /// A row of the accounts file that cannot be read.
    public static var unreadable: Self { "unreadable" }
    /// `worker revoke` of a token already revoked.
    public static var alreadyRevoked: Self { "already-revoked" }
    /// A password too short to be set.
    public static var weakPassword: Self { "weak-password" }
    /// A password for an account that may not sign in to the console (a grid worker's).
    public static var notAnOfficeAccount: Self { "not-an-office-account" }
}

extension AccountError {
    /// `worker add` for a worker whose token still works.
    public static func accountExists(_ worker: WorkerID) -> AccountError {
        AccountError(
            .accountExists,
            "\(worker) already has an account with a working token: revoke it first "
                + "(gridsyncd worker revoke \(worker)) to issue a new one")
    }

    /// A worker without an account.
    public static func unknownWorker(_ worker: WorkerID) -> AccountError {
        AccountError(.unknownWorker, "no account for \(worker): see them with `gridsyncd worker list`")
    }

    /// `worker revoke` of a token already revoked.
    public static func alreadyRevoked(_ worker: WorkerID, at time: String) -> AccountError {
        AccountError(.alreadyRevoked, "the token of \(worker) was already revoked at \(time)")
    }
}
