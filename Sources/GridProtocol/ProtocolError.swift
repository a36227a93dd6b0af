/// A line that breaks the protocol's grammar or limits.
///
/// Sessions answer one with an `ERR <code> <message>` line (see `protocol/PROTOCOL.md`).
/// New codes may be added; match on ``code``.
public struct ProtocolError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable, machine-readable kind of protocol failure, as sent in `ERR` lines.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The code as it appears on the wire.
        public let rawValue: String

        /// Creates a code from its wire text.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// An op line that does not follow the op grammar or is not in canonical form.
        public static let malformedOp = Code(rawValue: "malformed-op")

        public var description: String { rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// What was wrong with the line, for the peer's log and its user.
    public var message: String

    /// Creates a protocol error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code) \(message)" }
}
