import NIOCore
import NIOSSL
import Synchronization

/// How the field client checks the daemon over TLS: against the fingerprint pinned on its
/// first sync (the daemon's own certificate), or against an office certificate authority.
public struct ClientTLS: Sendable {
    /// What the client trusts.
    public enum Trust: Hashable, Sendable {
        /// Exactly the certificate with this fingerprint, whatever names it carries.
        case fingerprint(CertificateFingerprint)
        /// Certificates issued by the authorities in this PEM file (the system's if `nil`)
        /// for the server's name.
        case authority(String?)
    }

    /// What the client trusts.
    public let trust: Trust
    /// The fingerprint of the certificate the server presented on the last connection, if
    /// one was: what a refusal tells the worker.
    public let presented = Presented()
    let context: NIOSSLContext

    /// The certificate a server presented, noted during the TLS handshake.
    public final class Presented: Sendable {
        private let value = Mutex<CertificateFingerprint?>(nil)

        /// The fingerprint seen last.
        public var fingerprint: CertificateFingerprint? { value.withLock { $0 } }

        func note(_ fingerprint: CertificateFingerprint?) { value.withLock { $0 = fingerprint } }
    }

    /// Sets up TLS that trusts `trust`.
    public init(trust: Trust) throws(TLSFileError) {
        self.trust = trust
        switch trust {
        case .fingerprint:
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.minimumTLSVersion = .tlsv12
            // The pin is the trust: the certificate need not name the address the laptop dials.
            configuration.certificateVerification = .noHostnameVerification
            do {
                context = try NIOSSLContext(configuration: configuration)
            } catch {
                throw TLSFileError(.unusable, "cannot set up TLS: \(error)", cause: error)
            }
        case .authority(let file):
            context = try TLSFiles.client(trusting: file)
        }
    }

    /// The handler that speaks TLS to `host` (an address if `isAddress`) on a new connection.
    public func handler(host: String, isAddress: Bool) throws -> NIOSSLClientHandler {
        // SNI carries host names, never addresses.
        let serverHostname = isAddress ? nil : host
        guard case .fingerprint(let pinned) = trust else {
            return try NIOSSLClientHandler(context: context, serverHostname: serverHostname)
        }
        let presented = self.presented
        return try NIOSSLClientHandler(context: context, serverHostname: serverHostname) { chain, promise in
            let fingerprint = chain.first.flatMap { try? CertificateFingerprint(of: $0) }
            presented.note(fingerprint)
            promise.succeed(fingerprint == pinned ? .certificateVerified : .failed)
        }
    }
}
