import Crypto
import Foundation
import GridModel

/// The files a replica holds (photos), content-addressed in `files/` beside its
/// `replica.sqlite`: each under its SHA-256 (`files/ab/ab12…`), stored once however many
/// records name it. A file is written under a temporary name, flushed and renamed into place,
/// so a file under its id is always whole, and its bytes always hash to its id.
public struct FileStore: Sendable {
    /// The `files` folder.
    public let folder: String
    /// How large a file may be.
    public let limits: FileLimits

    /// How long a file no record names is kept (a week), in seconds: a record that gets it back
    /// meanwhile (a detach undone, or settled the other way) still has it.
    public static let gracePeriod: TimeInterval = 7 * 24 * 3600

    /// How long what arrived of a file not yet whole is kept without growing (a day): the next
    /// sync resumes it; one that never comes (a file detached, a laptop gone, a token sending
    /// parts of files it never finishes) does not hold the disk.
    public static let unfinishedGracePeriod: TimeInterval = 24 * 3600

    /// The files of the replica in `replicaFolder`.
    public init(replicaFolder: String, limits: FileLimits = FileLimits()) {
        self.folder = (replicaFolder as NSString).appendingPathComponent("files")
        self.limits = limits
    }

    /// Where the file `id` is (or would be) kept.
    public func path(of id: FileID) -> String {
        "\(folder)/\(id.hex.prefix(2))/\(id.hex)"
    }

    /// The size of the file `id`, if this replica holds it.
    public func size(of id: FileID) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path(of: id))[.size] as? Int) ?? nil
    }

    /// The held picture `id` as a `data:` URL, for a page that must carry its pictures itself
    /// (the monthly report as one file); `nil` if it is not held or not a picture.
    public func dataURL(of id: FileID) -> String? {
        guard let bytes = FileManager.default.contents(atPath: path(of: id)) else { return nil }
        let kind = FileKind(head: bytes)
        guard kind.isImage else { return nil }
        return "data:\(kind.mediaType);base64,\(bytes.base64EncodedString())"
    }

    /// Copies the file at `source` in, unless it is held already, and returns its id and size.
    ///
    /// - Throws: ``StoreError/Code/fileUnreadable`` if it cannot be read,
    ///   ``StoreError/Code/fileTooLarge`` if it is over the limit (nothing is stored), and
    ///   ``StoreError/Code/diskFull`` or ``StoreError/Code/readOnly`` if it cannot be written.
    public func add(contentsOf source: String) throws -> (id: FileID, size: Int) {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: source, isDirectory: &isFolder), !isFolder.boolValue,
            let input = FileHandle(forReadingAtPath: source)
        else {
            throw StoreError(.fileUnreadable, "cannot read \(source): give the path of a photo on this laptop")
        }
        defer { try? input.close() }
        return try store(from: { try input.read(upToCount: 1_048_576) ?? Data() }, named: source)
    }

    /// Stores `data` (a photo uploaded through the worker's screen), named `name` in messages,
    /// unless it is held already, and returns its id and size.
    ///
    /// - Throws: as ``add(contentsOf:)``.
    public func add(_ data: Data, named name: String) throws -> (id: FileID, size: Int) {
        var given = false
        return try store(
            from: {
                defer { given = true }
                return given ? Data() : data
            }, named: name)
    }

    /// Stores the bytes `next` gives (empty when done), named `name` in messages; returns the
    /// id they hash to. Over the limit, nothing is kept.
    func store(from next: () throws -> Data, named name: String) throws -> (id: FileID, size: Int) {
        try makeFolder(folder)
        let temporary = "\(folder)/.incoming-\(UUID().uuidString)"
        guard FileManager.default.createFile(atPath: temporary, contents: nil),
            let output = FileHandle(forWritingAtPath: temporary)
        else { throw StoreError(.readOnly, "cannot write in \(folder): check the data folder's permissions") }
        var kept = false
        defer {
            try? output.close()
            if !kept { unlink(temporary) }
        }
        var hasher = SHA256()
        var size = 0
        do {
            while case let chunk = try next(), !chunk.isEmpty {
                size += chunk.count
                guard size <= limits.fileBytes else {
                    throw StoreError(
                        .fileTooLarge,
                        "\(name) is larger than \(Self.megabytes(limits.fileBytes)), the limit for one file: "
                            + "send a smaller photo (most phones can save a smaller size)")
                }
                hasher.update(data: chunk)
                try output.write(contentsOf: chunk)
            }
            try output.synchronize()
        } catch let error as StoreError {
            throw error
        } catch {
            throw Self.writeError(error, folder: folder)
        }
        let id = FileID(digest: hasher.finalize())
        let destination = path(of: id)
        try makeFolder((destination as NSString).deletingLastPathComponent)
        // A file already held under this id has the same bytes: the new copy is dropped.
        if FileManager.default.fileExists(atPath: destination) { return (id, size) }
        guard rename(temporary, destination) == 0 else {
            throw StoreError(.readOnly, "cannot keep \(name) in \(folder): check the data folder's permissions")
        }
        kept = true
        return (id, size)
    }

    /// Every file held: its id, size and when it was stored.
    public func held() throws -> [(id: FileID, size: Int, stored: Date)] {
        guard let shelves = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        var found: [(FileID, Int, Date)] = []
        for shelf in shelves where shelf.count == 2 {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: "\(folder)/\(shelf)")) ?? [] {
                guard let id = FileID("sha256:" + name),
                    let attributes = try? FileManager.default.attributesOfItem(atPath: path(of: id))
                else { continue }
                found.append(
                    (id, (attributes[.size] as? Int) ?? 0, (attributes[.modificationDate] as? Date) ?? .distantPast))
            }
        }
        return found.sorted { $0.0 < $1.0 }
    }

    /// Removes the files no record names (`named` are the ones some record does) that were
    /// stored before `cutoff`, the parts of files not grown since `unfinishedCutoff` (named
    /// or not), and the temporary files of stores that never finished; returns how many whole
    /// files and bytes went.
    @discardableResult
    public func collect(keeping named: Set<FileID>, storedBefore cutoff: Date, unfinishedBefore unfinishedCutoff: Date)
        throws -> (files: Int, bytes: Int)
    {
        var removed = (files: 0, bytes: 0)
        for file in try held() where !named.contains(file.id) && file.stored < cutoff {
            if unlink(path(of: file.id)) == 0 {
                removed.files += 1
                removed.bytes += file.size
            }
        }
        // Parts of files that stopped coming (a sync cut, and the file detached, or never sent again).
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "\(folder)/.partial")) ?? [] {
            let path = "\(folder)/.partial/\(name)"
            let grown = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? nil
            if (grown ?? .distantPast) < unfinishedCutoff { unlink(path) }
        }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        where name.hasPrefix(".incoming-") {
            let path = "\(folder)/\(name)"
            let stored = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? nil
            if (stored ?? .distantPast) < cutoff { unlink(path) }
        }
        return removed
    }

    private func makeFolder(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw Self.writeError(error, folder: path)
        }
    }

    private static func writeError(_ error: any Error, folder: String) -> StoreError {
        if let posix = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError, posix.code == Int(ENOSPC) {
            return StoreError(.diskFull, "the disk holding \(folder) is full: free some space; nothing was kept")
        }
        return StoreError(.readOnly, "cannot write in \(folder) (\(error.localizedDescription)): check its permissions")
    }

    /// `bytes` in MB, as people read a photo's size.
    public static func megabytes(_ bytes: Int) -> String {
        String(format: "%.1f MB", Double(bytes) / 1_048_576)
    }
}
