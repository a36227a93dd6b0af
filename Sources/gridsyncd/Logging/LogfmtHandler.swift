import Foundation
import GridCommandLine
import Logging

/// Writes log records to standard error as logfmt lines (`time=… level=… msg="…" key=value`),
/// one record per line, easy to grep and to parse. Under systemd (when `JOURNAL_STREAM` is
/// set) each line starts with its syslog priority (`<4>`), so that `journalctl -p warning`
/// filters by level.
struct LogfmtHandler: LogHandler {
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    private let label: String
    private let journal: Bool

    init(label: String, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.label = label
        self.journal = environment["JOURNAL_STREAM"] != nil
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields = metadata
        if let extra = event.metadata { fields.merge(extra) { _, new in new } }
        var line = journal ? "<\(Self.priority(event.level))>" : ""
        if !journal {
            line += "time=\(Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(Date())) "
        }
        line += "level=\(event.level.rawValue) msg=\(Self.quoted("\(event.message)"))"
        for key in fields.keys.sorted() {
            line += " \(key)=\(Self.quoted("\(fields[key]!)"))"
        }
        StandardStream.error.write(line + "\n")
    }

    /// The value as is if it needs no quotes, else quoted with `"` and `\` escaped.
    static func quoted(_ value: String) -> String {
        let plain =
            !value.isEmpty
            && value.unicodeScalars.allSatisfy { $0.value > 0x20 && $0 != "\"" && $0 != "=" && $0 != "\\" }
        guard !plain else { return value }
        var escaped = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\t": escaped += "\\t"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return "\"\(escaped)\""
    }

    /// The syslog priority of a level (what journald reads from a `<N>` prefix).
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }
}
