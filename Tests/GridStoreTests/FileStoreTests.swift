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
            // Within the grace period, even an unnamed file stays.
            #expect(try files.collect(keeping: [kept], storedBefore: Date().addingTimeInterval(-60)).files == 0)
            let removed = try files.collect(keeping: [kept], storedBefore: Date().addingTimeInterval(60))
            #expect(removed.files == 1 && removed.bytes == 7)
            #expect(try files.held().map(\.id) == [kept] && files.size(of: dropped) == nil)
        }
    }
}
