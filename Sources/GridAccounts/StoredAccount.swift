/// An account as a book keeps it: the account and its token's SHA-256, never the token.
public struct StoredAccount: Hashable, Sendable {
    /// The account.
    public var account: Account
    /// The SHA-256 of its token, in hex (``AccountRules/hash(_:)``).
    public var tokenHash: String

    /// Describes a stored account.
    public init(account: Account, tokenHash: String) {
        self.account = account
        self.tokenHash = tokenHash
    }
}
