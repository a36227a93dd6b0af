import GridMerge
import GridModel
import GridTesting
import Testing

/// Multi-value registers: heads, conflicts, winners and resolution.
@Suite struct RegisterTests {
    /// Two workers change one demand's status offline: a conflict, then the office settles it.
    @Test func concurrentStatusChangesConflictUntilAResolvingWrite() throws {
        let wall = ManualWallClock()
        var wang = Fixtures.replica(1, wall: wall)
        var li = Fixtures.replica(2, wall: wall)
        var office = Fixtures.replica(3, wall: wall)
        try wang.create(.demand, id: Fixtures.demandID, in: Fixtures.scope, Fixtures.newDemand)
        try Fixtures.sync(wang, into: &li)
        try Fixtures.sync(wang, into: &office)

        wall.advance(by: 1_000)
        let accepted = try wang.edit(Fixtures.demandID, .assign("status", "accepted"))
        wall.advance(by: 1_000)
        let resolved = try li.edit(Fixtures.demandID, .assign("status", "resolved"))
        try Fixtures.sync(wang, into: &office)
        try Fixtures.sync(li, into: &office)

        let status = try #require(office.state[Fixtures.demandID]?.registers["status"])
        #expect(status.isConflicted)
        #expect(status.headIDs.sorted() == [accepted.id, resolved.id].sorted())
        #expect(status.value == .text("resolved"))  // latest clock wins the display, both stay
        #expect(office.state.conflicts.map(\.field) == ["status"])
        #expect(office.state.conflicts.first?.heads.map(\.value) == [.text("resolved"), .text("accepted")])

        let settle = try office.edit(Fixtures.demandID, .assign("status", "accepted"))
        #expect(settle.parents.contains(accepted.id) && settle.parents.contains(resolved.id))
        #expect(office.state.conflicts.isEmpty)
        #expect(office.state[Fixtures.demandID]?.value("status") == .text("accepted"))
    }

    @Test func concurrentWritesOfTheSameValueAreNotAConflict() throws {
        var a = Fixtures.replica(1)
        var b = Fixtures.replica(2)
        try a.create(.demand, id: Fixtures.demandID, in: Fixtures.scope, Fixtures.newDemand)
        try Fixtures.sync(a, into: &b)
        try a.edit(Fixtures.demandID, .assign("status", "accepted"))
        try b.edit(Fixtures.demandID, .assign("status", "accepted"))
        try Fixtures.sync(a, into: &b)
        let status = try #require(b.state[Fixtures.demandID]?.registers["status"])
        #expect(status.heads.count == 2)
        #expect(!status.isConflicted)
        #expect(b.state.conflicts.isEmpty)
    }

    @Test func sequentialWritesReplaceEachOther() throws {
        var a = Fixtures.replica(1)
        try a.create(.demand, id: Fixtures.demandID, in: Fixtures.scope, Fixtures.newDemand)
        try a.edit(Fixtures.demandID, .assign("status", "accepted"))
        try a.edit(Fixtures.demandID, .assign("status", "in-progress"))
        let status = try #require(a.state[Fixtures.demandID]?.registers["status"])
        #expect(status.heads.count == 1)
        #expect(status.value == .text("in-progress"))
    }

    @Test func equalClocksAreWonByTheHigherReplicaID() {
        let author = WorkerID("w001")!
        let low = RegisterState.Version(
            op: OpID(replica: ReplicaID(rawValue: 1), sequence: 1), clock: HybridTimestamp(milliseconds: 9, counter: 0),
            author: author, value: .text("a"))
        let high = RegisterState.Version(
            op: OpID(replica: ReplicaID(rawValue: 2), sequence: 1), clock: HybridTimestamp(milliseconds: 9, counter: 0),
            author: author, value: .text("b"))
        var one = RegisterState()
        one.apply(low, parents: [], isReplaced: false)
        one.apply(high, parents: [], isReplaced: false)
        var two = RegisterState()
        two.apply(high, parents: [], isReplaced: false)
        two.apply(low, parents: [], isReplaced: false)
        #expect(one == two)
        #expect(one.winner == high)
    }

    /// A parent that arrives after its child must not become a head, whatever the order.
    @Test func aLateParentStaysReplaced() throws {
        var writer = Fixtures.replica(1)
        try writer.create(.demand, id: Fixtures.demandID, in: Fixtures.scope, Fixtures.newDemand)
        try writer.edit(Fixtures.demandID, .assign("status", "accepted"))
        try writer.edit(Fixtures.demandID, .assign("status", "in-progress"))
        var inOrder = ReplicaState()
        for op in writer.ops { try inOrder.apply(op) }
        var reversed = ReplicaState()
        for op in writer.ops.reversed() { try reversed.apply(op) }
        try reversed.apply(writer.ops[4])  // a duplicate changes nothing
        #expect(inOrder == reversed)
        #expect(reversed[Fixtures.demandID]?.registers["status"]?.heads.map(\.op) == [writer.ops.last!.id])
        #expect(reversed[Fixtures.demandID]?.liveness.heads.map(\.op) == [writer.ops.last!.id])
        #expect(reversed.conflicts.isEmpty)
    }

    /// Until its parent arrives, a write and the parent's absence are all a replica knows;
    /// once it arrives, the state equals the in-order one.
    @Test func aMissingParentIsAwaitedNotForgotten() throws {
        var writer = Fixtures.replica(1)
        try writer.create(.demand, id: Fixtures.demandID, in: Fixtures.scope, Fixtures.newDemand)
        try writer.edit(Fixtures.demandID, .assign("status", "accepted"))
        var state = ReplicaState()
        for op in writer.ops where op.id.sequence != 3 { try state.apply(op) }  // op 3 wrote status "raised"
        #expect(state[Fixtures.demandID]?.registers["status"]?.heads.count == 1)
        try state.apply(writer.ops[2])
        #expect(state == writer.state)
    }

    @Test func aRequiredFieldCannotBeCleared() throws {
        var a = Fixtures.replica(1)
        try a.create(.demand, id: Fixtures.demandID, in: Fixtures.scope, Fixtures.newDemand)
        let before = a.state
        #expect {
            try a.edit(Fixtures.demandID, .assign("title", .null))
        } throws: { error in
            (error as? MergeError)?.validation?.code == .missingRequired
        }
        #expect(a.state == before)
        #expect(a.lastSequence == UInt64(Fixtures.newDemand.count))
        try a.edit(Fixtures.demandID, .assign("description", "楼道里堆满了纸箱"))
        try a.edit(Fixtures.demandID, .assign("description", .null))
        #expect(a.state[Fixtures.demandID]?.value("description") == .null)
    }
}
