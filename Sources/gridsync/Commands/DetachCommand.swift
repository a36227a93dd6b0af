import ArgumentParser
import GridCommandLine
import GridMerge
import GridModel
import GridStore

/// `gridsync detach`: removes photos from a visit, a demand or a project.
struct DetachCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detach",
        abstract: "Remove photos from a visit, demand or project.",
        discussion: """
            A photo is named by its number as `show` lists it, or by its id (or the first 6 or more
            of its digits). The file stays on the laptop for a week in case the record gets it
            back; a photo someone attached on another laptop meanwhile stays attached.

            Examples:
              gridsync detach 3f2a9c1e 2
              gridsync detach 3f2a9c1e 9f86d0
            """)

    @Argument(help: "The record's id, or its first 4 or more characters.") var id: String
    @Argument(help: "The photos: numbers as `show` lists them, or ids.") var photos: [String]
    @OptionGroup var data: DataOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await PhotoFiles.change(id, data: data, output: output) { record, builder in
            try builder.remove(
                "photos", try PhotoFiles.pick(photos, among: PhotoFiles.photos(of: record)).map(\.rawValue))
        }
    }
}
