import Foundation
import GridModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The text of a CSV file that the office saved from Excel or WPS: UTF-8 (with or without a
/// byte-order mark, as "CSV UTF-8" saves it), or GB18030, which takes in the GBK that plain
/// "CSV" saves on a Chinese Windows.
public struct SpreadsheetFile: Sendable {
    /// The file's text.
    public let text: String
    /// The encoding it was read in: `UTF-8` or `GB18030`.
    public let encoding: String

    /// Reads the file at `path`.
    ///
    /// - Throws: ``SpreadsheetFileError`` if it cannot be read, or is neither UTF-8 nor GB18030.
    public init(path: String) throws(SpreadsheetFileError) {
        let bytes: [UInt8]
        do {
            bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw SpreadsheetFileError(
                .unreadable, "cannot read \(path) (\(error.localizedDescription)): check the path", cause: error)
        }
        try self.init(bytes: bytes, name: path)
    }

    /// Reads a file's bytes; `name` is how errors call the file.
    public init(bytes: [UInt8], name: String) throws(SpreadsheetFileError) {
        let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
        if let text = String(validating: body, as: UTF8.self) {
            self.text = text
            encoding = "UTF-8"
        } else if let text = Self.gb18030(body) {
            self.text = text
            encoding = "GB18030"
        } else {
            throw SpreadsheetFileError(
                .encoding,
                "\(name) is neither UTF-8 nor GBK text: open it in Excel or WPS and save it again as "
                    + "\"CSV UTF-8 (逗号分隔)\"")
        }
    }

    /// `bytes` decoded from GB18030 (a superset of GBK and GB2312) by the C library's iconv, or
    /// `nil` if they are not valid GB18030.
    private static func gb18030(_ bytes: [UInt8]) -> String? {
        let converter = iconv_open("UTF-8", "GB18030")
        guard converter != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(converter) }
        var input = bytes.map { CChar(bitPattern: $0) }
        // A GB18030 character of 1, 2 or 4 bytes is at most 4 bytes of UTF-8.
        var output = [CChar](repeating: 0, count: bytes.count * 2 + 4)
        return input.withUnsafeMutableBufferPointer { source -> String? in
            output.withUnsafeMutableBufferPointer { target -> String? in
                var sourceNext = source.baseAddress
                var sourceLeft = source.count
                var targetNext = target.baseAddress
                var targetLeft = target.count
                guard iconv(converter, &sourceNext, &sourceLeft, &targetNext, &targetLeft) != -1, sourceLeft == 0
                else { return nil }
                let written = UnsafeRawBufferPointer(start: target.baseAddress, count: target.count - targetLeft)
                return String(validating: written, as: UTF8.self)
            }
        }
    }
}

/// A CSV file that could not be read as text.
public struct SpreadsheetFileError: CodedError {
    /// What went wrong: see the codes in the extension below.
    public typealias Code = ErrorCode<SpreadsheetFileError>

    /// What went wrong.
    public var code: Code
    /// What was wrong and what to do.
    public var message: String
    /// The file system's error, for a file that cannot be read.
    public var cause: ErrorCause?

    /// Creates the error.
    public init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause.map(ErrorCause.init)
    }
}

extension ErrorCode<SpreadsheetFileError> {
    /// The file cannot be read.
    public static var unreadable: Self { "unreadable" }
    /// The file is not text in an encoding the office's spreadsheets save.
    public static var encoding: Self { "encoding" }
}
