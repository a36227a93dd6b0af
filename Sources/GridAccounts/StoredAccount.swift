/// An account as a book keeps it: the account, its token's SHA-256 and its console
/// password's hash, never the token or the password.
public struct StoredAccount: Hashable, Sendable {
    /// The account.
    public var account: Account
    /// The SHA-256 of its token, in hex (``AccountRules/hash(_:)``).
    public var tokenHash: String
    /// The hash of its console password, as ``PasswordHash`` writes it, if one is set.
    public var passwordHash: String?

    /// Describes a stored account.
    public init(account: Account, tokenHash: String, passwordHash: String? = nil) {
        self.account = account
        self.tokenHash = tokenHash
        self.passwordHash = passwordHash
    }
}
