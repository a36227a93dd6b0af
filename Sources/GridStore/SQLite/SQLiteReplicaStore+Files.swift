import GRDB
import GridModel

/// The files the replica's records name (their photos), from `record_files`.
extension SQLiteReplicaStore {
    /// Every file some record names, deleted records included (a record restored gets its
    /// photos back): the files this replica keeps.
    public func namedFiles() async throws -> Set<FileID> {
        try await readRecords { db in
            Set(try String.fetchAll(db, sql: "SELECT DISTINCT file_id FROM record_files").compactMap(FileID.init))
        }
    }

    /// The records that name `file`: the scope of each (who may read the file, and who may
    /// send it), and how many files each names.
    public func records(naming file: FileID) async throws -> [(scope: GridScope, files: Int)] {
        try await readRecords { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT r.scope, (SELECT count(*) FROM record_files g WHERE g.record_id = f.record_id) AS files
                    FROM record_files f JOIN records r ON r.id = f.record_id
                    WHERE f.file_id = ?
                    """, arguments: [file.rawValue]
            ).compactMap { row in GridScope(row["scope"] as String).map { ($0, row["files"] as Int) } }
        }
    }
}
