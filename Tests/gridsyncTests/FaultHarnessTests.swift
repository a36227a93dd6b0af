import Foundation
import Testing

/// The real daemon and laptops through faults at random moments (kill -9 of the daemon or of a sync, a link cut at
/// random bytes, a full disk, a daemon moved to a copy of its folder): nothing acknowledged is lost, and every laptop
/// ends with the daemon's records of its grid.
///
/// `GRIDSYNC_FAULT_TRIALS` sets how many trials (a few by default), `GRIDSYNC_FAULT_SEED` replays a run,
/// `GRIDSYNC_FAULT_KINDS` (comma-separated) keeps to some faults. See docs/RELIABILITY.md, section Fault harness.
@Suite struct FaultHarnessTests {
    @Test func faultsLoseNothingAcknowledgedAndEveryLaptopEndsWithTheDaemonsRecords() throws {
        let settings = try FaultHarness.Settings(environment: ProcessInfo.processInfo.environment)
        let summary = FaultHarness(settings: settings).run()
        print(summary.text)
        for failure in summary.failures {
            Issue.record(
                """
                fault trial \(failure.index) (seed \(failure.seed), \(failure.fault.rawValue)) failed:
                \(failure.problems.map { "- " + $0 }.joined(separator: "\n"))
                replay: \(failure.replay)
                """)
        }
    }

    /// The checks are not true by construction: an op the daemon acknowledged and then lost is found, by the
    /// laptop's cursor alone and by the harness's record of finished syncs alone.
    @Test func theChecksFindAnAcknowledgedOpTheDaemonLost() throws {
        let daemon = try DaemonProcess()
        defer { daemon.cleanUp() }
        let laptop = TrialLaptop(try FieldLaptop(daemon: daemon, worker: "w001", scope: "c01/g01"))
        defer { laptop.laptop.cleanUp() }
        _ = try laptop.laptop.addDemand("楼道堆物清理")
        try laptop.laptop.sync()
        let own = try ReplicaFile(folder: laptop.data).ownThrough()
        let cursor = try ReplicaFile(folder: laptop.data).pushedThrough()
        #expect(own.through > 2 && cursor == own.through, "own ops through \(own.through), acknowledged \(cursor)")
        let clean = try FaultHarness.lostAcknowledged(on: daemon, of: [laptop])
        #expect(clean.lost.isEmpty && clean.checked == Int(own.through), "\(clean)")
        #expect(try FaultHarness.differences(on: daemon, of: [laptop]).isEmpty)

        // The daemon loses the laptop's second op.
        #expect(daemon.stop() == 0)
        let sqlite3 = try #require(DaemonProcess.sqlite3)
        let deleted = try GridsyncBinary.run(
            executable: sqlite3,
            [
                daemon.data.appendingPathComponent("replica.sqlite").path,
                "DELETE FROM ops WHERE replica = '\(own.replica)' AND sequence = 2",
            ], environment: [:])
        #expect(deleted.status == 0, "\(deleted.error)")
        let restarted = try daemon.restarted()
        defer { restarted.stop() }

        let byCursor = try FaultHarness.lostAcknowledged(on: restarted, of: [laptop])
        #expect(byCursor.lost.count == 1 && byCursor.lost[0].contains("\(own.replica).2 "), "\(byCursor.lost)")
        // With the laptop's cursor set back, the harness's record of the finished sync still finds it.
        let rewound = try GridsyncBinary.run(
            executable: sqlite3,
            [laptop.data.appendingPathComponent("replica.sqlite").path, "UPDATE peers SET pushed_through = 0"],
            environment: [:])
        #expect(rewound.status == 0, "\(rewound.error)")
        #expect(try FaultHarness.lostAcknowledged(on: restarted, of: [laptop]).lost.isEmpty, "nothing noted yet")
        laptop.acknowledged[own.replica] = own.through
        let bySync = try FaultHarness.lostAcknowledged(on: restarted, of: [laptop])
        #expect(bySync.lost.count == 2, "\(bySync.lost)")
        #expect(bySync.lost.contains { $0.contains("\(own.replica).2 ") && $0.contains("a finished sync") })
        #expect(bySync.lost.contains { $0.contains("cursor for the daemon says 0") }, "a cursor gone back is told")
        let differences = try FaultHarness.differences(on: restarted, of: [laptop])
        #expect(differences.contains { $0.contains("the daemon lacks 1 ops") }, "\(differences)")
    }

    @Test func theSettingsComeFromTheEnvironment() throws {
        let settings = try FaultHarness.Settings(environment: [
            "GRIDSYNC_FAULT_TRIALS": "7", "GRIDSYNC_FAULT_SEED": "42", "GRIDSYNC_FAULT_KINDS": "sync-kill, cut-link",
        ])
        #expect(settings.trials == 7 && settings.seed == 42)
        #expect((0..<4).map { settings.fault(ofTrial: $0) } == [.syncKilled, .cutLink, .syncKilled, .cutLink])
        #expect(settings.seed(ofTrial: 0) == 42)
        #expect(Set((0..<7).map { settings.seed(ofTrial: $0) }).count == 7)
        let unset = try FaultHarness.Settings(environment: [:])
        #expect(unset.trials == FaultHarness.Settings.defaultTrials && unset.faults == FaultHarness.Fault.allCases)
        #expect(throws: DaemonFailure.self) { try FaultHarness.Settings(environment: ["GRIDSYNC_FAULT_TRIALS": "0"]) }
        #expect(throws: DaemonFailure.self) {
            try FaultHarness.Settings(environment: ["GRIDSYNC_FAULT_KINDS": "flood"])
        }
        #expect(FaultHarness.ranges([1, 2, 3, 5, 7, 8]) == "1-3, 5, 7-8")
        #expect(FaultTrial.saysTheServerIsFull("the server's disk is full: sync again once the office has freed space"))
        #expect(!FaultTrial.saysTheServerIsFull("sync stopped: the connection was cut"))
        #expect(
            FaultTrial.saysTheServerRefused(
                "sync stopped: the server refused: the server's store failed (database): tell the office"))
        #expect(!FaultTrial.saysTheServerRefused("sync stopped: the connection was cut part-way: sync again"))
    }
}
