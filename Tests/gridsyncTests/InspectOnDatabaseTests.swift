import Foundation
import Testing

/// `gridsync-inspect --store` given a database it cannot use says what is wrong and writes
/// nothing: an address that is not one, a database that cannot be reached, one no daemon has
/// started on.
@Suite(.enabled(if: TestPostgres.server != nil, "GRIDSYNC_TEST_POSTGRES is not set"))
struct InspectOnDatabaseTests {
    @Test func aDatabaseItCannotUseIsRefusedWithWhatToDo() throws {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent(
            "gridsync-inspect-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: cache) }
        let notAnAddress = try TestPostgres.inspect("mysql://db/gridsync", ["conflicts"], cache: cache)
        #expect(notAnAddress.status != 0 && notAnAddress.error.contains("--store"), "\(notAnAddress.error)")

        let unreachable = try TestPostgres.inspect(
            "postgres://gridsync:gridsync@127.0.0.1:1/gridsync?sslmode=disable", ["conflicts"], cache: cache)
        #expect(
            unreachable.status != 0 && unreachable.error.contains("cannot reach PostgreSQL"), "\(unreachable.error)")

        let empty = try TestPostgres.database()
        let never = try TestPostgres.inspect(empty, ["conflicts", "--json"], cache: cache)
        #expect(never.status != 0 && never.error.contains("start gridsyncd on it first"), "\(never.error)")
        #expect(never.error.hasPrefix("{"), "--json refusals are JSON: \(never.error)")
        // Nothing was made in the database, nor a cache on this machine.
        #expect(try TestPostgres.query(empty, "SELECT to_regclass('gridsync_migrations') IS NULL") == [["t"]])
        #expect(!FileManager.default.fileExists(atPath: cache.appendingPathComponent("gridsync-inspect").path))
    }
}
