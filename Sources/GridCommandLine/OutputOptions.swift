import ArgumentParser
import Foundation

/// `--json`, for scripts.
public struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print JSON instead of a table or text, for scripts.")
    public var json = false

    public init() {}

    /// Pretty, sorted JSON of any encodable value.
    public static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
