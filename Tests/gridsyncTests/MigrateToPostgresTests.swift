import Foundation
import Testing

/// A street joining the district's database: `gridsyncd migrate` copies the daemon folder into
/// PostgreSQL, and the laptops go on with daemons on it as if nothing had changed.
@Suite(.enabled(if: TestPostgres.server != nil, "GRIDSYNC_TEST_POSTGRES is not set"))
struct MigrateToPostgresTests {
    @Test func laptopsGoOnWhereTheyWereAfterTheFolderMovesToPostgreSQL() throws {
        let folderDaemon = try DaemonProcess()
        let first = try FieldLaptop(daemon: folderDaemon, worker: "w001", scope: "c01/g01")
        let second = try FieldLaptop(daemon: folderDaemon, worker: "w002", scope: "c01/g01")
        defer { for laptop in [first, second] { laptop.cleanUp() } }
        for title in ["楼道堆物清理", "路灯不亮", "=SUM(A1:A9)"] { _ = try first.addDemand(title) }
        try first.sync()
        try second.sync()
        _ = try second.addDemand("停车位不足")
        try second.sync()

        let store = try TestPostgres.database()
        // A daemon still serving the folder would take pushes the copy never sees.
        let refused = try folderDaemon.command("migrate", "--to", store)
        #expect(refused.status != 0 && refused.error.contains("stop it first"), "\(refused.error)")
        folderDaemon.stop()

        let migrated = try folderDaemon.command("migrate", "--to", store, "--json")
        try #require(migrated.status == 0, "\(migrated.error)")
        let document = try JSONSerialization.jsonObject(with: Data(migrated.output.utf8)) as? [String: Any]
        let counts = document?["counts"] as? [String: Any]
        #expect(document?["verified"] as? Bool == true)
        #expect(counts?["accounts"] as? Int == 2 && counts?["devices"] as? Int == 2, "\(migrated.output)")
        #expect((counts?["ops"] as? Int ?? 0) >= 16)

        // The same folder (its certificate and port), now serving from the database.
        let daemon = try DaemonProcess(data: folderDaemon.data, port: folderDaemon.port, store: store)
        defer { daemon.cleanUp() }
        // Tokens work, and nothing is pulled again: the cursors are right.
        let quiet = try first.sync()
        #expect(quiet.pulled > 0 && quiet.pulled < 20, "only the second laptop's demand: \(quiet.pulled)")
        #expect(try first.sync().pulled == 0)
        let id = try first.addDemand("高空抛物隐患")
        try first.sync()
        let caughtUp = try second.sync()
        #expect(caughtUp.pulled > 0 && caughtUp.pulled < 20, "only the new demand: \(caughtUp.pulled)")
        #expect(try second.export().contains { $0.contains(id) })
        #expect(try first.export() == second.export())

        // A folder backup cannot be put back under daemons that serve from the database.
        let backup = try folderDaemon.backUp(into: folderDaemon.data.appendingPathComponent("backups")).replica
        let restore = try daemon.command("restore", "--replica", backup.path)
        #expect(
            restore.status != 0 && restore.error.contains("not from a folder's files")
                && restore.error.contains("pg_restore"), "\(restore.error)")

        // A database that holds a server already is refused, and stays as it was.
        let again = try daemon.command("migrate", "--to", store)
        #expect(again.status != 0, "a second migration into a used database")
        daemon.stop()
        let twice = try folderDaemon.command("migrate", "--to", store)
        #expect(twice.status != 0 && twice.error.contains("already holds"), "\(twice.error)")
    }
}
