import ArgumentParser
import GridCommandLine
import GridMerge
import GridModel
import GridStore

/// `gridsync status`: who this replica is and what it holds.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the replica: its id, worker, grids, edits not yet synced and open conflicts.",
        discussion: """
            Examples:
              gridsync status
              gridsync status --json
            """)

    @OptionGroup var data: DataOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let status = try await data.openStore().status()
        if output.json {
            print(try RecordPresenter.json(status))
            return
        }
        let identity = status.identity
        print("replica:    \(identity.replica)")
        print("worker:     \(identity.worker)")
        print("grids:      \(identity.scopes.map(\.description).joined(separator: ", "))")
        let records = status.records.sorted { $0.key < $1.key }.map { key, count in
            "\(count) \(count == 1 ? key : RecordType(rawValue: key)?.plural ?? key)"
        }
        print("records:    \(records.joined(separator: ", "))")
        print("edits:      \(status.opCount) stored, \(status.ownOpCount) written here")
        print("not synced: \(status.unsyncedOpCount) edits")
        print("conflicts:  \(status.conflictCount) open")
        let settings = try SyncSettings.load(from: data.folder)
        let server = settings?.server
        print("last sync:  \(status.lastSync.map(LocalTime.text) ?? "never")\(server.map { " with \($0)" } ?? "")")
        if let attempt = settings?.lastAttempt, let failure = settings?.lastFailure {
            print("last try:   \(LocalTime.text(attempt)), did not finish: \(failure)")
        }
        if let offset = status.clockOffset {
            let words =
                ClockOffsetWords.describe(offset)
                + (offset.magnitude < ClockOffsetWords.agreement ? "" : "; edits use the server's time")
            print("clock:      this laptop's clock \(words) (measured \(status.clockMeasuredAt.map(LocalTime.text) ?? "?"))")
        }
        for former in status.formerIdentities {
            print(
                "identity:   was \(former.replica) until \(LocalTime.text(former.replacedAt)): \(former.reason); "
                    + "\(former.reissued) unsent edits were sent again as \(identity.replica)")
        }
    }
}
