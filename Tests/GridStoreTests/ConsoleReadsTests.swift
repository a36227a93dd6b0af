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
    }
}
