/// How large the files records name may be: per file, and per record. A photo from a phone
/// or a laptop's camera is 1 to 5 MB; the limits keep a laptop's disk and a sync's time in
/// bounds. The daemon's limits are in its configuration and bind every laptop's sync.
public struct FileLimits: Hashable, Sendable, Codable {
    /// The largest file, in bytes (default 10 MiB).
    public var fileBytes: Int
    /// The most files one record may name (default 20).
    public var filesPerRecord: Int
    /// The most bytes of files not yet whole that are kept, all together (default 1 GiB): what
    /// arrived of files whose syncs were cut, which the next sync resumes. A token sending
    /// parts of many files and never finishing them fills this, not the disk.
    public var unfinishedBytes: Int
    /// The most files not yet whole held at once (default 1,000): each chunk received counts
    /// them, and a token sending a byte of each of millions of files would otherwise fill the
    /// folder with them under the byte limit.
    public var unfinishedFiles: Int

    /// The defaults, or the given limits.
    public init(
        fileBytes: Int = 10 * 1_048_576, filesPerRecord: Int = 20, unfinishedBytes: Int = 1 << 30,
        unfinishedFiles: Int = 1_000
    ) {
        self.fileBytes = fileBytes
        self.filesPerRecord = filesPerRecord
        self.unfinishedBytes = unfinishedBytes
        self.unfinishedFiles = unfinishedFiles
    }
}
