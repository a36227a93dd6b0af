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
            throw TLSFileError("cannot read the certificate \(certificate) (\(error)): give a PEM certificate chain")
        }
        guard !chain.isEmpty else {
            throw TLSFileError("\(certificate) holds no certificate: give a PEM certificate chain")
        }
        do {
            privateKey = try NIOSSLPrivateKey(file: key, format: .pem)
        } catch {
            throw TLSFileError("cannot read the private key \(key) (\(error)): give the PEM key of the certificate")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(privateKey))
        configuration.minimumTLSVersion = .tlsv12
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw TLSFileError("the certificate \(certificate) and key \(key) do not make a TLS context: \(error)")
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
                throw TLSFileError("cannot read the certificate authority \(authority) (\(error)): give a PEM file")
            }
        }
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw TLSFileError("cannot set up TLS: \(error)")
        }
    }
}

/// A TLS file that cannot be used.
public struct TLSFileError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What was wrong and what to do.
    public var message: String

    /// Creates the error.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
