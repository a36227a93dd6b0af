import Foundation
import GridMerge
import GridModel
import GridStore
import GridTesting

/// The monthly report on a year of the example street, as the office runs it: `gridsync-inspect report` on the
/// daemon's folder, its wall time and peak memory, against `gridsync-inspect conflicts --summary` on the same folder
/// (the same program starting, opening the same store and counting its open conflicts) in the same run.
///
/// The year is written as the simulator's laptops write it (4 visits a worker a day, a demand every 4.6 days, the
/// office's projects), but straight into the daemon's store, a day's ops at a time, so that it takes seconds instead
/// of the simulator's quarter of an hour of syncs: the report reads the same tables either way.
enum ReportBenchmark {
    struct Settings {
        var days = 365
        var visitsPerDay = 4
        var seed: UInt64 = 20_261_130
        /// The month reported on.
        var month = "2026-11"
    }

    /// Measures the report on `folder`, or on a year written first by another `gridsync-bench` process (`year`), so
    /// that the memory of writing it is never counted in the report's: a spawned program's peak memory includes its
    /// parent's, which it starts in.
    static func run(_ settings: Settings, inspect: URL, folder given: URL?) async throws -> [Figure] {
        let folder =
            given ?? FileManager.default.temporaryDirectory.appendingPathComponent("gridsync-year-\(UUID().uuidString)")
        defer { if given == nil { try? FileManager.default.removeItem(at: folder) } }
        if given == nil {
            let bench = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            let written = try MeasuredProcess.run(
                bench, ["year", "--out", folder.path, "--days", String(settings.days)], output: .inherit)
            print(String(format: "  written in %.1f s", written.seconds))
        }
        let database = folder.appendingPathComponent("replica.sqlite")
        let size = (try? FileManager.default.attributesOfItem(atPath: database.path)[.size] as? Int) ?? 0
        print(String(format: "  the store: %.0f MB", Double(size) / 1e6))
        let own = ProcessInfo.processInfo.peakResidentBytes
        print(String(format: "  (this process's own peak, which every program it starts counts too: %.0f MB)", Double(own) / 1_048_576))

        let environment = ["TZ": "Asia/Shanghai"]
        func best(_ arguments: [String]) throws -> MeasuredProcess {
            // The first run reads the file into the page cache; the best of three after it.
            _ = try MeasuredProcess.run(inspect, arguments + ["--data", folder.path], environment: environment)
            return try (0..<3).map { _ in
                try MeasuredProcess.run(inspect, arguments + ["--data", folder.path], environment: environment)
            }.min { $0.seconds < $1.seconds }!
        }
        let status = try best(["conflicts", "--summary"])
        var figures: [Figure] = []
        print("gridsync-inspect on that folder (best of 3, after a first run):")
        print(String(format: "  conflicts --summary: %.2f s, peak %.0f MB", status.seconds, Double(status.peakBytes) / 1_048_576))
        for format in ["text", "html", "csv", "json"] {
            let report = try best(["report", "--month", settings.month, "--format", format])
            print(
                String(
                    format: "  report --format %-5@ %.2f s, peak %.0f MB, %d bytes", format + ":" as NSString, report.seconds,
                    Double(report.peakBytes) / 1_048_576, report.outputBytes))
            guard format == "html" else { continue }
            let megabytes = Double(report.peakBytes) / 1_048_576
            figures.append(
                Figure(
                    name: "monthly report (HTML) on a year of the street: time",
                    measured: String(format: "%.2f s", report.seconds),
                    baseline: String(format: "%.2f s `conflicts --summary`", status.seconds), ratio: report.seconds / status.seconds,
                    target: "< 2 s", met: report.seconds < 2))
            figures.append(
                Figure(
                    name: "monthly report (HTML) on a year of the street: peak memory",
                    measured: String(format: "%.0f MB", megabytes),
                    baseline: String(format: "%.0f MB `conflicts --summary`", Double(status.peakBytes) / 1_048_576),
                    ratio: Double(report.peakBytes) / Double(status.peakBytes), target: "< 100 MB",
                    met: megabytes < 100))
        }
        return figures
    }
}
