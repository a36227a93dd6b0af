import Foundation
import GridMerge
import GridModel
import GridStore
import GridTesting
import Testing

/// Writing changes and reading them back: records, queries, the op log and the status.
@Suite struct WriteTests {
    typealias F = StoreFixtures

    @Test func aCreatedDemandReadsBack() async throws {
        try await withTemporaryFolder { folder in
            let wall = ManualWallClock()
            let store = try SQLiteReplicaStore.create(in: folder, identity: F.identity, wallClock: wall)
            let id = F.id(7)
            let ops = try await store.write(F.create(id, F.newDemand))

            #expect(ops.count == F.newDemand.count)
            #expect(ops.map(\.id) == (1...4).map { OpID(replica: F.identity.replica, sequence: UInt64($0)) })
            #expect(ops.map(\.field) == F.newDemand.map(\.field))
            #expect(ops.map(\.payload) == F.newDemand.map(\.payload))
            #expect(
                ops.allSatisfy {
                    $0.recordID == id && $0.recordType == .demand && $0.scope == F.grid1.scope
                        && $0.author == F.identity.worker
                })
            #expect(zip(ops, ops.dropFirst()).allSatisfy { $0.clock < $1.clock })
            #expect(ops[0].clock.milliseconds == wall.millisecondsSince1970())

            let record = try #require(try await store.record(id))
            #expect(record.type == .demand && record.id == id && record.scope == F.grid1.scope)
            #expect(record.value("title") == .text("楼道堆物清理"))
            #expect(record.value("category") == .text("fire-safety"))
            #expect(record.value("status") == .text("raised"))
            #expect(record.value("urgency") == .text("normal"))
            #expect(!record.isDeleted)
            #expect(record.conflictedFields.isEmpty)
            #expect(record == (try referenceState(ops))[id])
            #expect(try await store.record(F.id(8)) == nil)
        }
    }

    @Test func editsOfEveryKindReadBack() async throws {
        try await withTemporaryFolder { folder in
            let wall = ManualWallClock()
            let store = try SQLiteReplicaStore.create(in: folder, identity: F.identity, wallClock: wall)
            let id = F.id(1)
            var written = try await store.write(F.create(id, F.newDemand))
            wall.advance(by: 60_000)
            written += try await store.write(F.edit(id, .assign("status", "accepted")))
            written += try await store.write(F.edit(id, .add("tags", "消防"), .add("tags", "老旧小区")))
            written += try await store.write(F.edit(id, .change("backers", by: 12), .change("backers", by: -2)))
            written += try await store.write(F.edit(id, .remove("tags", "消防")))
            written += try await store.write(
                F.edit(id, .append("notes", LogEntry(["text": .text("已联系物业，周五清理。")]))))
            wall.advance(by: -3_600_000)  // the laptop's clock goes back an hour
            written += try await store.write(F.edit(id, .assign("description", "三单元门口路灯已坏两周，老人夜间出行不便。")))

            #expect(written.map(\.id.sequence) == Array(1...UInt64(written.count)))
            #expect(zip(written, written.dropFirst()).allSatisfy { $0.clock < $1.clock })

            let record = try #require(try await store.record(id))
            #expect(record.value("status") == .text("accepted"))
            #expect(record.sets["tags"]?.elements == ["老旧小区"])
            #expect(record.counters["backers"]?.value == 10)
            #expect(record.logs["notes"] != nil)
            #expect(record.value("description") == .text("三单元门口路灯已坏两周，老人夜间出行不便。"))
            #expect(record.registers["status"]?.heads.count == 1)
            #expect(record == (try referenceState(written))[id])

            // The op log holds exactly what `write` returned, in local order, and pages.
            #expect(try await store.ops(after: 0, limit: 1_000) == written)
            #expect(try await store.ops(after: 2, limit: 3) == Array(written[2..<5]))
            #expect(try await store.ops(after: Int64(written.count), limit: 10).isEmpty)
            #expect(try await store.ops(after: 0, limit: 0).isEmpty)
        }
    }

    @Test func deletingAndRestoring() async throws {
        try await withTemporaryFolder { folder in
            let store = try SQLiteReplicaStore.create(in: folder, identity: F.identity, wallClock: ManualWallClock())
            let id = F.id(1)
            var written = try await store.write(F.create(id, F.newDemand))
            written += try await store.write(F.edit(id, .delete))
            #expect(try await store.record(id)?.isDeleted == true)
            #expect(try await store.records(RecordQuery(type: .demand)).isEmpty)
            #expect(try await store.status().records["demand", default: 0] == 0)
            // A deleted record can be restored, but not edited.
            let refused = await storeError { try await store.write(F.edit(id, .assign("status", "accepted"))) }
            #expect(refused?.code == .unknownRecord)
            written += try await store.write(F.edit(id, .restore))
            written += try await store.write(F.edit(id, .assign("status", "accepted")))
            let record = try #require(try await store.record(id))
            #expect(!record.isDeleted && record.value("status") == .text("accepted"))
            #expect(try await store.records(RecordQuery(type: .demand)).map(\.id) == [id])
            #expect(try await store.ops(after: 0, limit: 100) == written)
            #expect(record == (try referenceState(written))[id])
        }
    }

    @Test func queriesFilterByGridStatusCategoryAndLiveness() async throws {
        try await withTemporaryFolder { folder in
            let store = try SQLiteReplicaStore.create(in: folder, identity: F.identity, wallClock: ManualWallClock())
            // Created out of id order: lists show the newest first, whatever the ids.
            let raisedFire = F.id(3), resolvedEnv = F.id(1), acceptedFire = F.id(4), deletedOther = F.id(2)
            let project = F.id(6), visit = F.id(5)
            let compound = try #require(F.street.compounds.first { $0.grid == F.grid2.id }).id.rawValue
            _ = try await store.write(
                F.create(raisedFire, in: F.grid1.scope, F.demand("楼道堆物清理", category: .fireSafety, status: .raised)))
            _ = try await store.write(
                F.create(resolvedEnv, in: F.grid1.scope, F.demand("垃圾分类点太远", category: .environment, status: .resolved))
            )
            _ = try await store.write(
                F.create(acceptedFire, in: F.grid2.scope, F.demand("消防栓缺水", category: .fireSafety, status: .accepted)))
            _ = try await store.write(
                F.create(deletedOther, in: F.grid2.scope, F.demand("快递柜设置", category: .other, status: .raised)))
            _ = try await store.write(F.edit(deletedOther, .delete))
            _ = try await store.write(
                F.create(visit, .visit, in: F.grid1.scope, F.newVisit + [.assign("compound", compound)]))
            _ = try await store.write(F.edit(acceptedFire, .assign("compound", compound)))
            _ = try await store.write(
                F.create(
                    project, .project, in: F.community,
                    [.assign("title", "楼道清理微项目"), .assign("category", "fire-safety"), .assign("stage", "collect")]))

            func ids(_ configure: (inout RecordQuery) -> Void = { _ in }, type: RecordType = .demand) async throws
                -> [RecordID]
            {
                var query = RecordQuery(type: type)
                configure(&query)
                return try await store.records(query).map(\.id)
            }
            #expect(try await ids() == [acceptedFire, resolvedEnv, raisedFire])
            #expect(
                try await ids { $0.includeDeleted = true } == [deletedOther, acceptedFire, resolvedEnv, raisedFire])
            #expect(try await ids { $0.grid = F.grid1.id } == [resolvedEnv, raisedFire])
            #expect(try await ids { $0.grid = F.grid2.id } == [acceptedFire])
            #expect(
                try await ids {
                    $0.grid = F.grid2.id; $0.includeDeleted = true
                } == [deletedOther, acceptedFire])
            #expect(try await ids { $0.status = .raised } == [raisedFire])
            #expect(
                try await ids {
                    $0.status = .raised; $0.includeDeleted = true
                } == [deletedOther, raisedFire])
            #expect(try await ids { $0.status = .closed }.isEmpty)
            #expect(try await ids { $0.category = .fireSafety } == [acceptedFire, raisedFire])
            #expect(
                try await ids {
                    $0.category = .fireSafety; $0.grid = F.grid1.id
                } == [raisedFire])
            #expect(try await ids { $0.openOnly = true } == [acceptedFire, raisedFire])
            #expect(
                try await ids {
                    $0.openOnly = true; $0.includeDeleted = true
                } == [deletedOther, acceptedFire, raisedFire])
            #expect(
                try await ids {
                    $0.openOnly = true; $0.grid = F.grid2.id
                } == [acceptedFire])
            #expect(try await ids { $0.compound = CompoundID(compound) } == [acceptedFire])
            #expect(
                try await ids {
                    $0.compound = CompoundID(compound); $0.grid = F.grid1.id
                }.isEmpty)
            #expect(try await ids({ $0.compound = CompoundID(compound) }, type: .visit) == [visit])
            #expect(try await ids(type: .visit) == [visit])
            #expect(try await ids({ $0.grid = F.grid2.id }, type: .visit).isEmpty)
            #expect(try await ids(type: .project) == [project])
            #expect(try await ids({ $0.stage = .collect }, type: .project) == [project])
            #expect(try await ids({ $0.category = .environment }, type: .project).isEmpty)
            // A community-level project belongs to no grid.
            #expect(try await ids({ $0.grid = F.grid1.id }, type: .project).isEmpty)

            // The states a query returns are the records' full states.
            let listed = try await store.records(RecordQuery(type: .demand))
            for record in listed {
                #expect(record == (try await store.record(record.id)))
            }
            // Status changes move records between filters.
            _ = try await store.write(F.edit(raisedFire, .assign("status", "in-progress")))
            #expect(try await ids { $0.status = .raised }.isEmpty)
            #expect(try await ids { $0.status = .inProgress } == [raisedFire])
            #expect(try await ids { $0.openOnly = true } == [acceptedFire, raisedFire])
            _ = try await store.write(F.edit(raisedFire, .assign("status", "closed")))
            #expect(try await ids { $0.openOnly = true } == [acceptedFire])
        }
    }

    @Test func allRecordsAreSortedByTypeThenId() async throws {
        try await withTemporaryFolder { folder in
            let store = try SQLiteReplicaStore.create(in: folder, identity: F.identity, wallClock: ManualWallClock())
            let made: [(RecordID, RecordType)] = [
                (F.id(9), .visit), (F.id(2), .demand), (F.id(5), .visit), (F.id(8), .demand), (F.id(1), .visit),
                (F.id(3), .project), (F.id(4), .demand),
            ]
            var written: [Op] = []
            for (id, type) in made {
                let edits: [Edit] =
                    switch type {
                    case .demand: F.newDemand
                    case .visit: F.newVisit
                    case .project:
                        [.assign("title", "路灯微项目"), .assign("category", "convenience"), .assign("stage", "collect")]
                    default: []
                    }
                written += try await store.write(F.create(id, type, edits))
            }
            written += try await store.write(F.edit(F.id(8), .delete))
            let all = try await store.allRecords()
            let expected = made.sorted { ($0.1, $0.0) < ($1.1, $1.0) }.map(\.0)
            #expect(all.map(\.id) == expected)
            #expect(all.map(\.type) == [.demand, .demand, .demand, .project, .visit, .visit, .visit])
            // Deleted records are included, as exports need them.
            #expect(all.first { $0.id == F.id(8) }?.isDeleted == true)
            let reference = try referenceState(written)
            #expect(all == expected.map { reference[$0]! })
        }
    }

    @Test func statusCountsOpsRecordsAndConflicts() async throws {
        try await withTemporaryFolder { folder in
            let wall = ManualWallClock()
            let store = try SQLiteReplicaStore.create(in: folder, identity: F.identity, wallClock: wall)
            let empty = try await store.status()
            #expect(empty.identity == F.identity)
            #expect(empty.opCount == 0 && empty.ownOpCount == 0 && empty.unsyncedOpCount == 0)
            #expect(empty.records.values.allSatisfy { $0 == 0 })
            #expect(empty.conflictCount == 0 && empty.lastSync == nil)

            let demand = F.id(1)
            _ = try await store.write(F.create(demand, F.newDemand))
            _ = try await store.write(F.create(F.id(2), F.newDemand))
            _ = try await store.write(F.create(F.id(3), .visit, F.newVisit))
            _ = try await store.write(F.edit(F.id(2), .delete))
            var status = try await store.status()
            #expect(status.opCount == 12)  // 4 + 4 + 3 + 1
            #expect(status.ownOpCount == 12)
            #expect(status.unsyncedOpCount == 12)
            #expect(status.records["demand"] == 1)
            #expect(status.records["visit"] == 1)
            #expect(status.records["project", default: 0] == 0)
            #expect(status.conflictCount == 0)

            // A colleague receives the demand and changes its status while this replica does too.
            var colleague = Replica(
                id: ReplicaID(rawValue: 0x0000_0000_0000_0002), author: F.street.workers[1].id,
                clock: HybridClock(wallClock: wall))
            for op in try await store.ops(after: 0, limit: 100) { try colleague.receive(op) }
            wall.advance(by: 1_000)
            let theirs = try colleague.edit(demand, .assign("status", "resolved"))
            wall.advance(by: 1_000)
            let ours = try await store.write(F.edit(demand, .assign("status", "accepted")))
            #expect(try await store.ingest([theirs]) == 1)

            status = try await store.status()
            #expect(status.opCount == 14)
            #expect(status.ownOpCount == 13)
            #expect(status.conflictCount == 1)
            #expect(status.records["demand"] == 1)
            let record = try #require(try await store.record(demand))
            #expect(record.conflictedFields == ["status"])
            #expect(Set(record.registers["status"]!.headIDs) == [theirs.id, ours[0].id])
            // The latest clock wins meanwhile.
            #expect(record.value("status") == .text("accepted"))
            #expect(record == colleagueAfterReceiving(colleague, ours)[demand])

            // Rewriting the status names both heads and settles the conflict.
            let settle = try await store.write(F.edit(demand, .assign("status", "resolved")))
            #expect(Set(settle[0].parents).isSuperset(of: [theirs.id, ours[0].id]))
            status = try await store.status()
            #expect(status.conflictCount == 0)
            #expect(status.opCount == 15 && status.ownOpCount == 14)
            #expect(try await store.record(demand)?.conflictedFields == [])
        }
    }

    private func colleagueAfterReceiving(_ colleague: Replica, _ ops: [Op]) -> ReplicaState {
        var colleague = colleague
        for op in ops { _ = try? colleague.receive(op) }
        return colleague.state
    }
}
