import GridMerge

/// A replica store that cannot do what was asked; nothing was written.
///
/// Every message says what was wrong and what to do next. New codes may be added; match on
/// ``code``, not on the message.
public struct StoreError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable, machine-readable kind of store failure.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The stable text of the code, as shown in `--json` output.
        public let rawValue: String

        /// Creates a code from its stable text.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The folder holds no replica.
        public static let notAReplica = Code(rawValue: "not-a-replica")
        /// The folder already holds a replica.
        public static let alreadyExists = Code(rawValue: "already-exists")
        /// The database file is damaged or is not a GridSync database.
        public static let corrupt = Code(rawValue: "corrupt")
        /// The database file or its folder cannot be written.
        public static let readOnly = Code(rawValue: "read-only")
        /// The replica was made or upgraded by a newer GridSync.
        public static let newerVersion = Code(rawValue: "newer-version")
        /// Another process held the replica for too long.
        public static let busy = Code(rawValue: "busy")
        /// No record has this id (or id prefix).
        public static let unknownRecord = Code(rawValue: "unknown-record")
        /// Several records start with this id prefix.
        public static let ambiguousRecord = Code(rawValue: "ambiguous-record")
        /// The edit or op was refused by the merge rules; ``StoreError/merge`` says why.
        public static let refused = Code(rawValue: "refused")
        /// The record lies outside the grids this replica works in.
        public static let outOfScope = Code(rawValue: "out-of-scope")
        /// The replica took a new identity (in another process) since it was opened.
        public static let identityChanged = Code(rawValue: "identity-changed")
        /// SQLite failed in a way GridSync does not know how to explain.
        public static let database = Code(rawValue: "database")

        public var description: String { rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// A one-line explanation that says what to do.
    public var message: String
    /// The merge core's reason, for ``Code/refused``.
    public var merge: MergeError?

    /// Creates a store error.
    public init(_ code: Code, _ message: String, merge: MergeError? = nil) {
        self.code = code
        self.message = message
        self.merge = merge
    }

    public var description: String { message }
}
