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

    /// The scopes of the records that name `file`: who may read it, and who may send it.
    public func scopes(naming file: FileID) async throws -> [GridScope] {
        try await readRecords { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT r.scope FROM record_files f JOIN records r ON r.id = f.record_id
                    WHERE f.file_id = ?
                    """, arguments: [file.rawValue]
            ).compactMap(GridScope.init)
        }
    }
}
