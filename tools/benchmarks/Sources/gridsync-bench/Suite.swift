import Foundation

/// Puts the suite's table into `docs/BENCHMARKS.md`, between its two markers.
enum Suite {
    static let begin = "<!-- suite:begin -->"
    static let end = "<!-- suite:end -->"

    /// Writes `table`, measured by `tools/bench` with `options` (its simulator's, as given).
    static func write(_ table: String, options: [String], into path: String) throws {
        var text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        let day = Date().formatted(.iso8601.year().month().day())
        let command = (["tools/bench"] + options).joined(separator: " ")
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let section = "\(begin)\nMeasured \(day) with `\(command)` (\(cores) cores):\n\n\(table)\n\(end)"
        if let start = text.range(of: begin), let stop = text.range(of: end, range: start.upperBound..<text.endIndex) {
            text.replaceSubrange(start.lowerBound..<stop.upperBound, with: section)
        } else {
            text += "\n\n## The suite\n\n" + section + "\n"
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
