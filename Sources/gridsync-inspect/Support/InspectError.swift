/// Something `gridsync-inspect` cannot do; nothing was written.
///
/// New codes may be added; match on ``code``.
struct InspectError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable, machine-readable kind of refusal, as shown with `--json`.
    struct Code: RawRepresentable, Hashable, Sendable {
        let rawValue: String

        /// The field is not in conflict.
        static let noConflict = Code(rawValue: "no-conflict")
        /// `--pick` names none of the competing values.
        static let badPick = Code(rawValue: "bad-pick")
        /// `--as` names no office account that may write the record.
        static let notAllowed = Code(rawValue: "not-allowed")
        /// The command needs the daemon's data folder.
        static let needsDaemon = Code(rawValue: "needs-daemon")
    }

    var code: Code
    var message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    var description: String { message }
}
