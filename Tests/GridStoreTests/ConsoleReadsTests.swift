import Foundation
import GRDB
import GridMerge
import GridModel
import GridTesting
import Testing

@testable import GridStore

/// What the office's console reads on every page: the records that name a record (the visit a
/// demand came from, the project answering it), as a record's page and `gridsync show` list
/// them, and a page of a list. On a year of a street each of them once read a table of
/// hundreds of thousands of rows; their plans must seek, and stop at the page's last row.
@Suite struct ConsoleReadsTests {
    typealias F = StoreFixtures

    @Test func theRecordsNamingARecordAreThoseWhoseMergedValuesNameItNow() async throws {
        try await withTemporaryFolder { folder in
            let store = try SQLiteReplicaStore.create(in: folder, identity: F.identity, wallClock: ManualWallClock())
            let (visit, otherVisit, demand, otherDemand, project) = (F.id(1), F.id(2), F.id(3), F.id(4), F.id(5))
            _ = try await store.write(F.create(visit, .visit, F.newVisit))
            _ = try await store.write(F.create(otherVisit, .visit, F.newVisit))
            _ = try await store.write(F.create(demand, F.newDemand + [.assign("visit", visit.description)]))
            _ = try await store.write(F.create(otherDemand, F.newDemand))
            _ = try await store.write(
                F.create(
                    project, .project,
                    [
                        .assign("title", "加装楼道灯"), .assign("category", "convenience"), .assign("stage", "design"),
                        .add("demands", demand.description), .add("demands", otherDemand.description),
                    ]))
            func naming(_ id: RecordID) async throws -> [RecordID] { try await store.records(naming: id).map(\.id) }
            #expect(try await naming(visit) == [demand])
            #expect(try await naming(demand) == [project])
            #expect(try await naming(otherDemand) == [project])
            #expect(try await naming(project).isEmpty)

            // A link taken back, or pointed elsewhere, no longer counts; the op that made it stays in the log.
            _ = try await store.write(F.edit(project, .remove("demands", otherDemand.description)))
            _ = try await store.write(F.edit(demand, .assign("visit", otherVisit.description)))
            #expect(try await naming(otherDemand).isEmpty)
            #expect(try await naming(visit).isEmpty)
            #expect(try await naming(otherVisit) == [demand])
            // Nor does a deleted record.
            _ = try await store.write(F.edit(project, .delete))
            #expect(try await naming(demand).isEmpty)
        }
    }

    /// Whether `needle` is in the record's free text, as the office means it: a field's value
    /// or an entry of a log, whatever the case. The model the store's search is checked against.
    static func mentions(_ record: RecordState, _ needle: String) -> Bool {
        var texts: [String] = []
        for field in record.type.schema.fields {
            if case .text(let text) = record.value(field.name) { texts.append(text) }
            texts += record.sets[field.name]?.elements ?? []
            for item in record.logs[field.name]?.items ?? [] {
                for part in item.entry.sortedParts { texts.append("\(part.value)") }
            }
        }
        return texts.contains { $0.lowercased().contains(needle.lowercased()) }
    }

    /// Demands, visits and projects with free text in Chinese and English, some changed,
    /// noted or deleted after they were written.
    static func writeStreet(into store: SQLiteReplicaStore) async throws {
        let titles = ["楼道堆物清理", "Stairwell LIGHT broken", "路灯不亮", "停车位纠纷", "楼道灯坏了", "电梯噪音"]
        for (number, title) in titles.enumerated() {
            _ = try await store.write(
                F.create(F.id(number + 1), F.demand(title, category: .convenience, status: .raised)))
        }
        _ = try await store.write(F.edit(F.id(1), .assign("title", "消防通道堆物")))
        _ = try await store.write(
            F.edit(F.id(3), .append(RecordSchema.notesField, LogEntry(["text": .text("居民说楼道也暗")]))))
        _ = try await store.write(F.edit(F.id(6), .delete))
        _ = try await store.write(
            F.create(F.id(20), .visit, F.newVisit + [.assign("household", "3栋2单元501 (Wang)")]))
        _ = try await store.write(
            F.create(
                F.id(30), .project,
                [
                    .assign("title", "加装楼道灯"), .assign("category", "convenience"), .assign("stage", "design"),
                    .add("demands", F.id(5).description),
                ]))
    }

    /// A list's search finds exactly the live records whose free text holds the words, in the
    /// list's order, whatever the case: a title changed since no longer matches by its old
    /// words, a note does, a deleted record is not listed.
    @Test func aSearchFindsTheRecordsWhoseFreeTextHoldsTheWords() async throws {
        try await withTemporaryFolder { folder in
            let store = try SQLiteReplicaStore.create(in: folder, identity: F.identity, wallClock: ManualWallClock())
            try await Self.writeStreet(into: store)
            let all = try await store.allRecords()
            for needle in ["楼道", "楼道堆物", "堆物", "light", "STAIRWELL", "wang", "501", "灯", "电梯", "不在", "凉"] {
                for type in [RecordType.demand, .visit, .project] {
                    var query = RecordQuery(type: type)
                    query.search = needle
                    let found = try await store.records(query).map(\.id)
                    let unfiltered = try await store.records(RecordQuery(type: type)).map(\.id)
                    let expected = unfiltered.filter { id in
                        all.contains { $0.id == id && Self.mentions($0, needle) }
                    }
                    #expect(found == expected, "\(type.key) '\(needle)'")
                }
            }
            var query = RecordQuery(type: .demand)
            query.search = "楼道"
            // The stairwell clutter is now the fire lane's; the street light's note speaks of the stairwell.
            #expect(Set(try await store.records(query).map(\.id)) == [F.id(3), F.id(5)])
        }
    }

    /// A replica made before the search text was kept gets it when it next opens, from its
    /// records' states.
    @Test func recordsHeldBeforeTheSearchTextWasKeptAreFoundOnceReopened() async throws {
        try await withTemporaryFolder { folder in
            do {
                let store = try SQLiteReplicaStore.create(
                    in: folder, identity: F.identity, wallClock: ManualWallClock())
                try await Self.writeStreet(into: store)
            }
            try await DatabaseQueue(path: folder + "/" + SQLiteReplicaStore.fileName).write { db in
                try db.execute(sql: "DELETE FROM record_text; UPDATE replica SET search_text = 0")
            }
            let reopened = try SQLiteReplicaStore.open(in: folder)
            var query = RecordQuery(type: .demand)
            query.search = "LIGHT"
            #expect(try await reopened.records(query).map(\.id) == [F.id(2)])
        }
    }

    /// The plan SQLite makes for `sql`, one line per step.
    static func plan(_ sql: String, _ arguments: StatementArguments) async throws -> [String] {
        try await withTemporaryFolder { folder in
            _ = try SQLiteReplicaStore.create(in: folder, identity: F.identity, wallClock: ManualWallClock())
            let database = try DatabaseQueue(path: folder + "/" + SQLiteReplicaStore.fileName)
            return try await database.read { db in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map {
                    $0["detail"] as String
                }
            }
        }
    }

    /// The search goes through the index of the ops that name records, which lists every field
    /// that names one (a new such field needs a migration that adds it).
    @Test func theRecordsNamingARecordAreFoundThroughTheIndexOfTheOpsThatNameRecords() async throws {
        let plan = try await Self.plan(SQLiteReplicaStore.namingQuery, ["x"])
        #expect(plan.contains { $0.contains("USING INDEX ops_by_named_record") }, "\(plan)")
        #expect(!plan.contains { $0.hasPrefix("SCAN ops") }, "\(plan)")
    }

    /// A page of a list walks the type's records in the list's order and stops after its last
    /// row: no step sorts the whole type (`USE TEMP B-TREE FOR ORDER BY`), at most the records
    /// of one instant or one day (`FOR RIGHT PART OF ORDER BY`).
    @Test(arguments: [RecordType.demand, .visit, .project])
    func aPageOfAListIsReadInTheListsOrder(_ type: RecordType) async throws {
        var query = RecordQuery(type: type)
        query.communities = [F.grid1.community, F.foreignScope.community]
        query.limit = 51
        query.offset = 50
        if type == .demand { query.status = .accepted }
        let (sql, arguments) = SQLiteReplicaStore.listQuery(query)
        let plan = try await Self.plan(sql, arguments)
        #expect(!plan.contains("USE TEMP B-TREE FOR ORDER BY"), "\(plan)")
        #expect(!plan.contains { $0.hasPrefix("SCAN") && !$0.contains("INDEX") }, "\(plan)")
        #expect(
            plan.contains { $0.contains(type == .visit ? "INDEX visits_by_day" : "INDEX records_by_time") }, "\(plan)")

        // A search reads the narrow table of free text, not the records: if SQLite then sorts, it sorts the
        // matches' ids.
        query.search = "楼道"
        let (searchSQL, searchArguments) = SQLiteReplicaStore.listQuery(query)
        let searched = try await Self.plan(searchSQL, searchArguments)
        #expect(searched.contains("SCAN record_text"), "\(searched)")
        #expect(
            !searched.contains { $0.hasPrefix("SCAN") && $0 != "SCAN record_text" && !$0.contains("INDEX") },
            "\(searched)")
        #expect(searchSQL.hasPrefix("SELECT r.id FROM"))
    }
}
