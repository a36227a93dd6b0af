import Foundation
import GridMerge
import GridModel
import GridStore
import GridTesting
import Testing

/// The daemon acknowledges a push once it is in its op log, and its records catch up a moment
/// later. A power cut in that moment (before the catch-up, in the middle of it, or just after)
/// must lose nothing and leave nothing half-derived: the next start merges what was left, and
/// the daemon's records equal the laptop's.
@Suite struct OpLogFirstTests {
    @Test func aDaemonKilledWhileItsRecordsCatchUpLosesNothing() async throws {
        guard let sqlite3 = DaemonProcess.sqlite3 else {
            Issue.record("sqlite3 is not installed: run tools/test, or `sudo apt-get install sqlite3`")
            return
        }
        var rng = SeededGenerator(seed: 20_261_130)
        var leftBehind = 0
        // Killed at once, around the second of quiet after which the records catch up, and later.
        for delay in [0.0, 0.9, 1.0 + Double.random(in: 0..<0.6, using: &rng), 2.5] {
            let daemon = try DaemonProcess()
            defer { daemon.cleanUp() }
            let laptop = try FieldLaptop(daemon: daemon, worker: "w001", scope: "c01/g01")
            defer { laptop.cleanUp() }
            try await Self.work(on: laptop, demands: 400, using: &rng)
            let pushed = try laptop.sync().pushed
            #expect(pushed > 2_000, "the laptop pushed only \(pushed) ops")
            try await Task.sleep(for: .seconds(delay))
            kill(daemon.processIdentifier, SIGKILL)
            _ = daemon.waitForExit(timeout: 10)

            let replica = daemon.data.appendingPathComponent("replica.sqlite").path
            func derivation() throws -> [Int] {
                let result = try GridsyncBinary.run(
                    executable: sqlite3,
                    [replica, "SELECT derived_through, (SELECT max(local_sequence) FROM ops) FROM replica"],
                    environment: [:])
                return result.output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "|")
                    .compactMap { Int($0) }
            }
            let killed = try derivation()
            try #require(killed.count == 2, "could not read the daemon's replica with sqlite3")
            if killed[0] < killed[1] { leftBehind += 1 }

            // The next start merges the tail before it serves; then the records equal the laptop's.
            let restarted = try daemon.restarted()
            defer { restarted.stop() }
            let started = try derivation()
            #expect(started.count == 2 && started[0] == started[1], "records behind the log after a start: \(started)")
            try ServerRecords(daemon: restarted).expectConverged([laptop])
            #expect(try laptop.sync().pulled == 0)
        }
        // The kill at once always comes before the catch-up: the start had a tail to merge.
        #expect(leftBehind >= 1)
    }

    /// Records `demands` demands on the laptop, each made and then edited a few times, as a
    /// worker offline for a while would: written through the replica's store, as `gridsync` writes.
    static func work(on laptop: FieldLaptop, demands: Int, using rng: inout SeededGenerator) async throws {
        let store = try SQLiteReplicaStore.open(in: laptop.gridsync.data.path)
        let statuses = ["accepted", "in-progress", "resolved"]
        for number in 0..<demands {
            let id = RecordID(using: &rng)
            _ = try await store.write(
                RecordChange(
                    record: id, target: .create(.demand, in: GridScope("c01/g01")!),
                    edits: [
                        .assign("title", "楼道堆物清理 \(number)"), .assign("category", "fire-safety"),
                        .assign("status", "raised"), .assign("urgency", "normal"),
                    ]))
            for status in statuses.prefix(Int.random(in: 1...3, using: &rng)) {
                _ = try await store.write(RecordChange(record: id, target: .edit, edits: [.assign("status", status)]))
            }
        }
    }
}
