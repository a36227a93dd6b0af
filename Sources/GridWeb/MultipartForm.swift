import Foundation

/// A `multipart/form-data` body (RFC 7578): a form with files, as a browser sends it when a
/// form has `enctype="multipart/form-data"`. Text fields are read as UTF-8; files keep their
/// bytes and the name the browser gave.
public struct MultipartForm: Sendable {
    /// One file of the form.
    public struct File: Sendable {
        /// The form field it came in.
        public let field: String
        /// Its name on the sender's disk, as the browser gave it.
        public let fileName: String
        public let data: Data
    }

    /// The text fields, as a ``FormBody`` reads them.
    public let fields: FormBody
    /// The files chosen, in order; a file input left empty sends none.
    public let files: [File]

    /// The form in `body`, whose `Content-Type` is `contentType`; `nil` if it is not
    /// `multipart/form-data` with a boundary, or does not follow it.
    public init?(_ body: Data, contentType: String) {
        guard contentType.lowercased().hasPrefix("multipart/form-data"),
            let boundaryPart = contentType.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) })
                .first(where: { $0.lowercased().hasPrefix("boundary=") })
        else { return nil }
        let boundary = boundaryPart.dropFirst("boundary=".count).trimmingCharacters(
            in: CharacterSet(charactersIn: "\""))
        guard !boundary.isEmpty else { return nil }
        let delimiter = Data("--\(boundary)".utf8)
        var texts: [(String, String)] = []
        var files: [File] = []
        var cursor = body.startIndex
        guard let first = body.range(of: delimiter, in: cursor..<body.endIndex) else { return nil }
        cursor = first.upperBound
        while true {
            // After a delimiter: "--" ends the body; else CRLF, the part's headers, a blank line, its bytes.
            if body[cursor...].starts(with: Data("--".utf8)) { break }
            guard body[cursor...].starts(with: Data("\r\n".utf8)) else { return nil }
            cursor += 2
            guard let headersEnd = body.range(of: Data("\r\n\r\n".utf8), in: cursor..<body.endIndex),
                let next = body.range(of: Data("\r\n".utf8) + delimiter, in: headersEnd.upperBound..<body.endIndex)
            else { return nil }
            let headers = String(decoding: body[cursor..<headersEnd.lowerBound], as: UTF8.self)
            let content = body[headersEnd.upperBound..<next.lowerBound]
            cursor = next.upperBound
            guard
                let disposition = headers.split(separator: "\r\n")
                    .first(where: { $0.lowercased().hasPrefix("content-disposition:") }),
                let name = Self.parameter("name", in: disposition)
            else { continue }
            if let fileName = Self.parameter("filename", in: disposition) {
                if !fileName.isEmpty || !content.isEmpty {
                    files.append(File(field: name, fileName: fileName, data: Data(content)))
                }
            } else {
                texts.append((name, String(decoding: content, as: UTF8.self)))
            }
        }
        fields = FormBody(pairs: texts)
        self.files = files
    }

    /// A parameter of a `Content-Disposition` header (`name="title"`), unquoted.
    private static func parameter(_ name: String, in header: Substring) -> String? {
        for part in header.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            let pieces = part.split(separator: "=", maxSplits: 1)
            guard pieces.count == 2, pieces[0].lowercased() == name else { continue }
            var value = String(pieces[1])
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 {
                value = String(value.dropFirst().dropLast())
            }
            return value.replacingOccurrences(of: "\\\"", with: "\"")
        }
        return nil
    }
}
