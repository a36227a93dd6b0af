import Foundation
import GridMerge
import GridModel

/// The photos of exported records, written beside the CSV or JSON lines for the office, in a
/// folder or a ZIP file: each as `<record id>-<n>.<ext>`, numbered as `gridsync show` lists them, with the extension
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

    /// Copies the photos `records` name into `folder` (created if missing), or, if `folder`
    /// ends in `.zip`, into a ZIP file there.
    public func write(_ records: [RecordState], into folder: String) throws -> Written {
        let (photos, missing) = named(by: records)
        var written = Written(copied: 0, missing: missing)
        if folder.lowercased().hasSuffix(".zip") {
            let archive = try ZipArchive(path: folder)
            do {
                for photo in photos {
                    let stored = try? FileManager.default.attributesOfItem(atPath: photo.source)[.modificationDate]
                    try archive.add(contentsOf: photo.source, as: photo.name, modified: stored as? Date ?? Date())
                    written.copied += 1
                }
                try archive.finish()
            } catch {
                // Half an archive would open as damaged, or not at all: none is left.
                unlink(folder)
                throw error
            }
            return written
        }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw StoreError(.readOnly, "cannot make \(folder) for the photos: \(error.localizedDescription)")
        }
        for photo in photos {
            let target = "\(folder)/\(photo.name)"
            try? FileManager.default.removeItem(atPath: target)
            do {
                try FileManager.default.copyItem(atPath: photo.source, toPath: target)
            } catch {
                throw StoreError(.readOnly, "cannot write \(target): \(error.localizedDescription)")
            }
            written.copied += 1
        }
        return written
    }

    /// The photos `records` name that this replica holds, each with its name in the export
    /// (`<record id>-<n>.<ext>`) and where it is; and how many it does not hold.
    private func named(by records: [RecordState]) -> (photos: [(name: String, source: String)], missing: Int) {
        var photos: [(name: String, source: String)] = []
        var missing = 0
        for record in records {
            for (index, photo) in (record.sets["photos"]?.elements ?? []).compactMap(FileID.init).enumerated() {
                let source = files.path(of: photo)
                guard let kind = FileKind(ofFileAt: source) else {
                    missing += 1
                    continue
                }
                photos.append(("\(record.id)-\(index + 1).\(kind.fileExtension)", source))
            }
        }
        return (photos, missing)
    }
}
