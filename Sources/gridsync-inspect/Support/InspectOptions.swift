import ArgumentParser
import Foundation
import GridCommandLine
import GridAccounts
import GridStore

/// Which store to inspect: the daemon's data folder by default, or a field replica's.
struct InspectOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The data folder: the daemon's, or a field replica's.",
            discussion: "Default: $GRIDSYNCD_DATA, else $XDG_DATA_HOME/gridsyncd, else ~/.local/share/gridsyncd "
                + "(the daemon's).", valueName: "folder"))
    var data: String?

    /// The data folder to use.
    var folder: String {
        data ?? DataFolder.standard(variable: "GRIDSYNCD_DATA", name: "gridsyncd")
    }

    /// Opens the store (for reading only, unless `writing`), and the daemon's accounts if
    /// the folder has them (for reading only).
    func open(writing: Bool = false) throws -> Inspected {
        Inspected(
            store: writing ? try SQLiteReplicaStore.open(in: folder) : try SQLiteReplicaStore.openReadOnly(in: folder),
            accounts: try AccountStore.openReadOnlyIfPresent(in: folder))
    }
}

/// An opened store: the replica, and the daemon's accounts when it is the daemon's folder.
struct Inspected {
    let store: any ReplicaStore
    let accounts: AccountStore?
}
