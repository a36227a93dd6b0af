import GridModel
import NIOSSL

/// TLS contexts made from PEM files, with errors that name the file and what to do.
public enum TLSFiles {
    /// The daemon's context: its certificate chain and private key.
    public static func server(certificate: String, key: String) throws(TLSFileError) -> NIOSSLContext {
        let chain: [NIOSSLCertificate]
        let privateKey: NIOSSLPrivateKey
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificate)
        } catch {
            throw TLSFileError(
                .unreadable, "cannot read the certificate \(certificate) (\(error)): give a PEM certificate chain",
                cause: error)
        }
        guard !chain.isEmpty else {
            throw TLSFileError(.unreadable, "\(certificate) holds no certificate: give a PEM certificate chain")
        }
        do {
            privateKey = try NIOSSLPrivateKey(file: key, format: .pem)
        } catch {
            throw TLSFileError(
                .unreadable, "cannot read the private key \(key) (\(error)): give the PEM key of the certificate",
                cause: error)
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(privateKey))
        configuration.minimumTLSVersion = .tlsv12
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw TLSFileError(
                .unusable, "the certificate \(certificate) and key \(key) do not make a TLS context: \(error)",
                cause: error)
        }
    }

    /// The field client's context: verify the daemon against `authority` (a PEM file of
    /// the certificates to trust), or the system's trust store if `nil`.
    public static func client(trusting authority: String?) throws(TLSFileError) -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        if let authority {
            do {
                configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(authority))
            } catch {
                throw TLSFileError(
                    .unreadable, "cannot read the certificate authority \(authority) (\(error)): give a PEM file",
                    cause: error)
            }
        }
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw TLSFileError(.unusable, "cannot set up TLS: \(error)", cause: error)
        }
    }
}

/// A TLS file that cannot be used, or TLS that cannot be set up.
public struct TLSFileError: CodedError {
    /// What went wrong: see the codes in the extension below.
    public typealias Code = ErrorCode<TLSFileError>

    /// What went wrong.
    public var code: Code
    /// What was wrong, which file, and what to do.
    public var message: String
    /// NIOSSL's or BoringSSL's own error.
    public var cause: ErrorCause?

    /// Creates the error.
    public init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause.map(ErrorCause.init)
    }
}

extension ErrorCode<TLSFileError> {
    /// A certificate or key file that cannot be read as PEM.
    public static var unreadable: Self { "unreadable" }
    /// Files that do not make a TLS context together (a key of another certificate).
    public static var unusable: Self { "unusable" }
}
