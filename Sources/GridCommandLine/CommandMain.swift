import ArgumentParser
import Foundation
import GridModel

/// How GridSync's programs run their command line: like ArgumentParser's own `main()`, but
/// with `--json` a refusal by GridSync itself (a ``CodedError``, not a usage error) is also
/// written as JSON on standard error, `{"error":{"code":…,"message":…}}`, so that scripts can
/// tell refusals apart by their stable code.
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
            if wantsJSON(CommandLine.arguments), let refusal = error as? any CodedError {
                let document = ["error": ["code": refusal.shownCode, "message": refusal.description]]
                if let data = try? JSONSerialization.data(
                    withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])
                {
                    StandardStream.error.write(String(decoding: data, as: UTF8.self) + "\n")
                    Foundation.exit(1)
                }
            }
            Root.exit(withError: error)
        }
    }

    /// Whether the command line asks for JSON: `--json`, or `--format json`.
    static func wantsJSON(_ arguments: [String]) -> Bool {
        arguments.contains("--json") || arguments.contains("--format=json")
            || zip(arguments, arguments.dropFirst()).contains { $0 == "--format" && $1 == "json" }
    }
}
