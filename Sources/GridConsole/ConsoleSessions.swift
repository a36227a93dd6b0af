import Foundation
import GridModel

/// The console's signed-in office staff: a random session id in a cookie, kept in memory
/// only (a daemon restarted signs everyone out), each with its account's worker and scopes,
/// its form token (CSRF) and its expiry.
actor ConsoleSessions {
    /// One signed-in person.
    struct Session: Sendable {
        /// The office account.
        let worker: WorkerID
        /// The communities it may see.
        let scopes: [GridScope]
        /// The token every form of the session carries, checked on every POST.
        let formToken: String
        /// When it ends unless used again.
        var expires: Date
    }

    /// How long a session lasts without a request.
    static let idle: TimeInterval = 8 * 3600

    private var sessions: [String: Session] = [:]

    /// Starts a session; returns its id, for the cookie.
    func start(worker: WorkerID, scopes: [GridScope], now: Date = Date()) -> (id: String, session: Session) {
        dropExpired(now: now)
        let id = Self.randomToken()
        let session = Session(
            worker: worker, scopes: scopes, formToken: Self.randomToken(), expires: now.addingTimeInterval(Self.idle))
        sessions[id] = session
        return (id, session)
    }

    /// The session with this id, if it has not expired; using it extends it.
    func session(_ id: String, now: Date = Date()) -> Session? {
        guard var session = sessions[id] else { return nil }
        guard session.expires > now else {
            sessions[id] = nil
            return nil
        }
        session.expires = now.addingTimeInterval(Self.idle)
        sessions[id] = session
        return session
    }

    /// Ends a session.
    func end(_ id: String) {
        sessions[id] = nil
    }

    /// Ends every session of `worker` (its account revoked, its password changed).
    func end(worker: WorkerID) {
        sessions = sessions.filter { $0.value.worker != worker }
    }

    private func dropExpired(now: Date) {
        sessions = sessions.filter { $0.value.expires > now }
    }

    /// 32 random bytes as URL-safe base64, without padding: fit for a cookie and a form field.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
