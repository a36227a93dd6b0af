import Crypto
import Foundation

/// The identity of one record: a UUID made by the replica that created it.
///
/// The text form is the lowercase UUID, so that every replica writes the same bytes.
public struct RecordID: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The UUID.
    public let uuid: UUID

    /// Creates a new, random record id.
    public init() { uuid = UUID() }

    /// Wraps an existing UUID.
    public init(_ uuid: UUID) { self.uuid = uuid }

    /// Parses the UUID text of a record id, in either case.
    public init?(_ text: String) {
        guard let uuid = UUID(uuidString: text) else { return nil }
        self.uuid = uuid
    }

    /// Makes a record id from 128 random bits drawn from `generator`, for reproducible tests and workloads.
    public init(using generator: inout some RandomNumberGenerator) {
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<8 {
            bytes[index] = UInt8(truncatingIfNeeded: high >> (8 * (7 - index)))
            bytes[8 + index] = UInt8(truncatingIfNeeded: low >> (8 * (7 - index)))
        }
        self.init(bytes, version: 4)
    }

    /// The id of the reference record of `type` with `key`: the same on every replica, so
    /// that two offices adding compound `k001` make one record (whose fields then merge),
    /// not two. A name-based UUID (RFC 9562, version 5: SHA-1 of GridSync's namespace and
    /// `type:key`), which no random id (version 4) can equal.
    public init(reference type: RecordType, key: String) {
        let digest = Insecure.SHA1.hash(data: Self.referenceNamespace + Array("\(type.rawValue):\(key)".utf8))
        self.init(Array(digest.prefix(16)), version: 5)
    }

    /// The namespace of reference records' ids, `6f3c2a91-5d47-4e0b-9a83-1e52c407d638` (a random UUID, fixed for good).
    private static let referenceNamespace: [UInt8] = [
        0x6f, 0x3c, 0x2a, 0x91, 0x5d, 0x47, 0x4e, 0x0b, 0x9a, 0x83, 0x1e, 0x52, 0xc4, 0x07, 0xd6, 0x38,
    ]

    /// An id of 16 bytes, marked with an RFC 9562 `version` and variant.
    private init(_ bytes: [UInt8], version: UInt8) {
        var bytes = bytes
        bytes[6] = (bytes[6] & 0x0F) | (version << 4)
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 9562 variant
        uuid = UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
    }

    /// Whether `text` is a record id exactly as GridSync writes it: a lowercase UUID.
    ///
    /// Checked by hand rather than by parsing, since every op that links records runs it.
    public static func isCanonical(_ text: String) -> Bool {
        var count = 0
        for byte in text.utf8 {
            let isHyphen = count == 8 || count == 13 || count == 18 || count == 23
            let ok =
                isHyphen
                ? byte == UInt8(ascii: "-")
                : (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                    || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
            guard ok else { return false }
            count += 1
        }
        return count == 36
    }

    /// The lowercase UUID text.
    ///
    /// Written by hand: ids are formatted for every op stored, and Foundation's
    /// `uuidString` goes through `sprintf`.
    public var description: String {
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        return withUnsafeBytes(of: uuid.uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { output in
                var position = 0
                for (index, byte) in bytes.enumerated() {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        output[position] = UInt8(ascii: "-")
                        position += 1
                    }
                    output[position] = hex[Int(byte >> 4)]
                    output[position + 1] = hex[Int(byte & 0x0F)]
                    position += 2
                }
                return position
            }
        }
    }

    /// Orders ids by their text, which is the order exports use.
    public static func < (lhs: RecordID, rhs: RecordID) -> Bool { lhs.description < rhs.description }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let id = RecordID(text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "not a UUID: \(text)"))
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
