import Foundation

/// What kind of file a photo is, by its first bytes: the extension image viewers and Windows
/// expect, and the media type a browser is told. The name it had on the worker's disk is not
/// kept: the bytes say what they are.
public struct FileKind: Hashable, Sendable {
    /// `jpg`, `png`, `gif`, `webp`, `heic`, `pdf`, or `bin` for anything else.
    public let fileExtension: String
    /// `image/jpeg`, …, or `application/octet-stream`.
    public let mediaType: String

    /// The kind the first bytes of a file (16 are enough) say.
    public init(head: Data) {
        let bytes = [UInt8](head.prefix(16))
        func starts(_ prefix: [UInt8], at offset: Int = 0) -> Bool {
            bytes.count >= offset + prefix.count && Array(bytes[offset..<offset + prefix.count]) == prefix
        }
        let kind: (String, String) =
            if starts([0xFF, 0xD8, 0xFF]) { ("jpg", "image/jpeg") } else if starts([0x89, 0x50, 0x4E, 0x47]) {
                ("png", "image/png")
            } else if starts(Array("GIF8".utf8)) {
                ("gif", "image/gif")
            } else if starts(Array("RIFF".utf8)) && starts(Array("WEBP".utf8), at: 8) {
                ("webp", "image/webp")
            } else if starts(Array("ftypheic".utf8), at: 4) || starts(Array("ftypmif1".utf8), at: 4) {
                ("heic", "image/heic")
            } else if starts(Array("%PDF".utf8)) { ("pdf", "application/pdf") } else {
                ("bin", "application/octet-stream")
            }
        (fileExtension, mediaType) = kind
    }

    /// Whether a browser shows it as a picture.
    public var isImage: Bool { mediaType.hasPrefix("image/") }

    /// The kind of the file at `path`, if it can be read.
    public init?(ofFileAt path: String) {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        self.init(head: (try? handle.read(upToCount: 16)) ?? Data())
    }
}
