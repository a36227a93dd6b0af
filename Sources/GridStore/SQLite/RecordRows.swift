import Foundation
import GRDB
import GridMerge
import GridModel

/// The rows derived from one record's merged state: its `records` row, its typed row for
/// list queries, its register heads and its conflicts.
struct RecordRows {
    let record: RecordState

    /// Replaces the record's derived rows with ones computed from its state: its row and
    /// typed row, and the heads and conflicts of the register fields in `registersChanged`
    /// (the others' rows are unchanged). A record that `isNew` has no rows to replace.
    /// `firstClock` and `lastChange` are the earliest clock of the ops merged since its rows
    /// were written, and the latest of those that changed more than its notes: the record's
    /// `created_clock` and `updated_clock` are the earliest and latest over all its ops, in
    /// whatever order and groups they were merged.
    ///
    /// - Returns: how many of those fields became conflicted.
    @discardableResult
    func write(
        to db: Database, firstClock: HybridTimestamp?, lastChange: HybridTimestamp?, registersChanged: Set<String>,
        isNew: Bool
    ) throws -> Int {
        let id = record.id.description
        let created = firstClock ?? lastChange ?? .zero
        let updated = lastChange ?? (isNew ? created : .zero)
        try db.cachedStatement(
            sql: """
                INSERT INTO records (id, type, scope, community, grid, deleted, conflicted, created_clock, updated_clock, state)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET
                    deleted = excluded.deleted, conflicted = excluded.conflicted,
                    created_clock = min(created_clock, excluded.created_clock),
                    updated_clock = max(updated_clock, excluded.updated_clock), state = excluded.state
                """
        ).execute(arguments: [
            id, record.type.key, record.scope.description, record.scope.community.rawValue,
            record.scope.grid?.rawValue, record.isDeleted, !record.conflictedFields.isEmpty,
            Int64(bitPattern: created.rawValue), Int64(bitPattern: updated.rawValue), Data(record.encoded()),
        ])
        try writeTypedRow(to: db)
        if !record.type.isReference {
            try db.cachedStatement(sql: "INSERT OR REPLACE INTO record_text (record_id, text) VALUES (?, ?)")
                .execute(arguments: [id, searchText])
            try writeFiles(id, to: db, isNew: isNew)
        }
        let deleteHeads = try db.cachedStatement(sql: "DELETE FROM heads WHERE record_id = ? AND field = ?")
        let head = try db.cachedStatement(
            sql: """
                INSERT INTO heads (record_id, field, op_replica, op_sequence, clock, author, value)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
        let deleteConflict = try db.cachedStatement(
            sql: "DELETE FROM conflicts WHERE record_id = ? AND field = ? RETURNING field")
        let conflict = try db.cachedStatement(
            sql: "INSERT INTO conflicts (record_id, field, record_type, scope, head_count) VALUES (?, ?, ?, ?, ?)")
        var opened = 0
        for field in registersChanged.sorted() {
            let heads = record.registers[field]?.heads ?? []
            if !isNew { try deleteHeads.execute(arguments: [id, field]) }
            for version in heads {
                try head.execute(arguments: [
                    id, field, version.op.replica.description, Int64(bitPattern: version.op.sequence),
                    Int64(bitPattern: version.clock.rawValue), version.author.rawValue,
                    CanonicalJSON.text(version.value),
                ])
            }
            let wasConflicted = isNew ? false : try String.fetchOne(deleteConflict, arguments: [id, field]) != nil
            guard record.registers[field]?.isConflicted == true else { continue }
            try conflict.execute(arguments: [id, field, record.type.key, record.scope.description, heads.count])
            if !wasConflicted { opened += 1 }
        }
        return opened
    }

    /// Replaces the record's rows of `record_files`: the files its photos name.
    private func writeFiles(_ id: String, to db: Database, isNew: Bool) throws {
        let named = record.sets["photos"]?.elements ?? []
        if !isNew {
            try db.cachedStatement(sql: "DELETE FROM record_files WHERE record_id = ?").execute(arguments: [id])
        }
        let insert = try db.cachedStatement(sql: "INSERT INTO record_files (record_id, file_id) VALUES (?, ?)")
        for file in named { try insert.execute(arguments: [id, file]) }
    }

    /// What a list's search looks into: every field's text and every entry of its logs (notes,
    /// progress, surveys), lowercased, one per line; not the ids of its photos.
    var searchText: String {
        var lines: [String] = []
        for field in record.type.schema.fields {
            if let text = record.value(field.name).text { lines.append(text) }
            guard field.shape != .set(element: .file) else { continue }
            for element in record.sets[field.name]?.elements ?? [] { lines.append(element) }
            for item in record.logs[field.name]?.items ?? [] {
                lines += item.entry.sortedParts.map(\.value.description)
            }
        }
        return lines.joined(separator: "\n").lowercased()
    }

    /// Writes the search text of every record held, from its state: once, for the records
    /// held before migration v8.
    static func writeSearchText(_ db: Database) throws {
        let insert = try db.makeStatement(sql: "INSERT OR REPLACE INTO record_text (record_id, text) VALUES (?, ?)")
        let states = try Row.fetchCursor(
            db, sql: "SELECT id, state FROM records WHERE type IN ('demand', 'visit', 'project')")
        while let row = try states.next() {
            let record = try RecordState(encoded: [UInt8](row["state"] as Data))
            try insert.execute(arguments: [row["id"] as String, RecordRows(record: record).searchText])
        }
        try db.execute(sql: "UPDATE replica SET search_text = 1")
    }

    private func writeTypedRow(to db: Database) throws {
        let id = record.id.description
        let grid = record.scope.grid?.rawValue
        func text(_ field: String) -> String? { record.value(field).text }
        switch record.type {
        case .demand:
            try db.cachedStatement(
                sql: """
                    INSERT OR REPLACE INTO demands (record_id, grid, category, status, urgency, compound, deleted)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(arguments: [
                id, grid, text("category"), text("status"), text("urgency"), text("compound"), record.isDeleted,
            ])
        case .visit:
            try db.cachedStatement(
                sql: """
                    INSERT OR REPLACE INTO visits (record_id, grid, compound, visited_on, deleted)
                    VALUES (?, ?, ?, ?, ?)
                    """
            ).execute(arguments: [id, grid, text("compound"), text("visited-on"), record.isDeleted])
        case .project:
            try db.cachedStatement(
                sql: """
                    INSERT OR REPLACE INTO projects (record_id, grid, stage, category, deleted)
                    VALUES (?, ?, ?, ?, ?)
                    """
            ).execute(arguments: [id, grid, text("stage"), text("category"), record.isDeleted])
        case .community, .grid, .compound, .worker:
            let parent: String? =
                switch record.type {
                case .grid: text("community")
                case .compound: text("grid")
                default: nil
                }
            try db.cachedStatement(
                sql: """
                    INSERT OR REPLACE INTO street (record_id, type, key, name, parent, deleted)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """
            ).execute(arguments: [
                id, record.type.key, text(RecordSchema.keyField) ?? "", text("name"), parent, record.isDeleted,
            ])
        }
    }
}
