import GridMerge
import GridModel
import GridProtocol
import Testing

/// The sessions' own rules, message by message, without a store: what a server refuses at
/// `HELLO`, and what a client takes from the server's copies of its ops.
@Suite struct SessionRulesTests {
    static let server = ReplicaID(rawValue: 0x5e)
    static let former = ReplicaID(rawValue: 0x4d)
    static let laptop = ReplicaID(rawValue: 0xa1)

    @Test(arguments: [server, former])
    func nobodySaysHelloAsTheServerOrAReplicaItContinues(_ replica: ReplicaID) {
        var session = ServerSession(replica: Self.server, lineage: [Self.former])
        let action = session.received(.hello(version: Message.version, replica: replica, token: "t", deflate: false))
        guard case .close(.error(let error)?) = action else {
            Issue.record("expected a refusal, got \(action)")
            return
        }
        #expect(error.code == .unauthorized)
        #expect(session.isClosed)
    }

    @Test func aLaptopSaysHelloAsItself() {
        var session = ServerSession(replica: Self.server, lineage: [Self.former])
        let action = session.received(
            .hello(version: Message.version, replica: Self.laptop, token: "t", deflate: false))
        #expect(action == .authenticate(replica: Self.laptop, token: "t"))
    }

    /// A client welcomed by a server that holds its ops through `held`, after acknowledging `pushed`.
    static func recovering(held: Int64, pushed: Int64) -> (ClientSession, ClientSession.Action) {
        var session = ClientSession(replica: laptop, token: "t", deflate: false)
        _ = session.start()
        _ = session.received(
            .welcome(
                version: Message.version, replica: server, read: [GridScope("c01/g01")!],
                write: [GridScope("c01/g01")!],
                limits: .standard, heldThrough: held, serverTime: 1_793_491_200_000, lineage: [], deflate: false))
        let action = session.cursorRead(pulledThrough: 0, pushedThrough: pushed)
        return (session, action)
    }

    static func own(_ sequence: UInt64) -> Op {
        OpLineTests.op(
            OpLineTests.id(0xa1, sequence), 1_793_491_200_000, UInt16(sequence), "w001", field: "title",
            .assign(.text("第\(sequence)")))
    }

    @Test func aClientRecoversOnlyWhatTheWelcomeSaidTheServerHolds() {
        var (session, action) = Self.recovering(held: 5, pushed: 3)
        #expect(action == .send(.recover(after: 3, limit: Limits.standard.opsPerBatch)))
        // Another copy of the laptop pushed 6 and 7 after the WELCOME: they wait for the next sync.
        action = session.received(.batch(through: 7, more: false, ops: (4...7).map(Self.own)))
        #expect(action == .reconcile(ops: [Self.own(4), Self.own(5)]))
        action = session.reconciled(stored: 0, differing: [])
        #expect(action == .markPushed(through: 5))
    }

    @Test func aClientRefusesCopiesThatAreNotItsOwnOrOutOfOrder() {
        var (session, _) = Self.recovering(held: 5, pushed: 3)
        let foreign = OpLineTests.op(OpLineTests.id(0xb2, 4), 1, 0, "w002", field: "title", .assign(.text("x")))
        let action = session.received(.batch(through: 4, more: false, ops: [foreign]))
        guard case .fail(let error) = action else {
            Issue.record("expected a refusal, got \(action)")
            return
        }
        #expect(error.code == .badCount)
        (session, _) = Self.recovering(held: 5, pushed: 3)
        let backwards = session.received(.batch(through: 5, more: false, ops: [Self.own(5), Self.own(4)]))
        if case .fail = backwards {} else { Issue.record("copies out of order were taken: \(backwards)") }
    }

    @Test func aClientThatTookANewIdentityEndsTheConnection() {
        var (session, _) = Self.recovering(held: 5, pushed: 3)
        _ = session.received(.batch(through: 5, more: false, ops: [Self.own(4), Self.own(5)]))
        let action = session.reconciled(stored: 0, differing: [Self.own(5)])
        #expect(action == .reissue(replacing: [Self.own(5)], above: 5))
        #expect(session.reissued(as: ReplicaID(rawValue: 0xbeef), count: 3) == .send(.bye))
        #expect(session.received(.bye) == .finished(session.summary))
        #expect(session.summary.newIdentity == ReplicaID(rawValue: 0xbeef))
    }

    /// A server session past WELCOME for the laptop, granted `c01/g01` to read and write.
    static func welcomedServer() -> ServerSession {
        var session = ServerSession(replica: server, lineage: [former])
        _ = session.received(.hello(version: Message.version, replica: laptop, token: "t", deflate: false))
        let grid = [GridScope("c01/g01")!]
        _ = session.authenticated(
            ServerSession.Grant(worker: WorkerID("w001")!, read: grid, write: grid), heldThrough: 0, serverTime: 0)
        return session
    }

    @Test func aGiveBackIsRefusedWholeForWhatATokenCannotHaveHeld() {
        let foreign = OpLineTests.op(OpLineTests.id(0xb2, 4), 1, 0, "w002", field: "title", .assign(.text("x")))
        let cases: [(String, [Op], ProtocolError.Code)] = [
            (
                "the server's own op",
                [
                    OpLineTests.op(
                        OpLineTests.id(0x5e, 1), 1, 0, "office-1", field: "title",
                        .assign(.text("x")))
                ], .wrongWriter
            ),
            (
                "another grid's op",
                [
                    OpLineTests.op(
                        OpLineTests.id(0xb2, 5), 1, 0, "w002", scope: "c01/g02",
                        field: "title", .assign(.text("x")))
                ], .outOfScope
            ),
            (
                "its own op in another worker's name",
                [
                    OpLineTests.op(
                        OpLineTests.id(0xa1, 1), 1, 0, "w002",
                        field: "title", .assign(.text("x")))
                ], .wrongWriter
            ),
            ("one op twice", [foreign, foreign], .duplicateOp),
        ]
        for (name, ops, code) in cases {
            var session = Self.welcomedServer()
            let action = session.received(.giveBack(through: 9, ops: ops))
            guard case .send(.error(let error)) = action else {
                Issue.record("\(name): expected a refusal, got \(action)")
                continue
            }
            #expect(error.code == code, "\(name)")
            #expect(session.isIdle, "\(name): the connection stays open")
        }
        var session = Self.welcomedServer()
        #expect(
            session.received(.giveBack(through: 9, ops: [foreign, Self.own(1)]))
                == .storeReturn(
                    ops: [foreign, Self.own(1)], through: 9, client: Self.laptop))
    }

    /// A full disk on the server refuses the batch without ending the sync: the server waits for the next message,
    /// and the client keeps its ops (and, for a give-back, its place) and goes on to pull.
    @Test func aFullDiskRefusesTheBatchAndTheClientStillPulls() {
        let full = ProtocolError(.diskFull, "the server's disk is full")
        var server = Self.welcomedServer()
        _ = server.received(.push(through: 1, ops: [Self.own(1)]))
        #expect(server.pushRefused(full) == .send(.error(full)))
        #expect(server.isIdle, "the connection stays open")

        var (pusher, _) = Self.recovering(held: 0, pushed: 0)
        _ = pusher.restamped(count: 0, shift: 0)
        #expect(pusher.pushLoaded(ops: [Self.own(1)]) == .send(.push(through: 1, ops: [Self.own(1)])))
        #expect(pusher.received(.error(full)) == .send(.pull(after: 0, limit: Limits.standard.opsPerBatch)))
        #expect(pusher.summary.pushRefusal == full)

        var giver = ClientSession(replica: Self.laptop, token: "t", deflate: false)
        _ = giver.start()
        _ = giver.received(
            .welcome(
                version: Message.version, replica: Self.server, read: [GridScope("c01/g01")!],
                write: [GridScope("c01/g01")!], limits: .standard, heldThrough: 0, serverTime: 1_793_491_200_000,
                lineage: [Self.former], deflate: false))
        _ = giver.cursorRead(pulledThrough: 0, pushedThrough: 0, giveBack: 1...5)
        #expect(giver.restamped(count: 0, shift: 0) == .loadGiveBack(after: 0, limit: Limits.standard.opsPerBatch))
        #expect(
            giver.giveBackLoaded(ops: [Self.own(1)], through: 5, more: false)
                == .send(
                    .giveBack(through: 5, ops: [Self.own(1)])))
        // Not `markGivenBack`: the range is still to be given back at the next sync.
        #expect(giver.received(.error(full)) == .send(.pull(after: 0, limit: Limits.standard.opsPerBatch)))
        #expect(giver.summary.pushRefusal == full && giver.summary.giveBackRefusal == nil)
    }

    /// While a batch with more after it is stored, the next `PULL` may go out: it is the request
    /// the client sends once the batch is stored, and there is none ahead of the last batch or
    /// while the client waits for an answer.
    @Test func theNextPullMayGoOutWhileABatchIsStored() {
        let limit = Limits.standard.opsPerBatch
        let foreign = (1...3).map { sequence in
            OpLineTests.op(
                OpLineTests.id(0xb2, sequence), 1_793_491_200_000, 0, "w002", field: "title", .assign(.text("x")))
        }
        var (session, _) = Self.recovering(held: 0, pushed: 0)
        _ = session.restamped(count: 0, shift: 0)
        #expect(session.requestAhead == nil, "nothing may go out before the push is loaded")
        #expect(session.pushLoaded(ops: []) == .send(.pull(after: 0, limit: limit)))
        #expect(session.requestAhead == nil, "nothing may go out before the answer")

        #expect(
            session.received(.batch(through: 2, more: true, ops: Array(foreign[0..<2])))
                == .storePulled(ops: Array(foreign[0..<2]), through: 2))
        let ahead = session.requestAhead
        #expect(ahead == .pull(after: 2, limit: limit))
        #expect(session.pulledStored() == ahead.map(ClientSession.Action.send))
        #expect(session.requestAhead == nil)

        #expect(
            session.received(.batch(through: 3, more: false, ops: [foreign[2]]))
                == .storePulled(ops: [foreign[2]], through: 3))
        #expect(session.requestAhead == nil, "after the last batch come the files, then BYE, once it is stored")
        #expect(session.pulledStored() == .exchangeFiles)
        #expect(session.requestAhead == nil)
        #expect(session.filesExchanged(FileExchange.Summary()) == .send(.bye))
    }
}
