import Foundation
import GridMerge
import GridModel

/// The photos of exported records, written beside the CSV or JSON lines for the office:
/// each as `<record id>-<n>.<ext>`, numbered as `gridsync show` lists them, with the extension
/// its bytes say (`jpg`, `png`, `heic`, …), so that the records' `编号` column finds them.
public struct PhotoExport: Sendable {
    /// What an export wrote.
    public struct Written: Sendable, Equatable {
        /// Photos copied into the folder.
        public var copied = 0
        /// Photos the records name that this replica does not hold (they come with a sync).
        public var missing = 0
    }

    let files: FileStore

    /// Exports from `files`.
    public init(files: FileStore) {
        self.files = files
    }

    /// Copies the photos `records` name into `folder` (created if missing).
    public func write(_ records: [RecordState], into folder: String) throws -> Written {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw StoreError(.readOnly, "cannot make \(folder) for the photos: \(error.localizedDescription)")
        }
        var written = Written()
        for record in records {
            let photos = (record.sets["photos"]?.elements ?? []).compactMap(FileID.init)
            for (index, photo) in photos.enumerated() {
                let source = files.path(of: photo)
                guard let handle = FileHandle(forReadingAtPath: source) else {
                    written.missing += 1
                    continue
                }
                let head = (try? handle.read(upToCount: 16)) ?? Data()
                try? handle.close()
                let target = "\(folder)/\(record.id)-\(index + 1).\(Self.fileExtension(of: head))"
                try? FileManager.default.removeItem(atPath: target)
                do {
                    try FileManager.default.copyItem(atPath: source, toPath: target)
                } catch {
                    throw StoreError(.readOnly, "cannot write \(target): \(error.localizedDescription)")
                }
                written.copied += 1
            }
        }
        return written
    }

    /// The extension a file's first bytes call for: what image viewers and Windows expect.
    static func fileExtension(of head: Data) -> String {
        let bytes = [UInt8](head)
        func starts(_ prefix: [UInt8], at offset: Int = 0) -> Bool {
            bytes.count >= offset + prefix.count && Array(bytes[offset..<offset + prefix.count]) == prefix
        }
        if starts([0xFF, 0xD8, 0xFF]) { return "jpg" }
        if starts([0x89, 0x50, 0x4E, 0x47]) { return "png" }
        if starts(Array("GIF8".utf8)) { return "gif" }
        if starts(Array("RIFF".utf8)) && starts(Array("WEBP".utf8), at: 8) { return "webp" }
        if starts(Array("ftypheic".utf8), at: 4) || starts(Array("ftypmif1".utf8), at: 4) { return "heic" }
        if starts(Array("%PDF".utf8)) { return "pdf" }
        return "bin"
    }
}
