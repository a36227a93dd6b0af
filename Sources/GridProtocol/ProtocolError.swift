import GridModel

/// A line that breaks the protocol's grammar or limits.
///
/// Sessions answer one with an `ERR <code> <message>` line (see `protocol/PROTOCOL.md`).
/// New codes may be added; match on ``code``.
public struct ProtocolError: CodedError {
    /// What went wrong: see the codes in the extension below.
    public typealias Code = ErrorCode<ProtocolError>

    /// What went wrong.
    public var code: Code
    /// What was wrong with the line, for the peer's log and its user.
    public var message: String
    /// The error underneath (a store failure behind `internal`), which never goes on the wire.
    public var cause: ErrorCause?

    /// Creates a protocol error.
    public init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause.map(ErrorCause.init)
    }

    public var description: String { "\(code) \(message)" }
}

extension ErrorCode<ProtocolError> {
    /// An op line that does not follow the op grammar or is not in canonical form.
    public static var malformedOp: Self { "malformed-op" }
    /// A line that is not a message of the protocol, or arrives when it is not expected.
    public static var malformedLine: Self { "malformed-line" }
    /// A line longer than the limit.
    public static var lineTooLong: Self { "line-too-long" }
    /// A batch header announcing more ops than the limit, or a count that does not match.
    public static var badCount: Self { "bad-count" }
    /// A message larger than the limit on its size, compressed or not.
    public static var tooLarge: Self { "too-large" }
    /// A deflate stream that is corrupt, or has bytes after its end.
    public static var badDeflate: Self { "bad-deflate" }
    /// The peer speaks a protocol version this replica does not.
    public static var version: Self { "version" }
    /// The token is wrong, unknown or revoked.
    public static var unauthorized: Self { "unauthorized" }
    /// An op lies outside the scopes the token may write.
    public static var outOfScope: Self { "out-of-scope" }
    /// An op was written by another replica or another worker than the connection's.
    public static var wrongWriter: Self { "wrong-writer" }
    /// A batch holds the same op twice.
    public static var duplicateOp: Self { "duplicate-op" }
    /// An op was refused by the merge rules (invalid value, clock too far ahead...).
    public static var refused: Self { "refused" }
    /// An op id the server holds already, with other content: a copied or restored data folder.
    public static var reusedID: Self { "reused-id" }
    /// An op names parents it cannot have been written on top of, or skips its writer's previous op.
    public static var badParents: Self { "bad-parents" }
    /// The server's disk is full: nothing of the batch was stored, and the client may still pull.
    public static var diskFull: Self { "disk-full" }
    /// The peer sent nothing for too long, or did not finish the handshake in time.
    public static var timeout: Self { "timeout" }
    /// The server is shutting down, full, or holds as many unfinished messages as its memory
    /// allows: sync again later.
    public static var unavailable: Self { "unavailable" }
    /// The client's address, or its worker's token, has as many connections open as allowed.
    public static var tooManyConnections: Self { "too-many-connections" }
    /// Too many wrong tokens came from the client's address: wait before trying again.
    public static var tooManyFailures: Self { "too-many-failures" }
    /// A file is larger than the receiver takes (gridsync/4).
    public static var fileTooLarge: Self { "file-too-large" }
    /// A file the receiver does not hold, or that no record the client may read (or write)
    /// names (gridsync/4).
    public static var fileUnknown: Self { "file-unknown" }
    /// A file's bytes do not hash to its id: what arrived of it is dropped (gridsync/4).
    public static var fileCorrupt: Self { "file-corrupt" }
    /// The replica could not store or read what it was asked to.
    public static var `internal`: Self { "internal" }

    /// Whether the connection is closed after this error (see PROTOCOL.md, "Errors").
    public var isFatal: Bool {
        ![
            .outOfScope, .wrongWriter, .duplicateOp, .refused, .reusedID, .badParents, .diskFull, .fileTooLarge,
            .fileUnknown, .fileCorrupt,
        ].contains(self)
    }

    /// Every code this version defines, in the order of PROTOCOL.md's table.
    public static var all: [Self] {
        [
            .malformedLine, .malformedOp, .lineTooLong, .badCount, .tooLarge, .badDeflate, .version, .unauthorized,
            .outOfScope, .wrongWriter, .duplicateOp, .refused, .reusedID, .badParents, .diskFull, .timeout,
            .unavailable,
            .tooManyConnections, .tooManyFailures, .fileTooLarge, .fileUnknown, .fileCorrupt, .internal,
        ]
    }
}
