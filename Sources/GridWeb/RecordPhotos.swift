import GridMerge
import GridModel
import GridStore

/// A record's photos as both web screens show them under its page: each as a picture served
/// from `/photo/<digits>` when the screen's files hold it, else as not received yet.
/// Rendered by ``RecordTemplates/photos``.
public struct RecordPhotos: Sendable {
    public struct Photo: Sendable {
        public let hex, label: String
        public let held: Bool
    }
    public let heading, missing: String
    public let photos: [Photo]

    /// The photos `record` names, as `files` holds them; `nil` if it names none.
    public static func of(_ record: RecordState, in files: FileStore, words: Words) -> RecordPhotos? {
        let named = (record.sets["photos"]?.elements ?? []).compactMap(FileID.init)
        guard !named.isEmpty else { return nil }
        return RecordPhotos(
            heading: words("照片", "Photos"), missing: words("还没收到", "not received yet"),
            photos: named.enumerated().map {
                Photo(hex: String($0.element.hex), label: "\($0.offset + 1)", held: files.size(of: $0.element) != nil)
            })
    }
}
