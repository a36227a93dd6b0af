import ArgumentParser
import GridStore

/// The `--note` and `--clear` flags that every `update` shares.
struct NoteAndClearOptions: ParsableArguments {
    @Option(help: "A note to add to the record's notes.") var note: String?
    @Option(help: "An optional field to clear; repeat for several.") var clear: [String] = []

    /// Adds the note and the clearing edits to `builder`.
    func edits(into builder: inout EditBuilder) throws {
        try builder.clear(clear)
        if let note { try builder.append("notes", ["text": note]) }
    }
}
