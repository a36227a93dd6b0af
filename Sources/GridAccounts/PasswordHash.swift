import Crypto
import Foundation
import _CryptoExtras

/// An office account's password as the daemon keeps it: scrypt, a memory-hard hash, with its
/// parameters and a random salt, written `scrypt$16384$8$1$<salt>$<hash>` (base64). The
/// password itself is never stored. Tokens stay for laptops; passwords are for the office's
/// console only.
public struct PasswordHash: Hashable, Sendable, CustomStringConvertible {
    /// scrypt's cost (N), block size (r) and parallelism (p).
    public let rounds: Int
    public let blockSize: Int
    public let parallelism: Int
    let salt: [UInt8]
    let hash: [UInt8]

    /// The parameters new passwords are hashed with: 16 MiB and about a tenth of a second on
    /// one core, per try.
    public static let standard = (rounds: 16_384, blockSize: 8, parallelism: 1)

    /// The shortest password accepted.
    public static let minimumLength = 10

    /// Hashes `password` with a new random salt.
    ///
    /// - Throws: ``AccountError/Code/weakPassword`` for a password shorter than ``minimumLength``.
    public init(password: String) throws {
        guard password.count >= Self.minimumLength else {
            throw AccountError(
                .weakPassword,
                "the password has \(password.count) characters: give at least \(Self.minimumLength), "
                    + "a few words that are easy to remember are best")
        }
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let (rounds, blockSize, parallelism) = Self.standard
        try self.init(
            rounds: rounds, blockSize: blockSize, parallelism: parallelism, salt: salt,
            hash: Self.derive(password, salt: salt, rounds: rounds, blockSize: blockSize, parallelism: parallelism))
    }

    private init(rounds: Int, blockSize: Int, parallelism: Int, salt: [UInt8], hash: [UInt8]) {
        self.rounds = rounds
        self.blockSize = blockSize
        self.parallelism = parallelism
        self.salt = salt
        self.hash = hash
    }

    /// Reads a hash as ``description`` writes it; `nil` for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: "$", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 6, parts[0] == "scrypt", let rounds = Int(parts[1]), let blockSize = Int(parts[2]),
            let parallelism = Int(parts[3]), let salt = Data(base64Encoded: parts[4]),
            let hash = Data(base64Encoded: parts[5]), rounds > 1, rounds.nonzeroBitCount == 1,
            (1...64).contains(blockSize), (1...16).contains(parallelism), hash.count == 32
        else { return nil }
        self.init(
            rounds: rounds, blockSize: blockSize, parallelism: parallelism, salt: [UInt8](salt), hash: [UInt8](hash))
    }

    public var description: String {
        "scrypt$\(rounds)$\(blockSize)$\(parallelism)$\(Data(salt).base64EncodedString())$\(Data(hash).base64EncodedString())"
    }

    /// Whether `password` is the one hashed, compared in constant time.
    public func matches(_ password: String) -> Bool {
        guard
            let derived = try? Self.derive(
                password, salt: salt, rounds: rounds, blockSize: blockSize, parallelism: parallelism)
        else { return false }
        return derived.count == hash.count && zip(derived, hash).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    private static func derive(_ password: String, salt: [UInt8], rounds: Int, blockSize: Int, parallelism: Int)
        throws -> [UInt8]
    {
        let key = try KDF.Scrypt.deriveKey(
            from: Array(password.precomposedStringWithCanonicalMapping.utf8), salt: salt, outputByteCount: 32,
            rounds: rounds, blockSize: blockSize, parallelism: parallelism)
        return key.withUnsafeBytes { [UInt8]($0) }
    }
}
