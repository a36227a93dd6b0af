import Foundation
import GridModel
import GridStore
import Testing

/// The laptop's photos on disk: stored under their content's hash, once however often they
/// are added; a file over the limit refused with nothing left behind; files no record names
/// removed once the grace period is over, and only those.
@Suite struct FileStoreTests {
    static func write(_ bytes: Data, in folder: String, named name: String) throws -> String {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = (folder as NSString).appendingPathComponent(name)
        try bytes.write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func aFileIsStoredOnceUnderItsHash() async throws {
        try await withTemporaryFolder { folder in
            let files = FileStore(replicaFolder: folder)
            let photo = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
            let first = try files.add(contentsOf: try Self.write(photo, in: folder, named: "stairwell.jpg"))
            let again = try files.add(contentsOf: try Self.write(photo, in: folder, named: "copy.jpg"))
            #expect(first.id == FileID(of: photo) && again.id == first.id && first.size == photo.count)
            #expect(try Data(contentsOf: URL(fileURLWithPath: files.path(of: first.id))) == photo)
            #expect(try files.held().map(\.id) == [first.id], "stored twice")
            #expect(files.size(of: first.id) == photo.count)
        }
    }

    @Test func aFileOverTheLimitIsRefusedAndNothingIsKept() async throws {
        try await withTemporaryFolder { folder in
            let files = FileStore(replicaFolder: folder, limits: FileLimits(fileBytes: 1_500_000))
            let path = try Self.write(Data(count: 1_500_001), in: folder, named: "big.jpg")
            #expect {
                try files.add(contentsOf: path)
            } throws: { error in
                let refusal = error as? StoreError
                return refusal?.code == .fileTooLarge && refusal?.message.contains("1.4 MB") == true
            }
            #expect(try files.held().isEmpty)
            #expect(
                try FileManager.default.contentsOfDirectory(atPath: files.folder).isEmpty, "a partial file was left")
            // Exactly at the limit is fine.
            let fits = try Self.write(Data(count: 1_500_000), in: folder, named: "fits.jpg")
            #expect(try files.add(contentsOf: fits).size == 1_500_000)
        }
    }

    @Test func aMissingOrFolderPathIsRefusedAsUnreadable() async throws {
        try await withTemporaryFolder { folder in
            let files = FileStore(replicaFolder: folder)
            for path in [folder + "/no-such.jpg", folder] {
                #expect { try files.add(contentsOf: path) } throws: { ($0 as? StoreError)?.code == .fileUnreadable }
            }
        }
    }

    @Test func onlyFilesNoRecordNamesGoAndOnlyAfterTheGracePeriod() async throws {
        try await withTemporaryFolder { folder in
            let files = FileStore(replicaFolder: folder)
            let kept = try files.add(contentsOf: try Self.write(Data("kept".utf8), in: folder, named: "a.jpg")).id
            let dropped = try files.add(contentsOf: try Self.write(Data("dropped".utf8), in: folder, named: "b.jpg")).id
            // Part of a named file, whose sync was cut.
            let coming = FileID(of: Data("coming".utf8))
            #expect(try files.receive(coming, size: 6, offset: 0, bytes: Array("com".utf8)) == .partial(held: 3))
            // Within the grace periods, even an unnamed file and a part stay.
            let before = Date().addingTimeInterval(-60)
            #expect(try files.collect(keeping: [kept], storedBefore: before, unfinishedBefore: before).files == 0)
            #expect(files.partialSize(of: coming) == 3)
            let removed = try files.collect(
                keeping: [kept, coming], storedBefore: Date().addingTimeInterval(60), unfinishedBefore: before)
            #expect(removed.files == 1 && removed.bytes == 7)
            #expect(try files.held().map(\.id) == [kept] && files.size(of: dropped) == nil)
            #expect(files.partialSize(of: coming) == 3, "a part still growing stays")
            // A part that stopped growing goes, even of a file a record names.
            _ = try files.collect(
                keeping: [kept, coming], storedBefore: before, unfinishedBefore: Date().addingTimeInterval(60))
            #expect(files.partialSize(of: coming) == 0 && files.unfinished().bytes == 0)
        }
    }

    /// Parts of files never finished are held up to a limit for all of them together: past it,
    /// a chunk that would not finish its file is refused and nothing written; one that finishes
    /// its file is still taken.
    @Test func partsOfFilesAreHeldUpToTheirLimitTogether() async throws {
        try await withTemporaryFolder { folder in
            let files = FileStore(replicaFolder: folder, limits: FileLimits(unfinishedBytes: 10_000))
            let photos = (1...3).map { [UInt8](repeating: UInt8($0), count: 6_000) }
            let ids = photos.map { FileID(of: Data($0)) }
            func send(_ index: Int, _ range: Range<Int>) throws -> FileStore.Received {
                try files.receive(
                    ids[index], size: 6_000, offset: Int64(range.lowerBound), bytes: Array(photos[index][range]))
            }
            let first = try send(0, 0..<5_000)
            let second = try send(1, 0..<4_000)
            #expect(first == .partial(held: 5_000) && second == .partial(held: 4_000))
            #expect { try send(2, 0..<2_000) } throws: { ($0 as? StoreError)?.code == .diskFull }
            #expect(files.partialSize(of: ids[2]) == 0 && files.unfinished().bytes == 9_000)
            // The rest of a file held in part makes it whole: taken, and its part is let go.
            let finished = try send(0, 5_000..<6_000)
            #expect(finished == .kept)
            #expect(files.unfinished().bytes == 4_000)
            let third = try send(2, 0..<2_000)
            #expect(third == .partial(held: 2_000))
        }
    }

    /// Parts of many files, each a few bytes, are held up to a number of files too: a token
    /// cannot fill the folder with millions of them under the byte limit. A part already held
    /// still grows.
    @Test func partsOfFilesAreHeldUpToANumberOfFiles() async throws {
        try await withTemporaryFolder { folder in
            let files = FileStore(replicaFolder: folder, limits: FileLimits(unfinishedFiles: 2))
            let ids = (1...3).map { FileID(of: Data("第\($0)张".utf8)) }
            let first = try files.receive(ids[0], size: 100, offset: 0, bytes: [1])
            let second = try files.receive(ids[1], size: 100, offset: 0, bytes: [2])
            #expect(first == .partial(held: 1) && second == .partial(held: 1))
            #expect { try files.receive(ids[2], size: 100, offset: 0, bytes: [3]) } throws: {
                ($0 as? StoreError)?.code == .diskFull
            }
            #expect(files.unfinished().files == 2 && files.partialSize(of: ids[2]) == 0)
            let grown = try files.receive(ids[0], size: 100, offset: 1, bytes: [1, 1])
            #expect(grown == .partial(held: 3))
        }
    }
}
