/// One line of the suite's table: a measurement, the baseline measured in the same run,
/// their ratio, and the target it should meet.
struct Figure {
    let name: String
    /// The measurement, with its unit.
    let measured: String
    /// The baseline, with its unit ("-" when the figure has none).
    let baseline: String
    /// The ratio to the baseline, if there is one.
    let ratio: Double?
    /// The target, as text (`≥ 0.5`, `≤ 1.25`, `< 1 s`), if there is one.
    let target: String?
    /// Whether the target holds.
    let met: Bool?

    /// The Markdown row.
    var row: String {
        let verdict = met.map { $0 ? "met" : "**not met**" } ?? "-"
        return
            "| \(name) | \(measured) | \(baseline) | \(ratio.map(twoDecimals) ?? "-") | \(target ?? "-") | \(verdict) |"
    }

    static let header = """
        | figure | measured | baseline (same run) | ratio | target | |
        |---|---:|---:|---:|---:|---|
        """
}
