import Crypto
import NIOSSL

/// The SHA-256 of a certificate's DER bytes: what a laptop pins on its first sync, as SSH's
/// known hosts pin a server's key. Written `sha256:` and 64 hexadecimal digits.
public struct CertificateFingerprint: Hashable, Sendable, CustomStringConvertible {
    /// The 32 bytes of the hash.
    public let bytes: [UInt8]

    /// The fingerprint of `certificate`.
    public init(of certificate: NIOSSLCertificate) throws {
        bytes = Array(SHA256.hash(data: try certificate.toDERBytes()))
    }

    /// Reads a fingerprint as `gridsyncd` prints it; `sha256:` may be left out, and the digits
    /// may be in either case and grouped by spaces or colons.
    public init?(_ text: String) {
        var digits = Substring(text.lowercased())
        if digits.hasPrefix("sha256:") { digits = digits.dropFirst("sha256:".count) }
        let hex = digits.filter { $0 != ":" && $0 != " " }
        guard hex.count == 64, hex.allSatisfy(\.isHexDigit) else { return nil }
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        self.bytes = bytes
    }

    /// The fingerprint of the first certificate in a PEM file.
    public static func ofPEMFile(_ path: String) throws(TLSFileError) -> CertificateFingerprint {
        do {
            guard let first = try NIOSSLCertificate.fromPEMFile(path).first else {
                throw TLSFileError(.unreadable, "\(path) holds no certificate: give a PEM certificate")
            }
            return try CertificateFingerprint(of: first)
        } catch let error as TLSFileError {
            throw error
        } catch {
            throw TLSFileError(.unreadable, "cannot read the certificate \(path) (\(error)): give a PEM certificate", cause: error)
        }
    }

    public var description: String {
        "sha256:" + bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
