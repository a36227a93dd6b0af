import Crypto
import Foundation
import GridNet
import NIOSSL
import X509

/// The daemon's TLS certificate: the operator's, or the daemon's own, made in the data
/// folder on first start so that sync is encrypted with nothing to set up. Laptops pin its
/// fingerprint on their first sync.
enum DaemonCertificate {
    /// Where the certificate and its key are.
    struct Files: Hashable, Sendable {
        /// The PEM certificate chain.
        var certificate: String
        /// The PEM private key.
        var key: String
        /// Whether these are the daemon's own, which it makes if they are missing.
        var isOwn: Bool

        /// The daemon's own: `tls/certificate.pem` and `tls/key.pem` in the data folder.
        static func own(in data: String) -> Files {
            let folder = (data as NSString).appendingPathComponent("tls")
            return Files(
                certificate: (folder as NSString).appendingPathComponent("certificate.pem"),
                key: (folder as NSString).appendingPathComponent("key.pem"), isOwn: true)
        }
    }

    /// A certificate ready to serve.
    struct Loaded {
        /// The TLS context of the listener.
        var context: NIOSSLContext
        /// The certificate's fingerprint, which laptops pin.
        var fingerprint: CertificateFingerprint
        /// Whether the daemon made its own certificate just now.
        var isNew: Bool
    }

    /// How long the daemon's own certificate is valid: laptops pin it, so it should not change.
    static let validity: TimeInterval = 20 * 365 * 86_400

    /// Loads the certificate, making the daemon's own first if it is missing.
    static func load(_ files: Files) throws -> Loaded {
        var isNew = false
        if files.isOwn, !FileManager.default.fileExists(atPath: files.certificate) {
            isNew = try makeOnce(files)
        }
        let context: NIOSSLContext
        let fingerprint: CertificateFingerprint
        do {
            context = try TLSFiles.server(certificate: files.certificate, key: files.key)
            fingerprint = try CertificateFingerprint.ofPEMFile(files.certificate)
        } catch {
            throw DaemonError(.badConfiguration, "\(error)")
        }
        return Loaded(context: context, fingerprint: fingerprint, isNew: isNew)
    }

    /// The fingerprint of the certificate, if it exists yet.
    static func fingerprint(_ files: Files) throws -> CertificateFingerprint? {
        guard FileManager.default.fileExists(atPath: files.certificate) else { return nil }
        do {
            return try CertificateFingerprint.ofPEMFile(files.certificate)
        } catch {
            throw DaemonError(.badConfiguration, "\(error)")
        }
    }

    /// Makes the daemon's own certificate unless another process (a `worker add` started at the
    /// same moment as the daemon) made it meanwhile: the makers take turns on a lock file in
    /// the certificate's folder, and each looks again once it holds the lock.
    ///
    /// - Returns: whether this process made it.
    private static func makeOnce(_ files: Files) throws -> Bool {
        let folder = (files.certificate as NSString).deletingLastPathComponent
        let lock: Int32
        do {
            try FileManager.default.createDirectory(
                atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            lock = open(
                (folder as NSString).appendingPathComponent(".making.lock"), O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            guard lock >= 0, flock(lock, LOCK_EX) == 0 else { throw CocoaError(.fileWriteNoPermission) }
        } catch {
            throw DaemonError(
                .badConfiguration,
                "cannot write the daemon's TLS certificate in \(folder): \(error.localizedDescription)")
        }
        defer { close(lock) }
        guard !FileManager.default.fileExists(atPath: files.certificate) else { return false }
        try make(files)
        return true
    }

    /// Makes a key and a self-signed certificate for this host; the key is written first and
    /// readable by its owner only, and each file appears whole or not at all (the certificate
    /// last: once it is there, so is its key).
    private static func make(_ files: Files) throws {
        let key = P256.Signing.PrivateKey()
        let host = ProcessInfo.processInfo.hostName
        let pem: String
        do {
            let name = try DistinguishedName {
                OrganizationName("GridSync")
                CommonName("gridsyncd on \(host)")
            }
            let now = Date()
            let certificate = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
                notValidBefore: now - 86_400, notValidAfter: now + validity, issuer: name, subject: name,
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    SubjectAlternativeNames([.dnsName(host)])
                },
                issuerPrivateKey: .init(key))
            pem = try certificate.serializeAsPEM().pemString
        } catch {
            throw DaemonError(.badConfiguration, "cannot make the daemon's TLS certificate: \(error)")
        }
        let folder = (files.certificate as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(
                atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try write(key.pemRepresentation + "\n", to: files.key)
            try write(pem + "\n", to: files.certificate)
        } catch {
            throw DaemonError(
                .badConfiguration,
                "cannot write the daemon's TLS certificate in \(folder): \(error.localizedDescription)"
            )
        }
    }

    /// Writes `text` to `path` through a temporary file, readable by the owner only.
    private static func write(_ text: String, to path: String) throws {
        let temporary = path + ".new-\(getpid())"
        guard
            FileManager.default.createFile(
                atPath: temporary, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
        else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: temporary])
        }
        guard rename(temporary, path) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }
}
