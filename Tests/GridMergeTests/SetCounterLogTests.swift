import GridMerge
import GridModel
import GridTesting
import Testing

/// Sets, counters and logs: they merge without conflicts.
@Suite struct SetCounterLogTests {
    @Test func aConcurrentAddWinsOverARemove() throws {
        var a = Fixtures.replica(1)
        var b = Fixtures.replica(2)
        try a.create(.demand, id: Fixtures.demandID, in: Fixtures.scope, Fixtures.newDemand + [.add("tags", "消防")])
        try Fixtures.sync(a, into: &b)
        let removal = try a.edit(Fixtures.demandID, .remove("tags", "消防"))
        try b.edit(Fixtures.demandID, .add("tags", "消防"))
        try b.edit(Fixtures.demandID, .add("tags", "老旧小区"))
        try Fixtures.sync(b, into: &a)
        try Fixtures.sync(a, into: &b)
        #expect(a.state == b.state)
        #expect(a.state[Fixtures.demandID]?.sets["tags"]?.elements == ["消防", "老旧小区"].sorted())
        #expect(removal.parents.count >= 1)
        #expect(a.state.conflicts.isEmpty)
    }

    @Test func aRemoveThatSawEveryAddRemoves() throws {
        var a = Fixtures.replica(1)
        var b = Fixtures.replica(2)
        try a.create(.demand, id: Fixtures.demandID, in: Fixtures.scope, Fixtures.newDemand + [.add("tags", "消防")])
        try Fixtures.sync(a, into: &b)
        try b.edit(Fixtures.demandID, .add("tags", "消防"))  // a second tag for the same element
        try Fixtures.sync(b, into: &a)
        try a.edit(Fixtures.demandID, .remove("tags", "消防"))
        try Fixtures.sync(a, into: &b)
        #expect(b.state[Fixtures.demandID]?.sets["tags"]?.elements == [])
    }

    @Test func removingAnAbsentElementIsRefused() throws {
        var a = Fixtures.replica(1)
        try a.create(.demand, id: Fixtures.demandID, in: Fixtures.scope, Fixtures.newDemand)
        #expect {
            try a.edit(Fixtures.demandID, .remove("tags", "停车"))
        } throws: { error in
            (error as? MergeError)?.message.contains("nothing to remove") == true
        }
    }

    /// A removal's parents also name the record's liveness heads; those must not remove other elements.
    @Test func removingOneElementLeavesAnotherAddedJustBefore() throws {
        var a = Fixtures.replica(1)
        try a.create(.demand, id: Fixtures.demandID, in: Fixtures.scope, Fixtures.newDemand + [.add("tags", "消防")])
        let add = try a.edit(Fixtures.demandID, .add("tags", "停车"))
        let removal = try a.edit(Fixtures.demandID, .remove("tags", "消防"))
        #expect(removal.parents.contains(add.id))
        #expect(a.state[Fixtures.demandID]?.sets["tags"]?.elements == ["停车"])
    }

    @Test func countersAddEveryReplicasChanges() throws {
        var a = Fixtures.replica(1)
        var b = Fixtures.replica(2)
        try a.create(.demand, id: Fixtures.demandID, in: Fixtures.scope, Fixtures.newDemand)
        try Fixtures.sync(a, into: &b)
        try a.edit(Fixtures.demandID, .change("backers", by: 12))
        try b.edit(Fixtures.demandID, .change("backers", by: 30))
        try b.edit(Fixtures.demandID, .change("backers", by: -2))
        try Fixtures.sync(a, into: &b)
        try Fixtures.sync(b, into: &a)
        let counter = try #require(a.state[Fixtures.demandID]?.counters["backers"])
        #expect(counter.value == 40)
        #expect(counter.contributions[b.id] == PNCounter.Contribution(increments: 30, decrements: 2))
        #expect(a.state == b.state)
        // Receiving the same ops again does not count them twice.
        try Fixtures.sync(b, into: &a)
        #expect(a.state[Fixtures.demandID]?.counters["backers"]?.value == 40)
    }

    @Test func zeroAndOversizedCounterChangesAreRefused() throws {
        var a = Fixtures.replica(1)
        try a.create(.demand, id: Fixtures.demandID, in: Fixtures.scope, Fixtures.newDemand)
        for amount: Int64 in [0, 10_001, -10_001] {
            #expect {
                try a.edit(Fixtures.demandID, .change("backers", by: amount))
            } throws: { error in
                (error as? MergeError)?.validation?.code == .outOfRange
            }
        }
    }

    @Test func logEntriesAreOrderedByClockOnEveryReplica() throws {
        let wall = ManualWallClock()
        var a = Fixtures.replica(1, wall: wall)
        var b = Fixtures.replica(2, wall: wall)
        let project = RecordID("0a7f0c1e-2b3c-4d5e-9f60-718293a4b5c6")!
        try a.create(
            .project, id: project, in: Fixtures.scope,
            [
                .assign("title", "楼道清理微项目"), .assign("category", "fire-safety"), .assign("stage", "implement"),
            ])
        try Fixtures.sync(a, into: &b)
        wall.advance(by: 10)
        try b.edit(project, .append("progress", LogEntry(["month": .text("2026-10"), "text": .text("完成三栋楼道清理")])))
        wall.advance(by: 10)
        try a.edit(
            project,
            .append(
                "progress", LogEntry(["month": .text("2026-11"), "text": .text("消防器材到位"), "percent": .integer(80)])))
        try Fixtures.sync(a, into: &b)
        try Fixtures.sync(b, into: &a)
        let months = a.state[project]?.logs["progress"]?.items.map { $0.entry["month"] }
        #expect(months == [.text("2026-10"), .text("2026-11")])
        #expect(a.state == b.state)
    }

    @Test func aLogEntryMissingARequiredPartIsRefused() throws {
        var a = Fixtures.replica(1)
        let project = RecordID("0a7f0c1e-2b3c-4d5e-9f60-718293a4b5c6")!
        try a.create(
            .project, id: project, in: Fixtures.scope,
            [
                .assign("title", "楼道清理微项目"), .assign("category", "fire-safety"), .assign("stage", "collect"),
            ])
        #expect {
            try a.edit(project, .append("progress", LogEntry(["text": .text("没有月份")])))
        } throws: { error in
            (error as? MergeError)?.validation?.field == "progress.month"
        }
    }
}
