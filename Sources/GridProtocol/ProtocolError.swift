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
        /// A line that is not a message of the protocol, or arrives when it is not expected.
        public static let malformedLine = Code(rawValue: "malformed-line")
        /// A line longer than the limit.
        public static let lineTooLong = Code(rawValue: "line-too-long")
        /// A batch header announcing more ops than the limit, or a count that does not match.
        public static let badCount = Code(rawValue: "bad-count")
        /// A message larger than the limit on its size, compressed or not.
        public static let tooLarge = Code(rawValue: "too-large")
        /// A deflate stream that is corrupt, or has bytes after its end.
        public static let badDeflate = Code(rawValue: "bad-deflate")
        /// The peer speaks a protocol version this replica does not.
        public static let version = Code(rawValue: "version")
        /// The token is wrong, unknown or revoked.
        public static let unauthorized = Code(rawValue: "unauthorized")
        /// An op lies outside the scopes the token may write.
        public static let outOfScope = Code(rawValue: "out-of-scope")
        /// An op was written by another replica or another worker than the connection's.
        public static let wrongWriter = Code(rawValue: "wrong-writer")
        /// A batch holds the same op twice.
        public static let duplicateOp = Code(rawValue: "duplicate-op")
        /// An op was refused by the merge rules (invalid value, clock too far ahead...).
        public static let refused = Code(rawValue: "refused")
        /// An op id the server holds already, with other content: a copied or restored data folder.
        public static let reusedID = Code(rawValue: "reused-id")
        /// An op names parents it cannot have been written on top of, or skips its writer's previous op.
        public static let badParents = Code(rawValue: "bad-parents")
        /// The peer sent nothing for too long, or did not finish the handshake in time.
        public static let timeout = Code(rawValue: "timeout")
        /// The server is shutting down, full, or holds as many unfinished messages as its memory
        /// allows: sync again later.
        public static let unavailable = Code(rawValue: "unavailable")
        /// The client's address, or its worker's token, has as many connections open as allowed.
        public static let tooManyConnections = Code(rawValue: "too-many-connections")
        /// Too many wrong tokens came from the client's address: wait before trying again.
        public static let tooManyFailures = Code(rawValue: "too-many-failures")
        /// The replica could not store or read what it was asked to.
        public static let `internal` = Code(rawValue: "internal")

        /// Whether the connection is closed after this error (see PROTOCOL.md, "Errors").
        public var isFatal: Bool {
            ![.outOfScope, .wrongWriter, .duplicateOp, .refused, .reusedID, .badParents].contains(self)
        }

        /// Every code this version defines, in the order of PROTOCOL.md's table.
        public static let all: [Code] = [
            .malformedLine, .malformedOp, .lineTooLong, .badCount, .tooLarge, .badDeflate, .version, .unauthorized,
            .outOfScope, .wrongWriter, .duplicateOp, .refused, .reusedID, .badParents, .timeout, .unavailable,
            .tooManyConnections, .tooManyFailures, .internal,
        ]

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
