import GridMerge
import GridModel
import GridTesting
import Testing

/// Deleting a record is a register of its own, so a delete concurrent with an edit is a conflict.
@Suite struct DeletionTests {
    @Test func aDeleteConcurrentWithAnEditIsAConflictOnDeleted() throws {
        let wall = ManualWallClock()
        var worker = Fixtures.replica(1, wall: wall)
        var office = Fixtures.replica(2, wall: wall)
        try worker.create(.demand, id: Fixtures.demandID, in: Fixtures.scope, Fixtures.newDemand)
        try Fixtures.sync(worker, into: &office)
        wall.advance(by: 100)
        let delete = try office.edit(Fixtures.demandID, .delete)
        wall.advance(by: 100)
        let edit = try worker.edit(Fixtures.demandID, .assign("description", "居民又来反映，纸箱堆到了二楼"))
        try Fixtures.sync(worker, into: &office)
        try Fixtures.sync(office, into: &worker)
        #expect(worker.state == office.state)
        let conflicts = office.state.conflicts
        #expect(conflicts.map(\.field) == ["deleted"])
        #expect(Set(conflicts[0].heads.map(\.op)) == [delete.id, edit.id])
        // The edit is later, so the record is shown alive, with the edit, while the office decides.
        #expect(office.state[Fixtures.demandID]?.isDeleted == false)
        #expect(office.state[Fixtures.demandID]?.value("description") == .text("居民又来反映，纸箱堆到了二楼"))
    }

    /// Editing another field is no decision about the delete: the conflict stays open.
    @Test func laterEditsDoNotSettleADeleteConflict() throws {
        let wall = ManualWallClock()
        var worker = Fixtures.replica(1, wall: wall)
        var office = Fixtures.replica(2, wall: wall)
        try worker.create(.demand, id: Fixtures.demandID, in: Fixtures.scope, Fixtures.newDemand)
        try Fixtures.sync(worker, into: &office)
        try office.edit(Fixtures.demandID, .delete)
        wall.advance(by: 100)
        try worker.edit(Fixtures.demandID, .assign("status", "accepted"))
        try Fixtures.sync(office, into: &worker)
        wall.advance(by: 100)
        try worker.edit(Fixtures.demandID, .assign("urgency", "urgent"))
        #expect(worker.state.conflicts.map(\.field) == ["deleted"])
        // Writing `deleted` settles it.
        try worker.edit(Fixtures.demandID, .restore)
        #expect(worker.state.conflicts.isEmpty)
        #expect(worker.state[Fixtures.demandID]?.isDeleted == false)
    }

    @Test func aDeletedRecordRefusesEditsUntilRestored() throws {
        var a = Fixtures.replica(1)
        try a.create(.demand, id: Fixtures.demandID, in: Fixtures.scope, Fixtures.newDemand)
        try a.edit(Fixtures.demandID, .delete)
        #expect(a.state[Fixtures.demandID]?.isDeleted == true)
        #expect {
            try a.edit(Fixtures.demandID, .assign("status", "closed"))
        } throws: { error in
            (error as? MergeError)?.code == .unknownRecord
                && (error as? MergeError)?.message.contains("restore") == true
        }
        try a.edit(Fixtures.demandID, .restore)
        try a.edit(Fixtures.demandID, .assign("status", "closed"))
        #expect(a.state[Fixtures.demandID]?.value("status") == .text("closed"))
        #expect(a.state.conflicts.isEmpty)
    }

    @Test func concurrentDeletesAgree() throws {
        var a = Fixtures.replica(1)
        var b = Fixtures.replica(2)
        try a.create(.demand, id: Fixtures.demandID, in: Fixtures.scope, Fixtures.newDemand)
        try Fixtures.sync(a, into: &b)
        try a.edit(Fixtures.demandID, .delete)
        try b.edit(Fixtures.demandID, .delete)
        try Fixtures.sync(a, into: &b)
        #expect(b.state[Fixtures.demandID]?.isDeleted == true)
        #expect(b.state.conflicts.isEmpty)
    }

    @Test func concurrentEditsOfDifferentFieldsDoNotConflict() throws {
        var a = Fixtures.replica(1)
        var b = Fixtures.replica(2)
        try a.create(.demand, id: Fixtures.demandID, in: Fixtures.scope, Fixtures.newDemand)
        try Fixtures.sync(a, into: &b)
        try a.edit(Fixtures.demandID, .assign("status", "accepted"))
        try b.edit(Fixtures.demandID, .assign("urgency", "urgent"))
        try Fixtures.sync(a, into: &b)
        try Fixtures.sync(b, into: &a)
        #expect(a.state == b.state)
        #expect(a.state.conflicts.isEmpty)
        #expect(a.state[Fixtures.demandID]?.value("status") == .text("accepted"))
        #expect(a.state[Fixtures.demandID]?.value("urgency") == .text("urgent"))
    }
}
