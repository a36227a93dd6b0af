import ArgumentParser
import Foundation
import GridAccounts
import GridCommandLine
import GridStore
import GridStorePostgres
import Logging

/// Which store to inspect: the daemon's data folder by default, a field replica's, or the op
/// log that several daemons share in PostgreSQL.
struct InspectOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The data folder: the daemon's, or a field replica's.",
            discussion: "Default: $GRIDSYNCD_DATA, else $XDG_DATA_HOME/gridsyncd, else ~/.local/share/gridsyncd "
                + "(the daemon's).", valueName: "folder"))
    var data: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The daemons' PostgreSQL database (postgres://user@host/db), instead of a folder.",
            discussion: "Default: $GRIDSYNCD_STORE when --data is not given. The password may come from "
                + "$PGPASSWORD. The records are derived from the database's op log in a cache on this machine "
                + "($XDG_CACHE_HOME/gridsync-inspect), brought up to date at every run.",
            valueName: "url"))
    var store: String?

    /// The data folder to use.
    var folder: String {
        data ?? DataFolder.standard(variable: "GRIDSYNCD_DATA", name: "gridsyncd")
    }

    /// The database to use, if any: `--store`, else `$GRIDSYNCD_STORE` unless `--data` names a folder.
    func database() throws -> PostgresAddress? {
        let environment = ProcessInfo.processInfo.environment
        guard let text = store ?? (data == nil ? environment["GRIDSYNCD_STORE"].flatMap { $0.isEmpty ? nil : $0 } : nil)
        else { return nil }
        do {
            return try PostgresAddress(text)
        } catch {
            throw ValidationError("--store: \(error)")
        }
    }

    /// Where the records are read, for messages.
    var place: String {
        (try? database()).flatMap { $0.map { "the database \($0)" } } ?? folder
    }

    /// Opens the store (for reading only, unless `writing`), and the daemon's accounts if
    /// the folder has them (for reading only). On PostgreSQL, the mirror of the op log is
    /// brought up to date, after sending any decision an earlier run could not.
    func open(writing: Bool = false) async throws -> Inspected {
        guard let address = try database() else {
            return Inspected(
                store: writing
                    ? try SQLiteReplicaStore.open(in: folder) : try SQLiteReplicaStore.openReadOnly(in: folder),
                accounts: try AccountStore.openReadOnlyIfPresent(in: folder), mirror: nil, connections: nil)
        }
        let connections = PostgresConnections(address, connections: 4, logger: Logger(label: "gridsync-inspect"))
        do {
            let server = try await connections.openExisting()
            let mirror = try await PostgresMirror.open(following: server, in: Self.cache(for: address))
            try await Inspected.sendDecisions(of: mirror)
            try await Self.catchUp(mirror)
            return Inspected(store: mirror.replica, accounts: server.accounts, mirror: mirror, connections: connections)
        } catch {
            connections.close()
            throw error
        }
    }

    /// Brings the mirror up to date, saying on standard error how far it is every few
    /// seconds when that takes long (a first run on a year of a district).
    static func catchUp(_ mirror: PostgresMirror) async throws {
        let head = try await mirror.server.logHead()
        let clock = ContinuousClock()
        var said = clock.now
        try await mirror.catchUp { through in
            guard clock.now - said >= .seconds(3) else { return }
            said = clock.now
            _ = StandardStream.error.write(
                "gridsync-inspect: reading the database's op log into this machine's cache: \(through) of \(head) edits\n"
            )
        }
    }

    /// The folder of the mirror of the database at `address`: one per server, user and database.
    static func cache(for address: PostgresAddress) -> String {
        let environment = ProcessInfo.processInfo.environment
        let base =
            environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.cache"
        let name = "\(address.username)@\(address.host)-\(address.port)-\(address.database)"
            .map { $0.isLetter || $0.isNumber || "@-_.".contains($0) ? $0 : "_" }
        return base + "/gridsync-inspect/" + String(name)
    }
}

/// An opened store: the replica, and the daemon's accounts when it is the daemon's folder or
/// database.
struct Inspected {
    let store: any ReplicaStore
    let accounts: (any AccountBook)?
    /// The mirror of the database's op log, when the store is PostgreSQL.
    let mirror: PostgresMirror?
    /// The connections to PostgreSQL, if any.
    let connections: PostgresConnections?

    /// The op log laptops pull from, whose positions the devices' cursors count in: the
    /// folder's replica, or the database's log.
    var log: any ServerStore { mirror?.server ?? store }

    /// Sends the decisions written in the mirror to the database (nothing for a folder).
    func sendDecisions() async throws {
        guard let mirror else { return }
        try await Self.sendDecisions(of: mirror)
    }

    /// Sends `mirror`'s decisions, saying plainly where they are kept when the database cannot take them.
    static func sendDecisions(of mirror: PostgresMirror) async throws {
        do {
            try await mirror.send()
        } catch let error as StoreError where error.code == .refused {
            throw StoreError(
                error.code,
                "the database refused a decision written on this machine (\(error.message)): it was not stored; "
                    + "remove \((mirror.replica.path as NSString).deletingLastPathComponent), then settle it again",
                cause: error)
        } catch let error as StoreError {
            throw StoreError(
                error.code,
                "a decision is written on this machine but not yet in the database (\(error.message)): it is kept in "
                    + "\(mirror.replica.path), and the next gridsync-inspect command sends it first",
                cause: error)
        }
    }
}
