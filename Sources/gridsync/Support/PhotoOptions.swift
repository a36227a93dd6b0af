import ArgumentParser
import GridMerge
import GridStore

/// `--photo`, for the commands that record a visit, a demand or a project.
struct PhotoOptions: ParsableArguments {
    @Option(name: .customLong("photo"), help: "A photo to attach (a file on this laptop); repeat for several.")
    var photos: [String] = []

    /// Stores the photos in `files` and adds them to the new record's `photos`.
    func edits(into builder: inout EditBuilder, files: FileStore) throws {
        try builder.add("photos", try PhotoFiles.store(photos, in: files))
    }
}
