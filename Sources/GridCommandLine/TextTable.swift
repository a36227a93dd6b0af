/// A plain-text table whose columns line up in a terminal, Chinese text included.
///
/// Chinese characters take two terminal columns, so columns are padded by display width,
/// not by character count.
public struct TextTable: Sendable {
    /// The column headers.
    public let headers: [String]
    /// The rows, one cell per column.
    public var rows: [[String]] = []

    /// Creates a table with headers and rows.
    public init(headers: [String], rows: [[String]] = []) {
        self.headers = headers
        self.rows = rows
    }

    /// The table's text, one line per row after a header line, no trailing spaces.
    public func render() -> String {
        let widths = headers.indices.map { column in
            ([headers[column]] + rows.map { $0[column] }).map(Self.displayWidth).max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            var text = ""
            for (column, cell) in cells.enumerated() {
                text += cell
                if column < cells.count - 1 {
                    text += String(repeating: " ", count: widths[column] - Self.displayWidth(cell) + 2)
                }
            }
            while text.last == " " { text.removeLast() }
            return text
        }
        return ([line(headers)] + rows.map(line)).joined(separator: "\n")
    }

    /// The number of terminal columns `text` takes: two for East Asian wide and full-width
    /// characters, none for combining marks, one otherwise.
    public static func displayWidth(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { width, scalar in
            switch scalar.value {
            case 0x0300...0x036F, 0x200B...0x200F, 0xFE00...0xFE0F: width
            case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
                0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
                0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD:
                width + 2
            default: width + 1
            }
        }
    }

    /// `text` cut to at most `width` display columns, with `…` if it was cut.
    public static func truncated(_ text: String, to width: Int) -> String {
        let singleLine = text.replacingOccurrences(of: "\n", with: " ")
        guard displayWidth(singleLine) > width else { return singleLine }
        var result = ""
        for character in singleLine {
            if displayWidth(result + String(character)) > width - 1 { break }
            result.append(character)
        }
        return result + "…"
    }
}
