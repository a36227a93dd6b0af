import GridMerge
import GridModel

/// A replica store that cannot do what was asked; nothing was written.
///
/// Every message says what was wrong and what to do next. New codes may be added; match on
/// ``code``, not on the message.
public struct StoreError: CodedError {
    /// What went wrong: see the codes in the extension below.
    public typealias Code = ErrorCode<StoreError>

    /// What went wrong.
    public var code: Code
    /// A one-line explanation that says what to do.
    public var message: String
    /// The error underneath: the merge core's reason for ``Code/refused``, or SQLite's own
    /// error (with its extended result code) for the database's failures.
    public var cause: ErrorCause?

    /// The merge core's reason, for ``Code/refused``.
    public var merge: MergeError? { cause?.error as? MergeError }

    /// Creates a store error.
    public init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause.map(ErrorCause.init)
    }
}

extension ErrorCode<StoreError> {
    /// The disk holding the replica is full: nothing was written.
    public static var diskFull: Self { "disk-full" }
    /// The folder holds no replica.
    public static var notAReplica: Self { "not-a-replica" }
    /// The folder already holds a replica.
    public static var alreadyExists: Self { "already-exists" }
    /// The database file is damaged or is not a GridSync database.
    public static var corrupt: Self { "corrupt" }
    /// The database file or its folder cannot be written.
    public static var readOnly: Self { "read-only" }
    /// The replica was made or upgraded by a newer GridSync.
    public static var newerVersion: Self { "newer-version" }
    /// Another process held the replica for too long.
    public static var busy: Self { "busy" }
    /// No record has this id (or id prefix).
    public static var unknownRecord: Self { "unknown-record" }
    /// Several records start with this id prefix.
    public static var ambiguousRecord: Self { "ambiguous-record" }
    /// The edit or op was refused by the merge rules; ``StoreError/merge`` says why.
    public static var refused: Self { "refused" }
    /// The record lies outside the grids this replica works in.
    public static var outOfScope: Self { "out-of-scope" }
    /// The replica took a new identity (in another process) since it was opened.
    public static var identityChanged: Self { "identity-changed" }
    /// The database cannot be reached (PostgreSQL restarting, or the network to it down):
    /// nothing was written; the same request succeeds once it is back.
    public static var unavailable: Self { "unavailable" }
    /// The server's op log ends before what was read of it already, under the same server
    /// id: it was put back from a backup without `gridsyncd restore`, which laptops need in
    /// order to give back what it lost.
    public static var logWentBack: Self { "log-went-back" }
    /// The database (SQLite or PostgreSQL) failed in a way GridSync does not know how to explain.
    public static var database: Self { "database" }
    /// A file is larger than the limit for one file, or a record would name more files than
    /// its limit: nothing was stored.
    public static var fileTooLarge: Self { "file-too-large" }
    /// A file to attach cannot be read (missing, a folder, no permission).
    public static var fileUnreadable: Self { "file-unreadable" }
    /// A file a record names is not on this laptop (yet): it comes with a sync.
    public static var fileMissing: Self { "file-missing" }
}
