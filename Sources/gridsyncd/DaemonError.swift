/// Something the daemon or one of its commands cannot do, with what to do instead.
///
/// New codes may be added; match on ``code``.
struct DaemonError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable, machine-readable kind of failure, as shown with `--json`.
    struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        let rawValue: String

        /// A configuration value (file, environment or flag) that cannot be used.
        static let badConfiguration = Code(rawValue: "bad-configuration")
        /// The daemon could not listen on its address.
        static let cannotListen = Code(rawValue: "cannot-listen")
        /// Another daemon serves the data folder.
        static let folderInUse = Code(rawValue: "folder-in-use")
        /// A backup to restore is missing, or is not the daemon's.
        static let badBackup = Code(rawValue: "bad-backup")

        var description: String { rawValue }
    }

    /// What went wrong.
    var code: Code
    /// What was wrong and what to do.
    var message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    var description: String { message }
}
