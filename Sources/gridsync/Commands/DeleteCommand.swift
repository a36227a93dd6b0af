import ArgumentParser
import GridCommandLine
import GridMerge
import GridStore

/// `gridsync delete`: deletes a record of any type (it stays in the history, and can be restored).
struct DeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete a visit, demand or project; it stays in the history and can be restored.",
        discussion: """
            A delete made while someone else edits the record offline becomes a conflict on `deleted`
            that the office settles: nothing either of you did is lost.

            Examples:
              gridsync delete 3f2a9c1e
              gridsync delete 3f2a9c1e --reason 重复录入
            """)

    @Argument(help: "The record's id, or its first 4 or more characters.") var id: String
    @Option(help: "Why; stored in the record's notes.") var reason: String?
    @OptionGroup var data: DataOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await RecordActions.setDeleted(true, id, reason: reason, store: data.openStore(), output: output)
    }
}

/// `gridsync restore`: restores a deleted record, or settles a delete-against-edit conflict by keeping it.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a deleted record, or keep a record whose deletion is in conflict.",
        discussion: """
            Examples:
              gridsync restore 3f2a9c1e
              gridsync restore 3f2a9c1e --reason 居民再次反映
            """)

    @Argument(help: "The record's id, or its first 4 or more characters.") var id: String
    @Option(help: "Why; stored in the record's notes.") var reason: String?
    @OptionGroup var data: DataOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await RecordActions.setDeleted(false, id, reason: reason, store: data.openStore(), output: output)
    }
}
