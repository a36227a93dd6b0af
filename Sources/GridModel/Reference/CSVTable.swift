/// The rows of a CSV file as Excel, WPS and LibreOffice save it (RFC 4180): fields separated by commas, quoted with
/// `"` when they hold a comma, a quote or a line end (a quote inside doubled), rows ended by CRLF or LF, and a UTF-8
/// byte-order mark in front, which is skipped.
public struct CSVTable: Hashable, Sendable {
    /// The first row.
    public let header: [String]
    /// The rows after it, each with its line number in the file (1 is the header's), blank rows left out.
    public let rows: [(line: Int, fields: [String])]

    /// Reads `text`; `file` names it in errors.
    ///
    /// - Throws: ``ValidationError`` (`bad-format`) for a quote that is never closed, text right after a closing
    ///   quote, or a file with no header.
    public init(_ text: String, file: String) throws(ValidationError) {
        var records: [(line: Int, fields: [String])] = []
        var fields: [String] = []
        var field = ""
        var line = 1
        var recordLine = 1
        var quoted = false
        var afterQuote = false
        var scalars = Substring(text).unicodeScalars[...]
        if scalars.first == "\u{FEFF}" { scalars = scalars.dropFirst() }
        var iterator = scalars.makeIterator()
        var pending = iterator.next()
        func endRecord() {
            fields.append(field)
            if !(fields.count == 1 && fields[0].isEmpty) { records.append((recordLine, fields)) }
            fields = []
            field = ""
            afterQuote = false
        }
        while let scalar = pending {
            pending = iterator.next()
            if quoted {
                if scalar == "\"" {
                    if pending == "\"" {
                        field.unicodeScalars.append("\"")
                        pending = iterator.next()
                    } else {
                        quoted = false
                        afterQuote = true
                    }
                } else {
                    if scalar == "\n" { line += 1 }
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case ",":
                fields.append(field)
                field = ""
                afterQuote = false
            case "\r" where pending == "\n":
                continue
            case "\n", "\r":
                endRecord()
                line += 1
                recordLine = line
            case "\"" where field.isEmpty && !afterQuote:
                quoted = true
            default:
                guard !afterQuote else {
                    throw ValidationError(
                        .badFormat, field: "\(file) line \(line)", value: String(scalar),
                        allowed: "a comma or the end of the row after a closing quote")
                }
                field.unicodeScalars.append(scalar)
            }
        }
        guard !quoted else {
            throw ValidationError(
                .badFormat, field: "\(file) line \(recordLine)", value: nil,
                allowed: "a closing quote \" for the field opened on that line")
        }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        guard let first = records.first else {
            throw ValidationError(.missingRequired, field: file, value: nil, allowed: "a header row and rows under it")
        }
        header = first.fields.map { $0.trimmingWhitespace }
        rows = Array(records.dropFirst())
    }

    public static func == (lhs: CSVTable, rhs: CSVTable) -> Bool {
        lhs.header == rhs.header && lhs.rows.map(\.line) == rhs.rows.map(\.line)
            && lhs.rows.map(\.fields) == rhs.rows.map(\.fields)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(header)
        for row in rows { hasher.combine(row.fields) }
    }
}

extension String {
    /// The text without whitespace at either end.
    var trimmingWhitespace: String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[start...end])
    }
}
