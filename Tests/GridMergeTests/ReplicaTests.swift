import GridMerge
import GridModel
import GridTesting
import Testing

/// Writing and receiving ops: numbering, validation, and refusals that change nothing.
@Suite struct ReplicaTests {
    @Test func opsAreNumberedFromOneWithoutGaps() throws {
        var a = Fixtures.replica(1)
        try a.create(.demand, id: Fixtures.demandID, in: Fixtures.scope, Fixtures.newDemand)
        #expect(throws: MergeError.self) { try a.edit(Fixtures.demandID, .assign("status", "no-such-status")) }
        try a.edit(Fixtures.demandID, .assign("status", "accepted"))
        #expect(a.ops.map(\.id.sequence) == Array(1...5))
        #expect(zip(a.ops, a.ops.dropFirst()).allSatisfy { $0.clock < $1.clock })
    }

    @Test func aNewRecordMissingARequiredFieldWritesNothing() {
        var a = Fixtures.replica(1)
        #expect {
            try a.create(.demand, id: Fixtures.demandID, in: Fixtures.scope, [.assign("title", "路灯不亮")])
        } throws: { error in
            (error as? MergeError)?.validation?.code == .missingRequired
                && (error as? MergeError)?.validation?.field == "category"
        }
        #expect(a.ops.isEmpty && a.lastSequence == 0 && a.state.records.isEmpty)
    }

    /// A creation whose last edit is bad leaves no half-made record behind.
    @Test func aNewRecordWithABadValueWritesNothing() {
        var a = Fixtures.replica(1)
        #expect(throws: MergeError.self) {
            try a.create(
                .demand, id: Fixtures.demandID, in: Fixtures.scope, Fixtures.newDemand + [.assign("urgency", "asap")])
        }
        #expect(a.ops.isEmpty && a.state.records.isEmpty)
    }

    @Test func projectsRefuseTheOtherCategory() {
        var a = Fixtures.replica(1)
        #expect {
            try a.create(
                .project, id: Fixtures.demandID, in: Fixtures.scope,
                [
                    .assign("title", "杂项"), .assign("category", "other"), .assign("stage", "collect"),
                ])
        } throws: { error in
            (error as? MergeError)?.validation?.code == .unknownChoice
        }
    }

    @Test func anEditOfTheWrongKindIsRefused() throws {
        var a = Fixtures.replica(1)
        try a.create(.demand, id: Fixtures.demandID, in: Fixtures.scope, Fixtures.newDemand)
        #expect {
            try a.edit(Fixtures.demandID, .add("status", "accepted"))
        } throws: { error in
            (error as? MergeError)?.validation?.code == .wrongKind
        }
        #expect {
            try a.edit(Fixtures.demandID, .assign("colour", "red"))
        } throws: { error in
            (error as? MergeError)?.validation?.code == .unknownField
        }
    }

    @Test func editingAnUnknownRecordIsRefused() {
        var a = Fixtures.replica(1)
        #expect {
            try a.edit(Fixtures.demandID, .assign("status", "accepted"))
        } throws: { error in
            (error as? MergeError)?.code == .unknownRecord
        }
    }

    @Test func receivingAnOpTwiceChangesNothing() throws {
        var a = Fixtures.replica(1)
        var b = Fixtures.replica(2)
        try a.create(.demand, id: Fixtures.demandID, in: Fixtures.scope, Fixtures.newDemand)
        try Fixtures.sync(a, into: &b)
        let once = b.state
        for op in a.ops { #expect(try b.receive(op) == false) }
        #expect(b.state == once)
        #expect(b.ops.count == a.ops.count)
    }

    @Test func anOpFromAClockTooFarAheadIsRefusedWithoutChangingAnything() throws {
        let aheadWall = ManualWallClock(milliseconds: 1_793_491_200_000 + 3_600_000)  // an hour fast
        var fast = Fixtures.replica(1, wall: aheadWall)
        var b = Fixtures.replica(2)
        try fast.create(.demand, id: Fixtures.demandID, in: Fixtures.scope, Fixtures.newDemand)
        let clockBefore = b.clock.latest
        #expect {
            try b.receive(fast.ops[0])
        } throws: { error in
            (error as? MergeError)?.code == .clockTooFarAhead
        }
        #expect(b.clock.latest == clockBefore)
        #expect(b.state.records.isEmpty && b.ops.isEmpty)
    }

    @Test func anOpThatMovesARecordToAnotherGridIsRefused() throws {
        var a = Fixtures.replica(1)
        try a.create(.demand, id: Fixtures.demandID, in: Fixtures.scope, Fixtures.newDemand)
        let first = a.ops[0]
        let forged = Op(
            id: OpID(replica: ReplicaID(rawValue: 9), sequence: 1), clock: first.clock, author: first.author,
            recordType: .demand, recordID: first.recordID, scope: Fixtures.street.grids[5].scope, field: "status",
            payload: .assign(.text("closed")))
        let before = a.state
        #expect {
            try a.receive(forged)
        } throws: { error in
            (error as? MergeError)?.code == .recordMismatch
        }
        #expect(a.state == before)
    }

    @Test func anInvalidValueFromAPeerIsRefused() throws {
        var a = Fixtures.replica(1)
        let forged = Op(
            id: OpID(replica: ReplicaID(rawValue: 9), sequence: 1), clock: HybridTimestamp(milliseconds: 1, counter: 0),
            author: WorkerID("w009")!, recordType: .demand, recordID: Fixtures.demandID, scope: Fixtures.scope,
            field: "status", payload: .assign(.text("处理中")))  // a label, not the stored key
        #expect {
            try a.receive(forged)
        } throws: { error in
            (error as? MergeError)?.code == .invalidOp && (error as? MergeError)?.validation?.code == .unknownChoice
        }
        #expect(a.state.records.isEmpty)
    }

    @Test func opIDsRoundTripThroughText() {
        let id = OpID(replica: ReplicaID(rawValue: 0x00c0_ffee_00c0_ffee), sequence: 42)
        #expect(id.description == "00c0ffee00c0ffee.42")
        #expect(OpID("00c0ffee00c0ffee.42") == id)
        #expect(OpID("00c0ffee00c0ffee.0") == nil)
        #expect(OpID("00c0ffee00c0ffee.042") == nil)
        #expect(OpID("00C0FFEE00C0FFEE.1") == nil)
        #expect(ReplicaID("123") == nil)
        // Only the text `description` writes: whatever a broken or hostile peer sends instead is refused.
        for text in [
            "", ".", "00c0ffee00c0ffee", "00c0ffee00c0ffee.", "00c0ffee00c0ffe.1", "00c0ffee00c0ffee0.1",
            "00c0ffee00c0ffeg.1", "00c0ffee00c0ffee.+1", "00c0ffee00c0ffee.-1", "00c0ffee00c0ffee.1 ",
            " 00c0ffee00c0ffee.1", "00c0ffee00c0ffee..1", "00c0ffee00c0ffee.1.2", "00c0ffee00c0ffee.１",
            "00c0ffee00c0ffee.18446744073709551616", "00c0ffee00c0ffee.99999999999999999999",
        ] {
            #expect(OpID(text) == nil, "\(text) was read as an op id")
        }
        let highest = OpID(replica: ReplicaID(rawValue: .max), sequence: .max)
        #expect(OpID(highest.description) == highest)
        #expect(OpID("ffffffffffffffff.18446744073709551615"[...]) == highest)
    }
}
