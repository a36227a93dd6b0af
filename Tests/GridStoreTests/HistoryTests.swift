import Foundation
import GRDB
import GridMerge
import GridModel
import GridStore
import GridTesting
import Testing

/// Keeping one history in the SQLite store: what the daemon admits from a laptop, and how
/// a laptop repairs its op log after a wrong clock, a restored backup or a copied folder.
@Suite struct HistoryTests {
    typealias F = StoreFixtures

    static let serverIdentity = ReplicaIdentity(
        replica: ReplicaID(rawValue: 0x5e), worker: WorkerID("gridsyncd")!, scopes: [F.community])
    static let now: UInt64 = 1_793_491_200_000

    /// A laptop and a daemon store, both at the same wall clock.
    static func withPair(
        _ body: (SQLiteReplicaStore, SQLiteReplicaStore, ManualWallClock) async throws -> Void
    ) async throws {
        try await withTemporaryFolder { folder in
            let wall = ManualWallClock(milliseconds: now)
            let laptop = try SQLiteReplicaStore.create(in: folder + "/laptop", identity: F.identity, wallClock: wall)
            let server = try SQLiteReplicaStore.create(
                in: folder + "/server", identity: serverIdentity, wallClock: wall)
            try await body(laptop, server, wall)
        }
    }

    /// The laptop's own ops, as it would push them.
    static func own(_ laptop: SQLiteReplicaStore, after sequence: UInt64 = 0) async throws -> [Op] {
        try await laptop.ops(of: laptop.identity.replica, after: sequence, limit: .max)
    }

    /// An op of the laptop's replica, forged from `op` with other parents or id.
    static func forged(_ op: Op, sequence: UInt64? = nil, parents: [OpID]? = nil, field: String? = nil) -> Op {
        Op(
            id: OpID(replica: op.id.replica, sequence: sequence ?? op.id.sequence), clock: op.clock, author: op.author,
            recordType: op.recordType, recordID: op.recordID, scope: op.scope, field: field ?? op.field,
            payload: op.payload, parents: parents ?? op.parents)
    }

    @Test func theDaemonAdmitsALaptopsOpsInOrderAndSkipsOnesItHolds() async throws {
        try await Self.withPair { laptop, server, _ in
            _ = try await laptop.write(F.create(F.id(1), F.newDemand))
            let ops = try await Self.own(laptop)
            #expect(try await server.admit(ops, pushedBy: laptop.identity.replica).stored == ops.count)
            #expect(try await server.heldThrough(of: laptop.identity.replica) == UInt64(ops.count))
            // The same push again (an acknowledgement lost on the way) changes nothing.
            #expect(try await server.admit(ops, pushedBy: laptop.identity.replica).stored == 0)
            #expect(try await server.record(F.id(1)) == (try await laptop.record(F.id(1))))
        }
    }

    @Test func anOpIDHeldWithOtherContentIsRefused() async throws {
        try await Self.withPair { laptop, server, _ in
            _ = try await laptop.write(F.create(F.id(1), F.newDemand))
            let ops = try await Self.own(laptop)
            _ = try await server.admit(ops, pushedBy: laptop.identity.replica)
            let before = try await StoreSnapshot(server)
            let copy = Self.forged(ops[0], field: "description")
            let error = await storeError { try await server.admit([copy], pushedBy: laptop.identity.replica) }
            #expect(error?.merge?.code == .reusedID)
            #expect(try await StoreSnapshot(server) == before)
        }
    }

    @Test(arguments: ["future parent", "own later op", "other record", "gap", "edit on a delete", "too many"])
    func forgedHistoryIsRefusedWhole(_ forgery: String) async throws {
        try await Self.withPair { laptop, server, _ in
            _ = try await laptop.write(F.create(F.id(1), F.newDemand))
            _ = try await laptop.write(F.create(F.id(2), F.newDemand))
            var ops = try await Self.own(laptop)
            let me = laptop.identity.replica
            let last = ops.last!
            let next = last.id.sequence + 1
            switch forgery {
            case "future parent":
                ops.append(
                    Self.forged(last, sequence: next, parents: [OpID(replica: ReplicaID(rawValue: 0x77), sequence: 9)]))
            case "own later op":
                ops.append(Self.forged(last, sequence: next, parents: [OpID(replica: me, sequence: next + 1)]))
            case "other record":
                ops.append(Self.forged(last, sequence: next, parents: [ops[0].id]))
            case "gap":
                ops.append(Self.forged(last, sequence: next + 1, parents: []))
            case "edit on a delete":
                let delete = Op(
                    id: OpID(replica: me, sequence: next), clock: last.clock, author: last.author,
                    recordType: .demand, recordID: last.recordID, scope: last.scope, field: RecordSchema.deletedField,
                    payload: .assign(.boolean(true)), parents: [last.id])
                ops += [delete, Self.forged(last, sequence: next + 1, parents: [delete.id], field: "title")]
            default:
                let parents = (1...OpAdmission.maximumParents + 1).map {
                    OpID(replica: ReplicaID(rawValue: UInt64($0) + 0x100), sequence: 1)
                }
                ops.append(Self.forged(last, sequence: next, parents: parents))
            }
            let error = await storeError { try await server.admit(ops, pushedBy: me) }
            #expect(error?.merge?.code == .badParents, "\(forgery): \(String(describing: error))")
            #expect(try await server.status().opCount == 0, "a refused push stores nothing of itself")
        }
    }

    @Test func aNoteOnADeletedRecordLeavesItDeleted() async throws {
        try await Self.withPair { laptop, server, _ in
            _ = try await laptop.write(F.create(F.id(1), F.newDemand))
            _ = try await laptop.write(F.edit(F.id(1), .delete))
            _ = try await laptop.write(
                F.edit(F.id(1), .append(RecordSchema.notesField, LogEntry(["text": .text("重复登记")]))))
            #expect(try await laptop.record(F.id(1))?.isDeleted == true)
            _ = try await server.admit(try await Self.own(laptop), pushedBy: laptop.identity.replica)
            let record = try #require(try await server.record(F.id(1)))
            #expect(record.isDeleted)
            #expect(record.conflictedFields.isEmpty)
        }
    }

    @Test func unsentOpsFromAClockAYearAheadAreRestampedInOrder() async throws {
        try await Self.withPair { laptop, server, wall in
            wall.set(Self.now + 365 * 86_400_000)
            _ = try await laptop.write(F.create(F.id(1), F.newDemand))
            _ = try await laptop.write(F.edit(F.id(1), .assign("status", "accepted")))
            let before = try await Self.own(laptop)
            // The worker sets the date right: the replica still remembers the year-ahead reading.
            wall.set(Self.now)
            let limit = HybridTimestamp(milliseconds: Self.now + 60_000, counter: .max)
            let restamp = try await laptop.restampUnsent(after: 0, beyond: limit)
            #expect(restamp.count == before.count)
            #expect(restamp.shift >= 364 * 86_400_000)
            let after = try await Self.own(laptop)
            #expect(after.map(\.id) == before.map(\.id))
            #expect(after.map(\.clock) == after.map(\.clock).sorted(), "the same order")
            #expect(after.allSatisfy { $0.clock <= limit })
            // The records are rebuilt from the restamped log, as a replica merging it afresh has them.
            #expect(try await laptop.record(F.id(1)) == referenceState(after)[F.id(1)])
            // Later edits are not stamped a year ahead either, and the daemon takes them all.
            _ = try await laptop.write(F.edit(F.id(1), .assign("urgency", "urgent")))
            let all = try await Self.own(laptop)
            #expect(all.last!.clock <= limit)
            #expect(try await server.admit(all, pushedBy: laptop.identity.replica).stored == all.count)
            #expect(try await laptop.record(F.id(1))?.value("status") == .text("accepted"))
        }
    }

    @Test func aLaptopRestoredFromABackupGetsItsOpsBack() async throws {
        try await withTemporaryFolder { folder in
            let wall = ManualWallClock(milliseconds: Self.now)
            var laptop = try SQLiteReplicaStore.create(in: folder + "/laptop", identity: F.identity, wallClock: wall)
            let server = try SQLiteReplicaStore.create(
                in: folder + "/server", identity: Self.serverIdentity, wallClock: wall)
            _ = try await laptop.write(F.create(F.id(1), F.newDemand))
            _ = try await server.admit(try await Self.own(laptop), pushedBy: F.identity.replica)
            try FileManager.default.copyItem(atPath: folder + "/laptop", toPath: folder + "/backup")
            _ = try await laptop.write(F.create(F.id(2), F.newDemand))
            let pushed = try await Self.own(laptop)
            _ = try await server.admit(pushed, pushedBy: F.identity.replica)
            // The laptop's disk dies; the backup comes back.
            laptop = try SQLiteReplicaStore.open(in: folder + "/backup", wallClock: wall)
            let copies = try await server.ops(of: F.identity.replica, after: 0, limit: .max)
            let reconciliation = try await laptop.reconcile(ownOps: copies)
            #expect(reconciliation.stored == 4 && reconciliation.differing.isEmpty)
            #expect(try await Self.own(laptop) == pushed)
            #expect(try await laptop.record(F.id(2)) != nil)
            // New edits are numbered after everything it ever pushed.
            let next = try await laptop.write(F.edit(F.id(2), .assign("status", "accepted")))
            #expect(next[0].id.sequence == UInt64(pushed.count + 1))
        }
    }

    @Test func aCopyThatCollidedTakesANewIdentityAndLosesNothing() async throws {
        try await withTemporaryFolder { folder in
            let wall = ManualWallClock(milliseconds: Self.now)
            let first = try SQLiteReplicaStore.create(in: folder + "/first", identity: F.identity, wallClock: wall)
            let server = try SQLiteReplicaStore.create(
                in: folder + "/server", identity: Self.serverIdentity, wallClock: wall)
            _ = try await first.write(F.create(F.id(1), F.newDemand))
            _ = try await server.admit(try await Self.own(first), pushedBy: F.identity.replica)
            try FileManager.default.copyItem(atPath: folder + "/first", toPath: folder + "/second")
            let second = try SQLiteReplicaStore.open(in: folder + "/second", wallClock: wall)
            // Both copies write under the same next numbers; the first syncs first.
            _ = try await first.write(F.create(F.id(2), F.demand("一号机", category: .fireSafety, status: .raised)))
            wall.advance(by: 1_000)
            _ = try await second.write(F.create(F.id(3), F.demand("二号机", category: .fireSafety, status: .raised)))
            _ = try await second.write(F.edit(F.id(3), .change("backers", by: 2)))
            _ = try await server.admit(try await Self.own(first, after: 4), pushedBy: F.identity.replica)
            let held = try await server.heldThrough(of: F.identity.replica)
            let copies = try await server.ops(of: F.identity.replica, after: 4, limit: .max)
            let reconciliation = try await second.reconcile(ownOps: copies)
            #expect(!reconciliation.differing.isEmpty)
            let reissue = try await second.reissue(
                replacing: reconciliation.differing, above: held, as: ReplicaID(rawValue: 0xbeef), reason: "a test")
            #expect(reissue.count == 5, "four ops of the new demand and the backing")
            #expect(reissue.identity.replica == ReplicaID(rawValue: 0xbeef))
            // Reopened, the copy is the new replica; its ops go to the daemon as such.
            let renamed = try SQLiteReplicaStore.open(in: folder + "/second", wallClock: wall)
            #expect(renamed.identity.replica == ReplicaID(rawValue: 0xbeef))
            #expect(try await renamed.status().formerIdentities.map(\.replica) == [F.identity.replica])
            let reissued = try await Self.own(renamed)
            #expect(try await server.admit(reissued, pushedBy: renamed.identity.replica).stored == reissued.count)
            // Nothing either copy typed is lost: the daemon has both demands, with the backing.
            #expect(try await server.record(F.id(2))?.value("title") == .text("一号机"))
            #expect(try await server.record(F.id(3))?.value("title") == .text("二号机"))
            #expect(try await server.record(F.id(3))?.counters["backers"]?.value == 2)
            // And the copy holds the first copy's demand under its original ids, as the daemon does.
            #expect(try await renamed.record(F.id(2)) == (try await server.record(F.id(2))))
            #expect(try await renamed.record(F.id(3)) == (try await server.record(F.id(3))))
        }
    }

    @Test func aRestoredDaemonGetsBackWhatItLostFromALaptopAndNothingElse() async throws {
        try await withTemporaryFolder { folder in
            let wall = ManualWallClock(milliseconds: Self.now)
            let laptop = try SQLiteReplicaStore.create(in: folder + "/laptop", identity: F.identity, wallClock: wall)
            var server = try SQLiteReplicaStore.create(
                in: folder + "/server", identity: Self.serverIdentity, wallClock: wall)
            let me = F.identity.replica
            _ = try await laptop.write(F.create(F.id(1), F.newDemand))
            _ = try await server.admit(try await Self.own(laptop), pushedBy: me)
            // Last night's backup, taken with the daemon stopped.
            try FileManager.default.copyItem(atPath: folder + "/server", toPath: folder + "/backup")
            // After it: the laptop's edit, and the office's resolution written on the daemon.
            _ = try await laptop.write(F.edit(F.id(1), .assign("status", "accepted")))
            _ = try await server.admit(try await Self.own(laptop, after: 4), pushedBy: me)
            let resolution = try await server.write(
                F.edit(F.id(1), .assign("urgency", "urgent")), as: WorkerID("office-1")!, within: [F.community])
            let pulled = try await server.batch(after: 0, limit: 100, scopes: [F.community], writers: .allBut(me))
            _ = try await laptop.ingest(pulled.ops, pulledFrom: Self.serverIdentity.replica, through: pulled.through)
            // The server's disk dies; last night's backup comes back under a new id.
            try FileManager.default.removeItem(atPath: folder + "/server")
            try FileManager.default.moveItem(atPath: folder + "/backup", toPath: folder + "/server")
            let restored = try SQLiteReplicaStore.continueAfterRestore(
                in: folder + "/server", as: ReplicaID(rawValue: 0x6a), wallClock: wall)
            #expect(restored.lineage == [Self.serverIdentity.replica])
            server = try SQLiteReplicaStore.open(in: folder + "/server", wallClock: wall)
            #expect(try await server.record(F.id(1))?.value("status") == .text("raised"))
            // A laptop that never met the former server gives nothing back.
            #expect(try await laptop.giveBack(to: ReplicaID(rawValue: 0x99), lineage: []) == nil)
            let range = try #require(try await laptop.giveBack(to: restored.replica, lineage: restored.lineage))
            let held = try await laptop.batch(
                after: range.lowerBound - 1, limit: 1_000, scopes: F.identity.scopes, writers: .all)
            wall.advance(by: 60_000)
            let result = try await server.admitGivenBack(held.ops, by: me)
            #expect(result.stored == 2, "the laptop's status and the office's resolution")
            #expect(try await server.record(F.id(1)) == (try await laptop.record(F.id(1))))
            #expect(try await server.history(of: F.id(1)).contains(resolution[0]))
            try await laptop.markGivenBack(to: restored.replica, through: range.upperBound)
            #expect(try await laptop.giveBack(to: restored.replica, lineage: restored.lineage) == nil)
            // Nobody gives back an op written after the restore (beyond the 5 minutes a fast
            // laptop's clock may show), under another replica's id: it is left out.
            wall.advance(by: 10 * 60_000)
            let forged = Op(
                id: OpID(replica: ReplicaID(rawValue: 0x77), sequence: 1),
                clock: HybridTimestamp(
                    milliseconds: wall.millisecondsSince1970(), counter: 0),
                author: WorkerID("w009")!, recordType: .demand, recordID: F.id(9), scope: F.grid1.scope,
                field: "title", payload: .assign(.text("伪造")))
            let leftOut = try await server.admitGivenBack([forged], by: me)
            #expect(leftOut.stored == 0 && leftOut.skipped == 1, "left out on its own")
            #expect(try await server.record(F.id(9)) == nil)
        }
    }

    @Test func aDaemonNeverRestoredTakesNothingBack() async throws {
        try await Self.withPair { laptop, server, _ in
            _ = try await laptop.write(F.create(F.id(1), F.newDemand))
            let other = Self.forged(try await Self.own(laptop)[0])
            let foreign = Op(
                id: OpID(replica: ReplicaID(rawValue: 0x77), sequence: 1), clock: other.clock, author: other.author,
                recordType: other.recordType, recordID: F.id(5), scope: other.scope, field: other.field,
                payload: other.payload)
            let error = await storeError { try await server.admitGivenBack([foreign], by: laptop.identity.replica) }
            #expect(error?.code == .refused)
            #expect(try await server.status().opCount == 0)
        }
    }

    @Test func aWriteFromAStoreOpenedBeforeANewIdentityIsRefusedAndWritesNothing() async throws {
        try await Self.withPair { laptop, _, wall in
            _ = try await laptop.write(F.create(F.id(1), F.newDemand))
            // A `gridsync demand update` opened the replica; meanwhile a sync gave it a new identity.
            let open = try SQLiteReplicaStore.open(
                in: (laptop.path as NSString).deletingLastPathComponent, wallClock: wall)
            _ = try await laptop.reissue(replacing: [], above: 0, as: ReplicaID(rawValue: 0xbeef), reason: "a test")
            let before = try await StoreSnapshot(laptop)
            let error = await storeError { try await open.write(F.edit(F.id(1), .assign("status", "accepted"))) }
            #expect(error?.code == .identityChanged)
            #expect(try await StoreSnapshot(laptop) == before)
        }
    }

    @Test func anEditOnTopOfADeleteTheDaemonHoldsIsRefused() async throws {
        try await Self.withPair { laptop, server, _ in
            _ = try await laptop.write(F.create(F.id(1), F.newDemand))
            _ = try await laptop.write(F.edit(F.id(1), .delete))
            let ops = try await Self.own(laptop)
            _ = try await server.admit(ops, pushedBy: laptop.identity.replica)
            let delete = ops.last!
            let edit = Self.forged(delete, sequence: delete.id.sequence + 1, parents: [delete.id], field: "title")
            let error = await storeError { try await server.admit([edit], pushedBy: laptop.identity.replica) }
            #expect(error?.merge?.code == .badParents)
            #expect(try await server.record(F.id(1))?.isDeleted == true)
        }
    }

    @Test func aReplicaBuiltByTheOlderRulesIsRebuiltOnceWhenItOpens() async throws {
        try await withTemporaryFolder { folder in
            let wall = ManualWallClock(milliseconds: Self.now)
            let laptop = try SQLiteReplicaStore.create(in: folder, identity: F.identity, wallClock: wall)
            _ = try await laptop.write(F.create(F.id(1), F.newDemand))
            _ = try await laptop.write(F.edit(F.id(1), .delete))
            _ = try await laptop.write(
                F.edit(F.id(1), .append(RecordSchema.notesField, LogEntry(["text": .text("重复")]))))
            let rebuilt = try #require(try await laptop.record(F.id(1)))
            // As GridSync 0.1 left it: the note brought the demand back, and the records say rules 1.
            let queue = try DatabaseQueue(path: laptop.path)
            try await queue.write { db in
                try db.execute(
                    sql: "UPDATE records SET deleted = 0; UPDATE demands SET deleted = 0; UPDATE replica SET rules = 1")
            }
            try queue.close()
            let reopened = try SQLiteReplicaStore.open(in: folder, wallClock: wall)
            #expect(try await reopened.record(F.id(1)) == rebuilt)
            #expect(try await reopened.records(RecordQuery(type: .demand)).isEmpty, "the deleted demand is not listed")
        }
    }

    /// A rebuild writes the records' rows again, the files they name included: a replica
    /// whose records name photos once failed to rebuild (the old rows of `record_files` still
    /// pointed at the records deleted to be written again).
    @Test func aReplicaWhoseRecordsNamePhotosIsRebuiltWithThem() async throws {
        try await withTemporaryFolder { folder in
            let wall = ManualWallClock(milliseconds: Self.now)
            let laptop = try SQLiteReplicaStore.create(in: folder, identity: F.identity, wallClock: wall)
            let photo = FileID(of: Array("楼道堆物".utf8))
            _ = try await laptop.write(F.create(F.id(1), F.newDemand + [.add("photos", photo.rawValue)]))
            _ = try await laptop.write(F.create(F.id(2), F.newDemand))
            let before = try await StoreSnapshot(laptop)
            let queue = try DatabaseQueue(path: laptop.path)
            try await queue.write { db in try db.execute(sql: "UPDATE replica SET rules = 1") }
            try queue.close()
            let reopened = try SQLiteReplicaStore.open(in: folder, wallClock: wall)
            #expect(try await StoreSnapshot(reopened) == before)
            #expect(try await reopened.namedFiles() == [photo])
            #expect(try await reopened.records(naming: photo).map(\.scope) == [F.grid1.scope])
        }
    }
}
