/// An account action that cannot be done; nothing was written.
///
/// New codes may be added; match on ``code``.
public struct AccountError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable, machine-readable kind of failure, as shown with `--json`.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String

        public init(rawValue: String) { self.rawValue = rawValue }

        /// The accounts file cannot be opened or written.
        public static let accounts = Code(rawValue: "accounts")
        /// `worker add` for a worker whose token still works.
        public static let accountExists = Code(rawValue: "account-exists")
        /// A worker without an account.
        public static let unknownWorker = Code(rawValue: "unknown-worker")
        /// A token that is unknown or revoked, or a replica that syncs for another worker.
        public static let tokenRefused = Code(rawValue: "token-refused")
        /// A row of the accounts file that cannot be read.
        public static let unreadable = Code(rawValue: "unreadable")
        /// `worker revoke` of a token already revoked.
        public static let alreadyRevoked = Code(rawValue: "already-revoked")

        public var description: String { rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// What was wrong and what to do.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
