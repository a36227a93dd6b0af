import GridAccounts
import GridMerge
import GridNet
import GridProtocol

/// The daemon's accounts as the sync's authority: a token grants its worker's scopes, for
/// reading and writing.
struct AccountAuthority: SyncAuthority {
    let accounts: any AccountBook

    func authorize(replica: ReplicaID, token: String) async throws -> ServerSession.Grant {
        do {
            let account = try await accounts.authorize(replica: replica, token: token)
            return ServerSession.Grant(worker: account.worker, read: account.scopes, write: account.scopes)
        } catch let error as AccountError where error.code == .tokenRefused {
            throw TokenRefusal(error.message)
        }
    }
}
