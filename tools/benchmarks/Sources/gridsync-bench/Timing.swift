/// Seconds taken by `body`.
func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = ContinuousClock.now
    try body()
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

/// Seconds taken by `body`, which may suspend.
func seconds(_ body: () async throws -> Void) async rethrows -> Double {
    let start = ContinuousClock.now
    try await body()
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
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
