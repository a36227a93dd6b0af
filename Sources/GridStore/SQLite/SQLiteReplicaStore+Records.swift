import Foundation
import GRDB
import GridMerge
import GridModel

/// Reading records: the merged states, the lists' typed rows, the street's names and the
/// replica's counts. Every read here sees the records through the last op stored
/// (``readRecords(_:)``).
extension SQLiteReplicaStore {
    /// The open statuses of a demand as an SQL list (`'raised', 'accepted', …`): ``DemandStatus/isOpen``'s.
    static let openStatuses = DemandStatus.allCases.filter(\.isOpen).map { "'\($0.key)'" }.joined(separator: ", ")

    public func record(_ id: RecordID) async throws -> RecordState? {
        try await readRecords { db in
            try Data.fetchOne(db, sql: "SELECT state FROM records WHERE id = ?", arguments: [id.description])
                .map { try RecordState(encoded: [UInt8]($0)) }
        }
    }

    public func findRecord(_ text: String, type: RecordType?) async throws -> RecordID {
        let prefix = text.trimmingCharacters(in: .whitespaces).lowercased()
        let what = type?.key ?? "record"
        guard prefix.count >= 4, prefix.allSatisfy({ $0.isHexDigit || $0 == "-" }) else {
            throw StoreError(
                .unknownRecord,
                "'\(text)' is not a \(what) id: give the id, or its first 4 or more characters, as `list` shows them")
        }
        let ids = try await readRecords { db in
            try String.fetchAll(
                db,
                sql:
                    "SELECT id FROM records WHERE id >= ? AND id < ? || '~' AND (? IS NULL OR type = ?) ORDER BY id LIMIT 6",
                arguments: [prefix, prefix, type?.key, type?.key])
        }
        switch ids.count {
        case 0:
            throw StoreError(
                .unknownRecord,
                "no \(what) has an id starting with '\(prefix)' on this replica: check the id, or sync first")
        case 1:
            return RecordID(ids[0])!
        default:
            throw StoreError(
                .ambiguousRecord,
                "several records start with '\(prefix)' (\(ids.prefix(5).joined(separator: ", "))…): give more of the id"
            )
        }
    }

    public func records(_ query: RecordQuery) async throws -> [RecordState] {
        let (sql, arguments) = Self.listQuery(query)
        return try await readRecords { db in
            // The ids first, in the list's order, then their states: where a list is sorted (a
            // search's matches), the sort carries ids, not whole records.
            let ids = try String.fetchAll(db, sql: sql, arguments: arguments)
            let states = try Self.states(db, ids: ids)
            return ids.compactMap { states[$0] }
        }
    }

    /// The SQL that selects `query`'s records' ids, in the list's order, and its arguments.
    static func listQuery(_ query: RecordQuery) -> (sql: String, arguments: StatementArguments) {
        var conditions = ["r.type = ?"]
        var arguments: [(any DatabaseValueConvertible)?] = [query.type.key]
        let table: String
        switch query.type {
        case .demand: table = "demands"
        case .visit: table = "visits"
        case .project: table = "projects"
        case .community, .grid, .compound, .worker: table = "street"
        }
        func filter(_ column: String, _ value: String?) {
            guard let value else { return }
            conditions.append("t.\(column) = ?")
            arguments.append(value)
        }
        if query.type.isReference {
            // The street's lists: the record's type and key are all there is to select by.
            precondition(
                query.grid == nil && query.compound == nil && query.category == nil && query.days == nil
                    && query.search == nil,
                "reference records are selected by type alone")
        } else {
            filter("grid", query.grid?.rawValue)
        }
        if query.type == .visit || query.type == .demand { filter("compound", query.compound?.rawValue) }
        if query.type == .demand || query.type == .project { filter("category", query.category?.key) }
        if query.type == .demand {
            filter("status", query.status?.key)
            if query.openOnly {
                conditions.append("t.status IN (\(Self.openStatuses))")
            }
        }
        if query.type == .project { filter("stage", query.stage?.key) }
        if let days = query.days {
            if query.type == .visit {
                if let first = days.first {
                    conditions.append("t.visited_on >= ?")
                    arguments.append(first)
                }
                if let last = days.last {
                    conditions.append("t.visited_on <= ?")
                    arguments.append(last)
                }
            } else {
                // Clocks are milliseconds shifted left 16 bits, past a counter.
                if let first = days.first.flatMap({ days.start(of: $0) }) {
                    conditions.append("r.created_clock >= ?")
                    arguments.append(Int64(bitPattern: HybridTimestamp(milliseconds: first, counter: 0).rawValue))
                }
                if let end = days.last.flatMap({ days.start(of: $0, plus: 1) }) {
                    conditions.append("r.created_clock < ?")
                    arguments.append(Int64(bitPattern: HybridTimestamp(milliseconds: end, counter: 0).rawValue))
                }
            }
        }
        if !query.includeDeleted { conditions.append("r.deleted = 0") }
        if let communities = query.communities {
            conditions.append("r.community IN (\(communities.map { _ in "?" }.joined(separator: ", ")))")
            for community in communities { arguments.append(community.rawValue) }
            if communities.isEmpty { conditions.append("0") }
        }
        if let search = query.search {
            conditions.append("r.id IN (SELECT record_id FROM record_text WHERE instr(text, ?) > 0)")
            arguments.append(search.lowercased())
        }
        var page = ""
        if let limit = query.limit {
            page = "LIMIT ? OFFSET ?"
            arguments.append(limit)
            arguments.append(query.offset)
        }
        // Visits are listed by day: read in the order of the visits' index by day, a page stops at
        // its last row (SQLite's planner, left to choose, sorts every visit of the street first).
        // The other types are listed newest first, in the order of `records_by_time`.
        let from =
            query.type == .visit
            ? "visits t CROSS JOIN records r ON t.record_id = r.id" : "records r JOIN \(table) t ON t.record_id = r.id"
        let sql = """
            SELECT r.id FROM \(from)
            WHERE \(conditions.joined(separator: " AND "))
            ORDER BY \(query.type.isReference ? "t.key, " : query.type == .visit ? "t.visited_on DESC, " : "")r.created_clock DESC, r.id
            \(page)
            """
        return (sql, StatementArguments(arguments))
    }

    /// The records with these ids that the replica holds, in no particular order.
    public func records(withIDs ids: [RecordID]) async throws -> [RecordState] {
        try await readRecords { db in Array(try Self.states(db, ids: ids.map(\.description)).values) }
    }

    /// The states of the records with these ids that the replica holds, by id.
    static func states(_ db: Database, ids: [String]) throws -> [String: RecordState] {
        var states: [String: RecordState] = [:]
        // In slices, under SQLite's limit on bound values.
        for start in stride(from: 0, to: ids.count, by: 500) {
            let slice = ids[start..<min(start + 500, ids.count)]
            let marks = Array(repeating: "?", count: slice.count).joined(separator: ", ")
            for row in try Row.fetchAll(
                db, sql: "SELECT id, state FROM records WHERE id IN (\(marks))", arguments: StatementArguments(slice))
            {
                states[row["id"]] = try RecordState(encoded: [UInt8](row["state"] as Data))
            }
        }
        return states
    }

    public func allRecords() async throws -> [RecordState] {
        try await readRecords { db in
            try Data.fetchAll(db, sql: "SELECT state FROM records ORDER BY type, id")
                .map { try RecordState(encoded: [UInt8]($0)) }
        }
    }

    public func timelines(of ids: [RecordID]) async throws -> [RecordID: RecordTimeline] {
        let steps = RecordTimeline.stepFields.map { "'\($0)'" }.joined(separator: ", ")
        return try await readRecords { db in
            var timelines: [RecordID: RecordTimeline] = [:]
            // In slices, under SQLite's limit on bound values.
            for start in stride(from: 0, to: ids.count, by: 500) {
                let slice = ids[start..<min(start + 500, ids.count)].map(\.description)
                let marks = Array(repeating: "?", count: slice.count).joined(separator: ", ")
                let bound = StatementArguments(slice)
                for row in try Row.fetchAll(
                    db, sql: "SELECT id, created_clock, updated_clock FROM records WHERE id IN (\(marks))",
                    arguments: bound)
                {
                    guard let id = RecordID(row[0] as String) else { continue }
                    timelines[id] = RecordTimeline(
                        created: HybridTimestamp(rawValue: UInt64(bitPattern: row[1] as Int64)),
                        changed: HybridTimestamp(rawValue: UInt64(bitPattern: row[2] as Int64)), steps: [])
                }
                for row in try Row.fetchAll(
                    db,
                    sql: """
                        SELECT \(Self.opColumns) FROM ops
                        WHERE record_id IN (\(marks)) AND field IN (\(steps)) ORDER BY clock, replica, sequence
                        """, arguments: bound)
                {
                    let op = try Self.op(from: row)
                    guard case .assign(.text(let value)) = op.payload else { continue }
                    timelines[op.recordID]?.steps.append(
                        RecordTimeline.Step(field: op.field, value: value, clock: op.clock, author: op.author))
                }
            }
            return timelines
        }
    }

    public func streetEntries(_ type: RecordType) async throws -> [StreetEntry] {
        try await readRecords { db in
            try Row.fetchAll(
                db, sql: "SELECT key, name, parent FROM street WHERE type = ? AND deleted = 0 ORDER BY key",
                arguments: [type.key]
            ).map { StreetEntry(key: $0[0], name: $0[1], parent: $0[2]) }
        }
    }

    public func streetNames() async throws -> StreetNames {
        try await readRecords { db in try Self.streetNames(db) }
    }

    /// The street's names, read inside a transaction of the caller's.
    static func streetNames(_ db: Database) throws -> StreetNames {
        var entries: [RecordType: [StreetEntry]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT type, key, name FROM street WHERE deleted = 0") {
            guard let type = RecordType(rawValue: row[0]) else { continue }
            entries[type, default: []].append(StreetEntry(key: row[1], name: row[2]))
        }
        return StreetNames(entries)
    }

    public func records(naming id: RecordID) async throws -> [RecordState] {
        let text = id.description
        let states = try await readRecords { db in
            try Data.fetchAll(db, sql: Self.namingQuery, arguments: [text]).map {
                try RecordState(encoded: [UInt8]($0))
            }
        }
        // An op once named it; the record names it still only if the merged value does.
        return states.filter { record in
            record.type.schema.fields.contains { field in
                switch field.shape {
                case .register(.record): record.value(field.name) == .text(text)
                case .set(.record): record.sets[field.name]?.elements.contains(text) == true
                default: false
                }
            }
        }
    }

    /// The live records whose ops ever named the record `?`, through the index of the ops that
    /// name records (migration v7): its expression and its `WHERE`, word for word, so that
    /// SQLite can use it.
    static let namingQuery = """
        SELECT r.state FROM records r WHERE r.deleted = 0 AND r.id IN (
            SELECT record_id FROM ops WHERE (\(namingFields.map { "field = '\($0)'" }.joined(separator: " OR ")))
                AND coalesce(json_extract(payload, '$.add'), json_extract(payload, '$.assign')) = ?)
        ORDER BY r.created_clock, r.id
        """

    /// The names of the fields, of any record type, whose values name other records.
    static let namingFields: [String] = Array(
        Set(
            RecordType.allCases.flatMap { type in
                type.schema.fields.filter { field in
                    switch field.shape {
                    case .register(.record), .set(.record): true
                    default: false
                    }
                }.map(\.name)
            })
    ).sorted()

    public func conflictedRecords() async throws -> [RecordState] {
        try await readRecords { db in
            // Through the conflicts' own table: `records.conflicted` has no index, and a scan of the
            // records reads every record's state.
            try Data.fetchAll(
                db, sql: "SELECT state FROM records WHERE id IN (SELECT record_id FROM conflicts) ORDER BY id"
            ).map { bytes in
                try RecordState(encoded: [UInt8](bytes))
            }
        }
    }

    public func status() async throws -> ReplicaStatus {
        let identity = self.identity
        return try await readRecords { db in
            let replica = identity.replica.description
            let opCount = try Int.fetchOne(db, sql: "SELECT count(*) FROM ops") ?? 0
            let own = try Int.fetchOne(db, sql: "SELECT count(*) FROM ops WHERE replica = ?", arguments: [replica]) ?? 0
            let pushed = try Int64.fetchOne(db, sql: "SELECT max(pushed_through) FROM peers") ?? 0
            let unsynced =
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM ops WHERE replica = ? AND sequence > ?",
                    arguments: [replica, pushed]) ?? 0
            var records: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT type, count(*) FROM records WHERE deleted = 0 GROUP BY type") {
                records[row[0]] = row[1]
            }
            let conflicts = try Int.fetchOne(db, sql: "SELECT count(*) FROM conflicts") ?? 0
            let lastSync = try String.fetchOne(db, sql: "SELECT max(last_sync_at) FROM peers")
            var status = ReplicaStatus(
                identity: identity, opCount: opCount, ownOpCount: own, unsyncedOpCount: unsynced, records: records,
                conflictCount: conflicts, lastSync: lastSync)
            if let clock = try Row.fetchOne(db, sql: "SELECT clock_offset, clock_measured_at FROM replica") {
                status.clockOffset = clock[0]
                status.clockMeasuredAt = clock[1]
            }
            status.formerIdentities = try Row.fetchAll(
                db, sql: "SELECT replica, replaced_at, reason, reissued FROM former_identities ORDER BY replaced_at"
            ).compactMap { row in
                ReplicaID(row[0] as String).map {
                    FormerIdentity(replica: $0, replacedAt: row[1], reason: row[2], reissued: row[3])
                }
            }
            return status
        }
    }
}
