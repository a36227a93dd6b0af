import ArgumentParser
import Foundation
import GridModel

/// How GridSync's programs run their command line: like ArgumentParser's own `main()`, but
/// with `--json` every refusal is written as JSON on standard error,
/// `{"error":{"code":…,"message":…}}`, so that scripts can tell refusals apart by their stable
/// code: a refusal by GridSync itself (a ``CodedError``) with its code and exit status 1, and a
/// command line that does not parse with the code `usage` and exit status 64.
public enum CommandMain {
    /// Parses the arguments as `Root`, runs the command, and exits.
    ///
    /// Every file and folder the program makes is its user's only (umask 077), whatever the
    /// caller's umask: replicas, exports and backups hold residents' records.
    public static func run<Root: AsyncParsableCommand>(_ root: Root.Type) async -> Never {
        umask(0o077)
        do {
            var command = try await Root.asyncParseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            Foundation.exit(0)
        } catch {
            if wantsJSON(CommandLine.arguments), let refusal = refusal(error, of: Root.self) {
                let document = ["error": ["code": refusal.code, "message": refusal.message]]
                if let data = try? JSONSerialization.data(
                    withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])
                {
                    StandardStream.error.write(String(decoding: data, as: UTF8.self) + "\n")
                    Foundation.exit(refusal.status)
                }
            }
            Root.exit(withError: error)
        }
    }

    /// `error` as `--json` shows it: a GridSync refusal, or a command line ArgumentParser could
    /// not take (`usage`); `nil` for `--help` and `--version`, which are not refusals.
    static func refusal<Root: ParsableCommand>(_ error: any Error, of root: Root.Type)
        -> (code: String, message: String, status: Int32)?
    {
        if let refusal = error as? any CodedError { return (refusal.shownCode, refusal.description, 1) }
        let status = Root.exitCode(for: error)
        guard status == .validationFailure else { return nil }
        return ("usage", Root.message(for: error), status.rawValue)
    }

    /// Whether the command line asks for JSON: `--json`, or `--format json`.
    static func wantsJSON(_ arguments: [String]) -> Bool {
        arguments.contains("--json") || arguments.contains("--format=json")
            || zip(arguments, arguments.dropFirst()).contains { $0 == "--format" && $1 == "json" }
    }
}
