import Foundation

/// The lock a serving daemon holds on its data folder, so that a second `gridsyncd serve`
/// (or a `restore`) on the same folder is refused. It is an `flock` on `gridsyncd.lock`:
/// the kernel releases it when the process ends, even by kill -9 or a power cut.
final class FolderLock {
    /// The lock file's name in the data folder.
    static let fileName = "gridsyncd.lock"

    private let descriptor: Int32

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    /// Takes the lock on `folder` for this process, writing its pid in the file.
    ///
    /// - Throws: ``DaemonError`` (`folder-in-use`) naming the process that holds it.
    static func take(_ folder: String) throws -> FolderLock {
        let path = (folder as NSString).appendingPathComponent(fileName)
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw DaemonError(
                .badConfiguration, "cannot open \(path) (\(String(cString: strerror(errno)))): check the data folder")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines)
            close(descriptor)
            throw DaemonError(
                .folderInUse,
                "another gridsyncd\(holder.map { $0.isEmpty ? "" : " (pid \($0))" } ?? "") is serving \(folder): "
                    + "stop it first (systemctl stop gridsyncd), or give this one another --data")
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        return FolderLock(descriptor: descriptor)
    }
}
