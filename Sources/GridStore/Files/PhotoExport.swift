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
                guard let kind = FileKind(ofFileAt: source) else {
                    written.missing += 1
                    continue
                }
                let target = "\(folder)/\(record.id)-\(index + 1).\(kind.fileExtension)"
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
}
