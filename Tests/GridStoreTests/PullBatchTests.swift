import Foundation
import GridMerge
import GridModel
import GridStore
import GridTesting
import Testing

/// What a pull sends: the ops after the laptop's cursor that its scopes read, in local order,
/// a batch at a time. Checked against a model written from the scope rules
/// (`Sequence<GridScope>.reads`) over the server's whole log, for the cursors, limits, writers
/// and scope lists that laptops, office laptops and a hostile request can make.
@Suite struct PullBatchTests {
    @Test func aBatchIsTheLogFilteredByTheScopeRulesInLocalOrder() async throws {
        try await withTemporaryFolder { folder in
            let month = StreetMonth()
            let street = month.street
            let wall = ManualWallClock()
            let office = ReplicaID(rawValue: 0x0ff1)
            let other = ReplicaID(rawValue: 0x0ff2)
            let server = try SQLiteReplicaStore.create(
                in: folder + "/server", identity: month.officeIdentity(replica: office), wallClock: wall)
            let reference = try SQLiteReplicaStore.create(
                in: folder + "/reference", identity: month.officeIdentity(replica: other), wallClock: wall)
            // Two writers: the street's reference data from one office laptop, a month of
            // demands and visits in every grid from the other, then the reference data again.
            for change in try StreetImport(street, held: []).changes { _ = try await reference.write(change) }
            let referenceOps = try await reference.ops(after: 0, limit: .max)
            _ = try await server.ingest(Array(referenceOps.prefix(referenceOps.count / 2)))
            _ = try await month.write(into: server, wall: wall)
            _ = try await server.ingest(Array(referenceOps.dropFirst(referenceOps.count / 2)))
            let log = try await server.ops(after: 0, limit: .max)
            #expect(Set(log.map(\.scope)).count > street.grids.count, "the log spans every grid and community")

            let grids = street.grids.map(\.scope)
            let communities = street.communities.map { GridScope(community: $0.id) }
            let byCommunity = Dictionary(grouping: grids, by: \.community)
            let sameCommunity = byCommunity.values.first { $0.count > 1 }!
            let scopeLists: [[GridScope]] = [
                [], [grids[0]], [grids[grids.count - 1]], Array(sameCommunity.prefix(2)),
                [grids[0], grids[grids.count - 1]], [grids[0], grids[0]], [communities[0]],
                [communities[0], grids[grids.count - 1]], communities,
            ]
            let writerKinds: [OpWriters] = [.all, .only(office), .only(other), .allBut(office), .allBut(other)]
            var rng = SeededGenerator(seed: 0x7075_6c6c)
            var sawMore = 0
            var sawSkips = 0
            for _ in 0..<300 {
                let scopes = scopeLists.randomElement(using: &rng)!
                let writers = writerKinds.randomElement(using: &rng)!
                // A cursor past the end of the log too: a laptop restored from a copy of another server's.
                let cursor = Int64.random(in: 0...Int64(log.count) + 20, using: &rng)
                let limit = [1, 2, 7, 50, 5_000].randomElement(using: &rng)!
                let batch = try await server.batch(after: cursor, limit: limit, scopes: scopes, writers: writers)

                // The model: local sequences are 1, 2, … in log order.
                let read = log.enumerated().filter { index, op in
                    let written =
                        switch writers {
                        case .all: true
                        case .only(let replica): op.id.replica == replica
                        case .allBut(let replica): op.id.replica != replica
                        }
                    return Int64(index + 1) > cursor && written && scopes.reads(op.recordType, in: op.scope)
                }
                let expected = read.prefix(limit)
                let label = "scopes \(scopes), writers \(writers), after \(cursor), limit \(limit)"
                #expect(batch.ops == expected.map(\.element), "\(label)")
                if expected.count == limit {
                    #expect(batch.more && batch.through == Int64(expected.last!.offset + 1), "\(label)")
                    sawMore += 1
                } else {
                    #expect(!batch.more && batch.through == max(Int64(log.count), cursor), "\(label)")
                }
                if batch.ops.count < Int(batch.through - cursor) { sawSkips += 1 }
            }
            #expect(sawMore > 50 && sawSkips > 50, "batches cut by their limit: \(sawMore); moving past others' ops: \(sawSkips)")
        }
    }
}
