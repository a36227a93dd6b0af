import Crypto
import Foundation
import GridModel

/// Files as a sync moves them, a chunk at a time (gridsync/4): what arrives is appended to a
/// partial file, so a cut connection resumes at the byte it reached; a file is kept under its
/// id only once its bytes hash to it, synced to the disk first.
extension FileStore {
    /// What a chunk received did.
    public enum Received: Hashable, Sendable {
        /// The file is not whole yet: this many of its bytes are held.
        case partial(held: Int64)
        /// The file is whole, its bytes hash to its id, and it is kept.
        case kept
        /// The file was whole but its bytes do not hash to its id: what arrived is dropped.
        case corrupt
    }

    /// Where the bytes of `id` that have arrived so far are kept.
    func partialPath(of id: FileID) -> String {
        "\(folder)/.partial/\(id.hex)"
    }

    /// How many bytes of `id` have arrived (0 if none).
    public func partialSize(of id: FileID) -> Int64 {
        Int64((try? FileManager.default.attributesOfItem(atPath: partialPath(of: id))[.size] as? Int) ?? 0)
    }

    /// The files not yet whole that are held, and their bytes all together.
    public func unfinished() -> (files: Int, bytes: Int) {
        let shelf = "\(folder)/.partial"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: shelf)) ?? []
        let bytes = names.reduce(0) { total, name in
            total + ((try? FileManager.default.attributesOfItem(atPath: "\(shelf)/\(name)")[.size] as? Int) ?? 0)
        }
        return (names.count, bytes)
    }

    /// Takes `bytes` of the file `id` (of `size` bytes) from `offset`. A chunk that does not
    /// start where the bytes held end is not written: the answer says where they end.
    ///
    /// - Throws: ``StoreError/Code/fileTooLarge`` for a file over the limit (nothing is
    ///   kept), ``StoreError/Code/diskFull`` if the bytes would leave more of files not yet
    ///   whole than ``FileLimits/unfinishedBytes``, or more such files than
    ///   ``FileLimits/unfinishedFiles`` (nothing is written), or the disk's failure.
    public func receive(_ id: FileID, size: Int64, offset: Int64, bytes: [UInt8]) throws -> Received {
        if self.size(of: id) != nil { return .kept }
        guard size <= Int64(limits.fileBytes) else {
            throw StoreError(
                .fileTooLarge,
                "\(id.hex.prefix(12)) is \(Self.megabytes(Int(size))), over the limit of \(Self.megabytes(limits.fileBytes)) for one file"
            )
        }
        let path = partialPath(of: id)
        var held = partialSize(of: id)
        if held > size {
            // A partial longer than the file claims: it was not this file.
            unlink(path)
            held = 0
        }
        if offset == held, !bytes.isEmpty {
            if held + Int64(bytes.count) < size {
                let unfinished = unfinished()
                guard unfinished.bytes + bytes.count <= limits.unfinishedBytes,
                    held > 0 || unfinished.files < limits.unfinishedFiles
                else {
                    throw StoreError(
                        .diskFull,
                        "as many photos not yet whole are held here as the limit allows (\(unfinished.files) photos, "
                            + "\(Self.megabytes(unfinished.bytes))): \(id.hex.prefix(12)) comes at a later sync")
                }
            }
            try appendFlushed(bytes, to: path)
            held += Int64(bytes.count)
        }
        guard held == size else { return .partial(held: held) }
        return try keep(id, from: path)
    }

    /// Up to `length` bytes of the held file `id` from `offset`, read straight into the array
    /// returned (a chunk is 1.5 MiB: read through `Data` and copied, it was two fresh buffers,
    /// and their page faults were a quarter of the daemon's time sending photos).
    public func read(_ id: FileID, offset: Int64, length: Int) throws -> [UInt8] {
        let descriptor = open(path(of: id), O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw StoreError(.fileMissing, "\(id.hex.prefix(12)) is not held here") }
        defer { close(descriptor) }
        var failure: Int32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: max(0, length)) { buffer, count in
            count = 0
            while count < buffer.count {
                let read = pread(
                    descriptor, buffer.baseAddress! + count, buffer.count - count, off_t(offset) + off_t(count))
                if read < 0, errno == EINTR { continue }
                if read < 0 { failure = errno }
                guard read > 0 else { return }
                count += read
            }
        }
        guard failure == 0 else {
            throw StoreError(.fileMissing, "cannot read \(id.hex.prefix(12)) (\(Self.reason(failure)))")
        }
        return bytes
    }

    /// Appends `bytes` to the partial file at `path`, made (and its folder) if it is not there.
    /// One `open` and `write` a chunk: the folder is made only when the file cannot be opened
    /// for want of it (making it before every chunk was a twentieth of the daemon's time).
    private func appendFlushed(_ bytes: [UInt8], to path: String) throws {
        let flags = O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC
        var descriptor = open(path, flags, 0o600)
        if descriptor < 0, errno == ENOENT {
            try? FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
            descriptor = open(path, flags, 0o600)
        }
        guard descriptor >= 0 else {
            throw StoreError(
                .readOnly, "cannot write \(path) (\(Self.reason(errno))): check the data folder's permissions")
        }
        defer { close(descriptor) }
        // Written, not synced: a cut connection leaves the bytes with the system, and a power
        // cut may leave fewer, or garbage, which the hash check at the end finds and drops.
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, $0.count - written) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else {
                throw StoreError(.diskFull, "cannot write \(path) (\(Self.reason(errno))): free some space")
            }
            written += count
        }
    }

    /// The system's words for `code`, an `errno`.
    private static func reason(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    /// Keeps the whole partial of `id` under its id if its bytes hash to it; drops it otherwise.
    private func keep(_ id: FileID, from path: String) throws -> Received {
        guard let handle = FileHandle(forReadingAtPath: path) else { return .partial(held: 0) }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1_048_576), !chunk.isEmpty { hasher.update(data: chunk) }
        try? handle.close()
        guard FileID(digest: hasher.finalize()) == id else {
            unlink(path)
            return .corrupt
        }
        // On the disk before it is kept under its id: a file under its id is always whole.
        if let written = FileHandle(forWritingAtPath: path) {
            try? written.synchronize()
            try? written.close()
        }
        let destination = self.path(of: id)
        if rename(path, destination) == 0 { return .kept }
        if errno == ENOENT {
            // The first file of its folder (`files/ab/`): the folder is made now, not before every file.
            try? FileManager.default.createDirectory(
                atPath: (destination as NSString).deletingLastPathComponent, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
        }
        guard rename(path, destination) == 0 else {
            throw StoreError(.readOnly, "cannot keep \(id.hex.prefix(12)) in \(folder): check its permissions")
        }
        return .kept
    }
}
