import Crypto
import Foundation

/// A file named by its content (a photo of a demand, a project's before-and-after): `sha256:`
/// and the SHA-256 of its bytes in 64 lowercase hexadecimal digits. The same photo attached
/// to two records, or on two laptops, has one id and is stored once; a file whose bytes do not
/// hash to its id is not that file.
public struct FileID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// `sha256:` and 64 lowercase hexadecimal digits.
    public let rawValue: String

    /// How an id is written, for error messages.
    public static let rule = "sha256: and 64 lowercase hexadecimal digits"

    /// The id `text` writes, if it is one.
    public init?(_ text: String) {
        let digits = text.utf8.dropFirst(Self.prefix.utf8.count)
        guard text.hasPrefix(Self.prefix), digits.count == 64,
            digits.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
        else { return nil }
        rawValue = text
    }

    /// The id of bytes whose SHA-256 is `digest`.
    public init(digest: SHA256.Digest) {
        rawValue = Self.prefix + digest.map { String(format: "%02x", $0) }.joined()
    }

    /// The id of `bytes`.
    public init(of bytes: some DataProtocol) {
        self.init(digest: SHA256.hash(data: bytes))
    }

    /// The 64 hexadecimal digits.
    public var hex: Substring { rawValue.dropFirst(Self.prefix.count) }

    public var description: String { rawValue }

    public static func < (lhs: FileID, rhs: FileID) -> Bool { lhs.rawValue < rhs.rawValue }

    private static let prefix = "sha256:"
}
