/// The short, stable key of a piece of reference data: a community, grid, compound or worker.
///
/// Keys are 1 to 32 lowercase ASCII letters, digits and `-` (for example `c03`, `c03-g12`,
/// `wang-fang`), so they can appear in scopes, file names and protocol lines unquoted. The
/// names people read (`东门社区`) live beside the key, not in it. The phantom `Subject` keeps
/// a worker key from being passed where a grid key is wanted.
public struct ReferenceID<Subject>: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The key text.
    public let rawValue: String

    /// The most characters a key may have.
    public static var maximumLength: Int { 32 }

    /// Parses and checks a key.
    public init?(_ text: String) {
        guard Self.isValid(text) else { return nil }
        rawValue = text
    }

    /// Whether `text` is a well-formed key.
    public static func isValid(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= maximumLength && text.utf8.first != UInt8(ascii: "-")
            && text.utf8.allSatisfy { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                    || byte == UInt8(ascii: "-")
            }
    }

    /// What a key must look like, for error messages.
    public static var rule: String { "1 to 32 lowercase letters, digits and '-', not starting with '-'" }

    public var description: String { rawValue }

    /// Orders keys by their text.
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let id = Self(text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not a key: \(Self.rule)"))
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// The key of a community (社区).
public typealias CommunityID = ReferenceID<Community>
/// The key of a micro-grid (微网格), unique in the street.
public typealias GridID = ReferenceID<Grid>
/// The key of a residential compound (小区), unique in the street.
public typealias CompoundID = ReferenceID<Compound>
/// The key of a grid worker's or an office account (网格员).
public typealias WorkerID = ReferenceID<Worker>
