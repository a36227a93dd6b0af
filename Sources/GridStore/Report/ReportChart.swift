import Foundation

/// A horizontal bar chart drawn as inline SVG, for the HTML report: one row per item, one bar per series (side by
/// side), each bar labelled with its value. It scales to the page's width and needs no script, font or network.
struct ReportChart {
    /// One series of bars: its name in the legend, its colour, and how its values are written.
    struct Series {
        var name: String
        var color: String
        var format: (Double) -> String = MonthlyReport.number
    }

    /// One row: its label and one value per series.
    struct Row {
        var label: String
        var values: [Double]
    }

    var title: String
    var series: [Series]
    var rows: [Row]
    /// The value of a full bar: the largest value by default.
    var scale: Double?
    /// A value marked by a dashed line across the chart, with its label (a target, a commitment).
    var marker: (value: Double, label: String)?

    private static let width = 640.0
    private static let labelWidth = 150.0
    private static let valueWidth = 70.0
    private static let barHeight = 12.0
    private static let rowGap = 8.0
    private static let legendHeight = 22.0

    /// The chart as an `<svg>` element, with a `<title>` for screen readers.
    var svg: String {
        let barArea = Self.width - Self.labelWidth - Self.valueWidth
        let largest = rows.flatMap(\.values).max() ?? 0
        let full = max(scale ?? largest, marker?.value ?? 0, 1)
        let rowHeight = Double(series.count) * Self.barHeight + Self.rowGap
        let height = Self.legendHeight + Double(rows.count) * rowHeight + 4
        var parts: [String] = []
        parts.append(
            "<svg class=\"chart\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Self.width) \(height)\" "
                + "width=\"100%\" aria-label=\"\(HTMLText.escape(title))\"><title>\(HTMLText.escape(title))</title>")
        var legendX = Self.labelWidth
        for entry in series {
            parts.append(
                "<rect x=\"\(legendX)\" y=\"4\" width=\"10\" height=\"10\" fill=\"\(entry.color)\"/>"
                    + "<text x=\"\(legendX + 14)\" y=\"13\" class=\"legend\">\(HTMLText.escape(entry.name))</text>")
            legendX += 24 + Double(entry.name.count) * 12
        }
        for (index, row) in rows.enumerated() {
            let top = Self.legendHeight + Double(index) * rowHeight
            let middle = top + Double(series.count) * Self.barHeight / 2 + 4
            parts.append(
                "<text x=\"\(Self.labelWidth - 6)\" y=\"\(Self.coordinate(middle))\" class=\"label\" text-anchor=\"end\">"
                    + "\(HTMLText.escape(Self.shortened(row.label)))</text>")
            for (position, entry) in series.enumerated() where position < row.values.count {
                let value = row.values[position]
                let length = barArea * min(value, full) / full
                let y = top + Double(position) * Self.barHeight
                parts.append(
                    "<rect x=\"\(Self.labelWidth)\" y=\"\(Self.coordinate(y))\" width=\"\(Self.coordinate(length))\" "
                        + "height=\"\(Self.barHeight - 2)\" fill=\"\(entry.color)\"/>"
                        + "<text x=\"\(Self.coordinate(Self.labelWidth + length + 4))\" y=\"\(Self.coordinate(y + Self.barHeight - 3))\" "
                        + "class=\"value\">\(HTMLText.escape(entry.format(value)))</text>")
            }
        }
        if let marker {
            let x = Self.labelWidth + barArea * marker.value / full
            parts.append(
                "<line x1=\"\(Self.coordinate(x))\" y1=\"\(Self.legendHeight - 4)\" x2=\"\(Self.coordinate(x))\" "
                    + "y2=\"\(Self.coordinate(height))\" class=\"marker\"/>"
                    + "<text x=\"\(Self.coordinate(x - 4))\" y=\"13\" class=\"legend\" text-anchor=\"end\">"
                    + "\(HTMLText.escape(marker.label))</text>")
        }
        parts.append("</svg>")
        return parts.joined()
    }

    private static func coordinate(_ value: Double) -> String {
        String(format: "%.1f", value)
    }

    /// A label cut to fit its column (12 characters of Chinese, about).
    private static func shortened(_ label: String) -> String {
        label.count <= 12 ? label : String(label.prefix(11)) + "…"
    }
}
