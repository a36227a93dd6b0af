import Foundation
import GridModel
import GridStore
import HTTPTypes
import Hummingbird
import NIOCore

/// A photo as both web screens serve it from their files (`/photo/<digits>`): its bytes, the
/// media type its first bytes say, kept a day by the browser, never sniffed as anything else.
/// Who may see it is each screen's to check first.
public enum PhotoFile {
    /// The response carrying the photo whose id's digits are `hex`, if `files` holds it.
    public static func response(_ hex: String, in files: FileStore) -> Response? {
        guard let id = FileID("sha256:" + hex), let kind = FileKind(ofFileAt: files.path(of: id)),
            let data = FileManager.default.contents(atPath: files.path(of: id))
        else { return nil }
        return Response(
            status: .ok,
            headers: [
                .contentType: kind.mediaType, .cacheControl: "private, max-age=86400",
                HTTPField.Name("X-Content-Type-Options")!: "nosniff",
            ],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
