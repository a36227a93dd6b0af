import GridMerge
import GridModel
import GridProtocol
import Testing

/// gridsync/4 beside gridsync/3 and gridsync/2: which versions a server welcomes, what it
/// sends a laptop of an older one, and who may write the street's reference data.
@Suite struct VersionRulesTests {
    static let server = ReplicaID(rawValue: 0x5e)
    static let laptop = ReplicaID(rawValue: 0xa1)
    static let grid = GridScope("c01/g01")!
    static let community = GridScope("c01")!

    /// A server session that welcomed a laptop speaking `version`, with `grant`.
    static func welcomed(_ version: String, read: [GridScope] = [grid], write: [GridScope] = [grid])
        -> (ServerSession, ServerSession.Action)
    {
        var session = ServerSession(replica: server)
        _ = session.received(.hello(version: version, replica: laptop, token: "t", deflate: false))
        let action = session.authenticated(
            ServerSession.Grant(worker: WorkerID("w001")!, read: read, write: write), heldThrough: 0,
            serverTime: 1_793_491_200_000)
        return (session, action)
    }

    static let demandOp = OpLineTests.op(
        OpLineTests.id(0xb2, 1), 1_793_491_200_000, 0, "w002", field: "title", .assign(.text("路灯不亮")))
    static let compoundOp = OpLineTests.op(
        OpLineTests.id(0x0f, 1), 1_793_491_200_000, 1, "o001", type: .compound,
        record: RecordID(reference: .compound, key: "k001"), field: "name", .assign(.text("纺织厂宿舍")))

    @Test(arguments: ProtocolVersion.allCases)
    func theServerWelcomesEachVersionInItsOwnWords(_ version: ProtocolVersion) {
        let (_, action) = Self.welcomed(version.rawValue)
        guard case .send(.welcome(let answered, _, _, _, _, _, _, _, _)) = action else {
            Issue.record("expected a welcome, got \(action)")
            return
        }
        #expect(answered == version.rawValue)
    }

    @Test(arguments: ["gridsync/1", "gridsync/6", "GRIDSYNC/3", "gridsync/3.0"])
    func otherVersionsAreRefusedWithTheVersionsSpoken(_ version: String) {
        var session = ServerSession(replica: Self.server)
        let action = session.received(.hello(version: version, replica: Self.laptop, token: "t", deflate: false))
        guard case .close(.error(let error)?) = action else {
            Issue.record("expected a refusal, got \(action)")
            return
        }
        #expect(error.code == .version)
        #expect(error.message.contains("gridsync/2, gridsync/3, gridsync/4 and gridsync/5"), "\(error.message)")
    }

    @Test func aGridsync2LaptopIsNotSentTheReferenceData() {
        var (session, _) = Self.welcomed("gridsync/2")
        _ = session.received(.pull(after: 0, limit: 10))
        let action = session.batchLoaded(ops: [Self.compoundOp, Self.demandOp], through: 2, more: false)
        // Its cursor still moves past the op it was not sent: nothing is waiting for it.
        #expect(action == .send(.batch(through: 2, more: false, ops: [Self.demandOp])))

        // Nor the fen of a project's funding, a field gridsync/2 does not know.
        let fen = OpLineTests.op(
            OpLineTests.id(0xb2, 2), 1_793_491_200_000, 1, "w002", type: .project, field: "funding-residents-fen",
            .change(350_050))
        let yuan = OpLineTests.op(
            OpLineTests.id(0xb2, 3), 1_793_491_200_000, 2, "w002", type: .project, field: "funding-residents",
            .change(3_500))
        _ = session.received(.pull(after: 2, limit: 10))
        #expect(
            session.batchLoaded(ops: [fen, yuan], through: 4, more: false)
                == .send(.batch(through: 4, more: false, ops: [yuan])))

        var (current, _) = Self.welcomed("gridsync/3")
        _ = current.received(.pull(after: 0, limit: 10))
        let all = current.batchLoaded(ops: [Self.compoundOp, Self.demandOp], through: 2, more: false)
        #expect(all == .send(.batch(through: 2, more: false, ops: [Self.compoundOp, Self.demandOp])))
    }

    static let photoOp = OpLineTests.op(
        OpLineTests.id(0xb2, 4), 1_793_491_200_000, 3, "w002", field: "photos",
        .add("sha256:" + String(repeating: "ab", count: 32)))
    static let placeOp = OpLineTests.op(
        OpLineTests.id(0xb2, 5), 1_793_491_200_000, 4, "w002", type: .visit, field: "place",
        .assign(.text("39.904200,116.407400,8")))

    @Test(arguments: ["gridsync/2", "gridsync/3"])
    func anOlderLaptopIsNotSentPhotosNorPlaces(_ version: String) {
        var (session, _) = Self.welcomed(version)
        _ = session.received(.pull(after: 0, limit: 10))
        let action = session.batchLoaded(ops: [Self.photoOp, Self.demandOp, Self.placeOp], through: 3, more: false)
        #expect(action == .send(.batch(through: 3, more: false, ops: [Self.demandOp])))

        // Nor may it push them: its version has no such fields.
        var (pusher, _) = Self.welcomed(version)
        let own = Op(
            id: OpID(replica: Self.laptop, sequence: 1),
            clock: HybridTimestamp(milliseconds: 1_793_491_200_000, counter: 0),
            author: WorkerID("w001")!, recordType: .demand, recordID: RecordID(), scope: Self.grid, field: "place",
            payload: .assign(.text("39.904200,116.407400")))
        guard case .close(.error(let error)?) = pusher.received(.push(through: 1, ops: [own])) else {
            Issue.record("a \(version) laptop pushed a place")
            return
        }
        #expect(error.message.contains("which \(version) has not"), "\(error.message)")

        var (current, _) = Self.welcomed("gridsync/4")
        _ = current.received(.pull(after: 0, limit: 10))
        #expect(
            current.batchLoaded(ops: [Self.photoOp, Self.demandOp, Self.placeOp], through: 3, more: false)
                == .send(.batch(through: 3, more: false, ops: [Self.photoOp, Self.demandOp, Self.placeOp])))
    }

    /// An op of the laptop's own replica and worker.
    static func own(_ type: RecordType, key: String, scope: GridScope) -> Op {
        Op(
            id: OpID(replica: laptop, sequence: 1), clock: HybridTimestamp(milliseconds: 1_793_491_200_000, counter: 0),
            author: WorkerID("w001")!, recordType: type, recordID: RecordID(reference: type, key: key), scope: scope,
            field: "name", payload: .assign(.text("纺织厂宿舍")))
    }

    @Test func aGridsync2LaptopCannotPushWhatGridsync2HasNot() {
        var (session, _) = Self.welcomed("gridsync/2", read: [Self.community], write: [Self.community])
        let action = session.received(.push(through: 1, ops: [Self.own(.compound, key: "k001", scope: Self.grid)]))
        // As a gridsync/2 server would: an op line it cannot read ends the connection.
        guard case .close(.error(let error)?) = action else {
            Issue.record("a gridsync/2 connection pushed a compound: \(action)")
            return
        }
        #expect(session.isClosed)
        #expect(error.code == .malformedOp)
        #expect(error.message.contains("which gridsync/2 has not"), "\(error.message)")
    }

    @Test func onlyATokenForAWholeCommunityWritesTheReferenceData() {
        var (gridWorker, _) = Self.welcomed("gridsync/3")
        let refusal = gridWorker.received(
            .push(through: 1, ops: [Self.own(.compound, key: "k001", scope: Self.grid)]))
        guard case .send(.error(let error)) = refusal else {
            Issue.record("a grid worker's token wrote a compound: \(refusal)")
            return
        }
        #expect(error.code == .outOfScope)
        #expect(error.message.contains("reference data, which the office keeps"), "\(error.message)")

        var (office, _) = Self.welcomed("gridsync/3", read: [Self.community], write: [Self.community])
        for op in [
            Self.own(.compound, key: "k001", scope: Self.grid), Self.own(.community, key: "c01", scope: Self.community),
        ] {
            let action = office.received(.push(through: 1, ops: [op]))
            #expect(action == .storePush(ops: [op], through: 1, client: Self.laptop))
            _ = office.pushStored()
        }
        // The office of another community may not.
        var (neighbour, _) = Self.welcomed(
            "gridsync/3", read: [GridScope("c02")!, Self.grid], write: [GridScope("c02")!, Self.grid])
        let outside = neighbour.received(.push(through: 1, ops: [Self.own(.compound, key: "k001", scope: Self.grid)]))
        if case .send(.error(let error)) = outside {
            #expect(error.code == .outOfScope)
        } else {
            Issue.record("a token for c02 and the grid c01/g01 wrote a compound of c01: \(outside)")
        }
    }
}
