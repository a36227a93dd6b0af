import Foundation

/// A CSV cell that spreadsheets read as the text it is (RFC 4180 quoting), and never run as a
/// formula: Excel, WPS and LibreOffice treat a cell starting with `=`, `+`, `-` or `@` (or a
/// tab or carriage return before one) as a formula, so a title such as `=HYPERLINK(…)`
/// typed in the field would become a live link in the office. Such a cell is written with
/// a leading `'`, which the spreadsheet shows as text. Numbers, negative ones included,
/// stay numbers.
public enum SpreadsheetCell {
    /// `text` as a cell.
    public static func csv(_ text: String) -> String {
        quoted(guarded(text))
    }

    /// `text`, with a `'` in front if a spreadsheet would take it for a formula.
    public static func guarded(_ text: String) -> String {
        guard let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first),
            !isNumber(text)
        else { return text }
        return "'" + text
    }

    /// Quoted when it holds a comma, a quote or a line break.
    public static func quoted(_ cell: String) -> String {
        guard cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else {
            return cell
        }
        return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// `cell` as written by ``guarded(_:)``, read back: the `'` in front of a would-be formula taken off.
    public static func unguarded(_ cell: String) -> String {
        guard cell.hasPrefix("'"), guarded(String(cell.dropFirst())) == cell else { return cell }
        return String(cell.dropFirst())
    }

    /// A line of cells, ended by CRLF as spreadsheets write them.
    public static func row(_ cells: [String]) -> String {
        cells.map(csv).joined(separator: ",") + "\r\n"
    }

    /// A plain decimal number, such as `-500` or `3500.50`.
    private static func isNumber(_ text: String) -> Bool {
        var digits = Substring(text)
        if digits.first == "-" || digits.first == "+" { digits = digits.dropFirst() }
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        return (1...2).contains(parts.count) && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }
    }
}
