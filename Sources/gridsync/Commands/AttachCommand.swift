import ArgumentParser
import GridCommandLine
import GridMerge
import GridModel
import GridStore

/// `gridsync attach`: adds photos to a visit, a demand or a project, offline.
struct AttachCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attach",
        abstract: "Attach photos to a visit, demand or project.",
        discussion: """
            The files are copied into the replica's folder, stored once however many records name
            them, and reach the office with the next sync. A file over the limit (10 MB) is refused
            and nothing is stored. A photo attached here and detached on another laptop stays.

            Examples:
              gridsync attach 3f2a9c1e stairwell.jpg
              gridsync attach 9b1c07d2 before-1.jpg before-2.jpg
            """)

    @Argument(help: "The record's id, or its first 4 or more characters.") var id: String
    @Argument(help: "The files to attach.") var files: [String]
    @OptionGroup var data: DataOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await PhotoFiles.change(id, data: data, output: output) { record, builder in
            try builder.add(
                "photos", try PhotoFiles.store(files, named: PhotoFiles.photos(of: record).count, in: data.files))
        }
    }
}
