import ArgumentParser
import GridCommandLine
import GridMerge
import GridModel
import GridStore

/// `gridsync init`: creates a replica for a worker and their grids.
struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a replica for a grid worker and their grid(s).",
        discussion: """
            A replica is the worker's own copy of the records of their grids, kept in the data folder.
            Grids are written community/grid, as the office lists them; an office laptop works in whole
            communities, written by their key alone.

            Examples:
              gridsync init --worker w001 --grid c01/g01
              gridsync init --worker w017 --grid c03/g14 --grid c03/g15 --data /srv/gridsync
              gridsync init --worker o001 --grid c01 --grid c02 --grid c03
            """)

    @Option(help: ArgumentHelp("The worker's account key, as the office gave it.", valueName: "key"))
    var worker: String

    @Option(
        help: ArgumentHelp(
            "A grid this worker works in, as community/grid (or a community, for the office); repeat for several.",
            valueName: "scope"))
    var grid: [String]

    @OptionGroup var data: DataOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        guard let workerID = WorkerID(worker) else {
            throw ValidationError("'\(worker)' is not a worker key: use \(WorkerID.rule)")
        }
        guard !grid.isEmpty else { throw ValidationError("give at least one --grid community/grid") }
        let scopes = try grid.map { text in
            guard let scope = GridScope(text) else {
                throw ValidationError("'\(text)' is not a grid: write it community/grid, for example c01/g01")
            }
            return scope
        }
        let identity = ReplicaIdentity(replica: .random(), worker: workerID, scopes: scopes)
        let store = try SQLiteReplicaStore.create(in: data.folder, identity: identity)
        if output.json {
            print(try RecordPresenter.json(identity))
        } else {
            print(
                "Created replica \(identity.replica) for \(workerID) in \(scopes.map(\.description).joined(separator: ", "))."
            )
            print("Data folder: \(data.folder) (\(store.path))")
            print("Next: gridsync demand add --title ... --category ...   (see gridsync demand add --help)")
        }
    }
}
