import Crypto
import Foundation
import GridMerge
import GridModel

/// The daemon's accounts, wherever they are kept: in `accounts.sqlite` in its data folder
/// (``AccountStore``), or in PostgreSQL beside the op log that several daemons share.
///
/// Every method is one transaction. Tokens are never stored, only their SHA-256
/// (``AccountRules/hash(_:)``).
public protocol AccountBook: Sendable {
    /// Makes an account (or gives a revoked one a new token) and returns its token, which
    /// is shown once and never stored.
    ///
    /// - Throws: ``AccountError/Code/accountExists`` for a worker whose token still works.
    func add(worker: WorkerID, role: WorkerRole, scopes: [GridScope]) async throws -> (Account, token: String)

    /// Every account, by worker, with the replicas that synced for it.
    func list() async throws -> [Account]

    /// Revokes a worker's token: its next connection is refused.
    ///
    /// - Throws: ``AccountError/Code/unknownWorker``, ``AccountError/Code/alreadyRevoked``.
    func revoke(worker: WorkerID) async throws -> Account

    /// The account whose token `token` is, for the replica `replica`; notes the replica as the
    /// account's on its first sync.
    ///
    /// - Throws: ``AccountError`` with the code ``AccountError/Code/tokenRefused`` for a token
    ///   that is unknown or revoked, or a replica that syncs for another worker.
    func authorize(replica: ReplicaID, token: String) async throws -> Account

    /// The account of `worker`, if there is one.
    func account(_ worker: WorkerID) async throws -> Account?

    /// Notes how a replica's sync ended, for `gridsync-inspect devices`: always the time and
    /// the ending; what it sent and received, and how far it pulled, only for a whole sync.
    func recordSync(
        of replica: ReplicaID, ending: String, pushed: Int, pulled: Int, pulledThrough: Int64?, givenBack: Int,
        recovered: Int
    ) async throws

    /// Every replica that has synced, by worker then first connection.
    func devices() async throws -> [Device]

    /// Sets the console password of an office account (``PasswordHash``), replacing any.
    ///
    /// - Throws: ``AccountError/Code/unknownWorker``;
    ///   ``AccountError/Code/notAnOfficeAccount`` for a grid worker's account.
    func setPassword(of worker: WorkerID, to hash: PasswordHash) async throws

    /// The console password of `worker`'s account, if one is set and the account works.
    func password(of worker: WorkerID) async throws -> PasswordHash?
}

/// What every account book decides the same way, whatever keeps it.
public enum AccountRules {
    /// Checks that `account` may be given a console password: it exists, and is the office's.
    ///
    /// - Throws: ``AccountError/Code/unknownWorker``, ``AccountError/Code/notAnOfficeAccount``.
    public static func mayHavePassword(_ account: Account?, _ worker: WorkerID) throws {
        guard let account else { throw AccountError.unknownWorker(worker) }
        guard account.role == .office else {
            throw AccountError(
                .notAnOfficeAccount,
                "\(worker) is a grid worker's account: the console is for office accounts "
                    + "(gridsyncd worker add office-1 --role office --scope c01); grid workers use their laptops")
        }
    }

    /// The account a token opens for `replica`, given the account whose token hash it is
    /// (if any) and the worker the replica already syncs for (if any).
    ///
    /// - Throws: ``AccountError/Code/tokenRefused`` for an unknown or revoked token, or a
    ///   replica that syncs for another worker.
    public static func authorize(_ account: Account?, replica: ReplicaID, owner: String?) throws -> Account {
        guard let account else {
            throw AccountError(.tokenRefused, "the token is not known to this server: ask the office for a token")
        }
        guard account.revokedAt == nil else {
            throw AccountError(
                .tokenRefused, "the token of \(account.worker) was revoked: ask the office for a new one")
        }
        if let owner, owner != account.worker.rawValue {
            throw AccountError(
                .tokenRefused,
                "replica \(replica) syncs for \(owner), not \(account.worker): make a new replica with `gridsync init`")
        }
        return account
    }

    /// An account as stored: text columns read back and checked.
    ///
    /// - Throws: ``AccountError/Code/unreadable`` naming the row, `place`, and what in it cannot be read.
    public static func account(
        worker name: String, role: String, scopes: String, tokenHint: String, createdAt: String, revokedAt: String?,
        in place: String
    ) throws -> Account {
        func unreadable(_ what: String) -> AccountError {
            AccountError(
                .unreadable,
                "the account row of '\(name)' in \(place) cannot be read (\(what)): restore the accounts from a "
                    + "backup, or revoke and add the worker again")
        }
        guard let worker = WorkerID(name) else { throw unreadable("not a worker id") }
        guard let role = WorkerRole(rawValue: role) else { throw unreadable("unknown role '\(role)'") }
        let scopes = try scopes.split(separator: " ").map { text in
            guard let scope = GridScope(String(text)) else { throw unreadable("unknown scope '\(text)'") }
            return scope
        }
        return Account(
            worker: worker, role: role, scopes: scopes, tokenHint: tokenHint, createdAt: createdAt, revokedAt: revokedAt
        )
    }

    /// A device row read back, or ``AccountError/Code/unreadable`` naming `place`.
    public static func device(replica: String, worker: String, in place: String) throws -> (ReplicaID, WorkerID) {
        guard let id = ReplicaID(replica), let owner = WorkerID(worker) else {
            throw AccountError(
                .unreadable,
                "the device row '\(replica)' of worker '\(worker)' in \(place) cannot be read (not a replica id or a "
                    + "worker id): restore the accounts from a backup")
        }
        return (id, owner)
    }

    /// A new token: `gst_` and 32 random bytes in base64url.
    public static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let base64 = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return "gst_" + base64
    }

    /// The SHA-256 of a token, in hex.
    public static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// The time now, as ISO 8601 text in UTC (the format style is cheap; a date formatter
    /// made for each call showed up in the daemon's profile).
    public static func now() -> String {
        Date().formatted(.iso8601)
    }
}
