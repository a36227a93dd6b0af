import ArgumentParser
import Foundation
import GridCommandLine
import GridMerge
import GridStore

/// Where the replica lives: `--data`, else `$GRIDSYNC_DATA`, else the XDG data folder.
struct DataOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The replica's data folder.",
            discussion: "Default: $GRIDSYNC_DATA, else $XDG_DATA_HOME/gridsync, "
                + "else ~/.local/share/gridsync.", valueName: "folder"))
    var data: String?

    /// The data folder to use.
    var folder: String {
        data ?? DataFolder.standard(variable: "GRIDSYNC_DATA", name: "gridsync")
    }

    /// The replica's files (photos), beside it in the data folder.
    var files: FileStore { FileStore(replicaFolder: folder) }

    /// Opens the replica in the data folder, keeping as much of it in memory as `memory` says.
    func openStore(memory: MemoryUse = .sync) throws -> SQLiteReplicaStore {
        DataFolder.keepPrivate(folder)
        return try SQLiteReplicaStore.open(in: folder, memory: memory)
    }
}
