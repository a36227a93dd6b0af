import ArgumentParser
import Foundation
import GridCommandLine
import GridMerge
import GridModel
import GridStore

/// `gridsync open`: shows a record's photo with the desktop's viewer.
struct OpenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "open",
        abstract: "Open a record's photo with the desktop's viewer (or print where it is).",
        discussion: """
            Without a photo's number, the first is opened. Without a desktop, or with --json, the
            photos' paths are printed instead.

            Examples:
              gridsync open 3f2a9c1e
              gridsync open 3f2a9c1e 2
              gridsync open 3f2a9c1e --json
            """)

    @Argument(help: "The record's id, or its first 4 or more characters.") var id: String
    @Argument(help: "The photo: its number as `show` lists it, or its id.") var photo: String?
    @OptionGroup var data: DataOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let store = try data.openStore()
        let record = try await PhotoFiles.record(id, in: store)
        let photos = PhotoFiles.photos(of: record)
        guard !photos.isEmpty || output.json else {
            throw ValidationError("\(id) has no photos: attach one with `gridsync attach \(id) FILE`")
        }
        let chosen = try photo.map { try PhotoFiles.pick([$0], among: photos) } ?? (output.json ? photos : [photos[0]])
        // With --json, every photo the record names (none if it has none), held or not.
        let files = data.files
        if output.json {
            let listed = chosen.map { photo -> [String: Any] in
                var entry: [String: Any] = ["id": photo.rawValue, "path": files.path(of: photo)]
                entry["size"] = files.size(of: photo)
                entry["held"] = files.size(of: photo) != nil
                return entry
            }
            let data = try JSONSerialization.data(
                withJSONObject: listed, options: [.sortedKeys, .withoutEscapingSlashes])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        for photo in chosen {
            guard files.size(of: photo) != nil else {
                throw StoreError(
                    .fileMissing,
                    "\(photo.hex.prefix(12)) is not on this laptop yet: it comes with a sync (`gridsync sync`), or, if "
                        + "it is larger than this laptop takes at a sync, with `gridsync sync --fetch \(id)`")
            }
            let path = files.path(of: photo)
            if !PhotoFiles.openInViewer(path) { print(path) }
        }
    }
}
