import Foundation

/// Seconds taken by `body`.
func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = ContinuousClock.now
    try body()
    let elapsed = ContinuousClock.now - start
    return elapsed.seconds
}

/// Seconds taken by `body`, which may suspend.
func seconds(_ body: () async throws -> Void) async rethrows -> Double {
    let start = ContinuousClock.now
    try await body()
    let elapsed = ContinuousClock.now - start
    return elapsed.seconds
}

/// The best of `rounds` timings of `body`, in seconds.
func bestTime(rounds: Int = 3, _ body: () throws -> Void) rethrows -> Double {
    var best = Double.infinity
    for _ in 0..<rounds { best = min(best, try seconds(body)) }
    return best
}

/// A number with two decimals, for ratios.
func twoDecimals(_ value: Double) -> String {
    String(Double(Int((value * 100).rounded())) / 100)
}

/// A Markdown table row.
func row(_ cells: [String]) -> String {
    "| " + cells.joined(separator: " | ") + " |"
}

/// The CPU seconds (user and system) a process has used so far, from `/proc/<pid>/stat`.
func cpuSeconds(ofProcess pid: Int32) -> Double {
    let path = pid == getpid() ? "/proc/self/stat" : "/proc/\(pid)/stat"
    guard let stat = try? String(contentsOfFile: path, encoding: .utf8),
        let afterName = stat.range(of: ") ", options: .backwards)
    else { return 0 }
    // Fields after the command's name start at the third (state); utime and stime are the 14th and 15th.
    let fields = stat[afterName.upperBound...].split(separator: " ")
    guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
    return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
}

/// Prints a Markdown table of ways to do the same work on `ops` ops: each one's seconds,
/// ops/s, and speed as a ratio to the first way's (the baseline).
func printRates(of ways: [(name: String, seconds: Double)], ops: Int, kind: String, baseline: String) {
    guard let first = ways.first else { return }
    print(row([kind, "seconds", "ops/s", "ratio to \(baseline)"]))
    print("|---|---:|---:|---:|")
    for way in ways {
        print(
            row([
                way.name, String(format: "%.2f", way.seconds), String(Int(Double(ops) / way.seconds)),
                twoDecimals(first.seconds / way.seconds),
            ]))
    }
}
