import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Trials of random field work and syncs with the real `gridsyncd` and `gridsync`, each while one fault strikes at
/// a random moment, and the checks that follow: nothing the daemon acknowledged is lost, and after clean syncs every
/// laptop holds exactly the daemon's records of its grid.
///
/// Each trial has a fresh daemon folder and two to four laptops in one or two grids (sometimes one is the office's);
/// the fault is one of ``Fault``. The run is replayable: a seed fixes every random choice of a trial (the work, the
/// laptops, the moment of the fault, the byte where a link is cut), though not how the processes interleave.
struct FaultHarness {
    /// A fault a trial survives.
    enum Fault: String, CaseIterable, Sendable {
        /// `kill -9` of the daemon during syncs, then the daemon started again on its folder.
        case daemonKilled = "daemon-kill"
        /// `kill -9` of a laptop's `gridsync sync`, then the laptop syncs again.
        case syncKilled = "sync-kill"
        /// A relay that cuts the connection at random byte offsets, each way.
        case cutLink = "cut-link"
        /// The daemon's folder on a full disk (a small tmpfs, filled): it refuses, then space is freed.
        case fullDisk = "full-disk"
        /// `kill -9` of the daemon, its folder copied elsewhere (with `-wal` and `-shm`), a daemon started on the copy.
        case copiedFolder = "copied-folder"
    }

    /// What a run is asked to do, from the environment.
    struct Settings {
        /// Trials run by default: one of each fault, well within a minute and a half.
        static let defaultTrials = 5

        /// How many trials (`GRIDSYNC_FAULT_TRIALS`).
        var trials: Int
        /// The run's seed (`GRIDSYNC_FAULT_SEED`, random if unset): trial 0 runs with it, the others with seeds drawn
        /// from it.
        var seed: UInt64
        /// The faults the trials take in turn (`GRIDSYNC_FAULT_KINDS`, comma-separated; all if unset).
        var faults: [Fault]

        /// Reads the settings; an unreadable value is an error that says what is expected.
        init(environment: [String: String]) throws {
            trials = Self.defaultTrials
            if let text = environment["GRIDSYNC_FAULT_TRIALS"], !text.isEmpty {
                guard let count = Int(text), count > 0 else {
                    throw DaemonFailure("GRIDSYNC_FAULT_TRIALS=\(text): give a number of trials, 1 or more")
                }
                trials = count
            }
            seed = UInt64.random(in: 1...UInt64.max)
            if let text = environment["GRIDSYNC_FAULT_SEED"], !text.isEmpty {
                guard let seed = UInt64(text) else {
                    throw DaemonFailure("GRIDSYNC_FAULT_SEED=\(text): give the seed a failed run printed")
                }
                self.seed = seed
            }
            faults = Fault.allCases
            if let text = environment["GRIDSYNC_FAULT_KINDS"], !text.isEmpty {
                faults = try text.split(separator: ",").map { name in
                    let name = name.trimmingCharacters(in: .whitespaces)
                    guard let fault = Fault(rawValue: name) else {
                        let known = Fault.allCases.map(\.rawValue).joined(separator: ", ")
                        throw DaemonFailure("GRIDSYNC_FAULT_KINDS: \(name) is not one of \(known)")
                    }
                    return fault
                }
            }
        }

        /// The seed of trial `index`.
        func seed(ofTrial index: Int) -> UInt64 {
            guard index > 0 else { return seed }
            var generator = SeededGenerator(seed: seed ^ (UInt64(index) &* 0xD6E8_FEB8_6659_FD93))
            return generator.next()
        }

        /// The fault of trial `index`: the faults in turn.
        func fault(ofTrial index: Int) -> Fault {
            faults[index % faults.count]
        }
    }

    /// What one trial found.
    struct TrialReport {
        let index: Int
        let seed: UInt64
        let fault: Fault
        /// What was lost or different, or went wrong; empty if the trial passed.
        var problems: [String] = []
        /// Why the trial did not run, if it did not.
        var skipped: String?
        /// Whether the fault struck while a sync was under way (on a full disk: whether a sync was refused).
        var struckMidSync: Bool?
        /// How many acknowledged ops the checks after the fault looked for on the daemon (each check counts anew).
        var acknowledgedChecked = 0
        /// On a full disk: how many syncs the daemon refused, and how many of the refusals said the disk is full.
        var refusals = 0, refusalsNamingTheFullDisk = 0
        /// Field work the rules refused (a worker's mistake the random work makes now and then).
        var refusedEdits = 0
        /// How the trial was set up and what happened, in a few words.
        var notes: [String] = []
        /// Where the trial's folders were kept, if it failed.
        var kept: String?
        var seconds: Double = 0

        var passed: Bool { skipped == nil && problems.isEmpty }

        /// The environment and command that run this trial again.
        var replay: String {
            "GRIDSYNC_FAULT_SEED=\(seed) GRIDSYNC_FAULT_KINDS=\(fault.rawValue) GRIDSYNC_FAULT_TRIALS=1 "
                + "swift test --filter FaultHarness"
        }
    }

    /// The tally of a run.
    struct Summary {
        let seed: UInt64
        let reports: [TrialReport]
        let seconds: Double

        var failures: [TrialReport] { reports.filter { $0.skipped == nil && !$0.problems.isEmpty } }

        /// `fault harness: N passed, M failed (seed S)`, then the counts by fault and every failure.
        var text: String {
            let ran = reports.filter { $0.skipped == nil }
            var lines = [
                "fault harness: \(ran.count - failures.count) passed, \(failures.count) failed (seed \(seed))"
                    + " in \(String(format: "%.0f", seconds)) s"
            ]
            for fault in Fault.allCases {
                let mine = reports.filter { $0.fault == fault }
                guard !mine.isEmpty else { continue }
                let skipped = mine.filter { $0.skipped != nil }
                let run = mine.filter { $0.skipped == nil }
                var line =
                    "  \(fault.rawValue): \(run.filter(\.passed).count) passed, "
                    + "\(run.filter { !$0.passed }.count) failed"
                let struck = run.compactMap(\.struckMidSync)
                if fault == .fullDisk, !run.isEmpty {
                    let refusals = run.map(\.refusals).reduce(0, +)
                    line +=
                        ", \(struck.filter { $0 }.count) of \(struck.count) refused syncs (\(refusals) refusals, "
                        + "\(run.map(\.refusalsNamingTheFullDisk).reduce(0, +)) of them saying the disk is full)"
                } else if !struck.isEmpty {
                    line += ", \(struck.filter { $0 }.count) of \(struck.count) struck mid-sync"
                }
                if !run.isEmpty { line += ", \(run.map(\.acknowledgedChecked).reduce(0, +)) acknowledged ops checked" }
                if let reason = skipped.first?.skipped { line += "; \(skipped.count) skipped (\(reason))" }
                lines.append(line)
            }
            for failure in failures {
                lines.append(
                    "FAILED trial \(failure.index) (seed \(failure.seed), \(failure.fault.rawValue); "
                        + failure.notes.joined(separator: "; ") + "):")
                lines += failure.problems.map { "  - " + $0 }
                if let kept = failure.kept { lines.append("  its folders are kept in \(kept)") }
                lines.append("  replay: " + failure.replay)
            }
            return lines.joined(separator: "\n")
        }
    }

    let settings: Settings

    /// Runs the trials one after another, printing a line for each through `log`.
    func run(log: (String) -> Void = { print($0) }) -> Summary {
        let started = Date()
        var reports: [TrialReport] = []
        log(
            "fault harness: \(settings.trials) trials of \(settings.faults.map(\.rawValue).joined(separator: ", "))"
                + " (seed \(settings.seed))")
        for index in 0..<settings.trials {
            let trial = FaultTrial(
                index: index, seed: settings.seed(ofTrial: index), fault: settings.fault(ofTrial: index))
            let report = trial.run()
            reports.append(report)
            let struck =
                report.struckMidSync.map { struck in
                    report.fault == .fullDisk
                        ? (struck ? "refused syncs, " : "refused none, ")
                        : (struck ? "struck mid-sync, " : "struck between syncs, ")
                } ?? ""
            let outcome =
                report.skipped.map { "skipped: \($0)" }
                ?? (report.passed ? "\(struck)passed" : "\(struck)FAILED: " + report.problems.joined(separator: " | "))
            log(
                "fault harness: trial \(index) (seed \(report.seed), \(report.fault.rawValue); "
                    + report.notes.joined(separator: "; ") + ") \(outcome) in "
                    + String(format: "%.1f", report.seconds) + " s")
        }
        return Summary(seed: settings.seed, reports: reports, seconds: Date().timeIntervalSince(started))
    }

    // MARK: - The checks

    /// Every op a laptop had acknowledged by the daemon that the daemon does not hold, in words; and how many
    /// acknowledged ops were checked.
    ///
    /// A laptop's op counts as acknowledged when the laptop recorded the daemon's ACK of it (its replica's cursor for
    /// the daemon, `peers.pushed_through`, written only once an ACK has arrived) or when a `gridsync sync` that
    /// started after the op was written finished with status 0 and no refusal (what the harness saw, which does not
    /// rely on the laptop's bookkeeping). The daemon's op log is read from its file with `sqlite3`, not through the
    /// daemon.
    static func lostAcknowledged(on daemon: DaemonProcess, of laptops: [TrialLaptop]) throws -> (
        lost: [String], checked: Int
    ) {
        var acknowledged: [(laptop: TrialLaptop, replica: String, through: Int64, source: String)] = []
        var lost: [String] = []
        for laptop in laptops {
            let file = ReplicaFile(folder: laptop.data)
            let replica = try file.replicaID()
            let cursor = try file.pushedThrough()
            if let finished = laptop.acknowledged[replica], finished > cursor {
                // A finished sync pushed everything and recorded the ACKs: the cursor never goes back.
                lost.append(
                    "\(laptop.name)'s cursor for the daemon says \(cursor), behind the \(finished) own ops a finished "
                        + "sync pushed")
            }
            var byReplica = laptop.acknowledged.mapValues { (through: $0, source: "a finished sync") }
            if cursor > byReplica[replica]?.through ?? 0 {
                byReplica[replica] = (cursor, "the laptop's cursor for the daemon")
            }
            for (replica, mark) in byReplica where mark.through > 0 {
                acknowledged.append((laptop, replica, mark.through, mark.source))
            }
        }
        let held = try ReplicaFile(folder: daemon.data).sequences(of: Set(acknowledged.map(\.replica)))
        var checked = 0
        for mark in acknowledged.sorted(by: { $0.laptop.name < $1.laptop.name }) {
            checked += Int(mark.through)
            let have = held[mark.replica] ?? []
            let missing = (1...mark.through).filter { !have.contains($0) }
            guard !missing.isEmpty else { continue }
            lost.append(
                "\(mark.laptop.name)'s ops \(mark.replica).\(Self.ranges(missing)) were acknowledged (through "
                    + "\(mark.through), by \(mark.source)) but the daemon does not hold them")
        }
        return (lost, checked)
    }

    /// How every laptop differs from the daemon, in words: ops it holds that the daemon lacks or holds otherwise,
    /// ops of its grids the daemon holds that it lacks, and records that differ from the daemon's export of its grid.
    static func differences(on daemon: DaemonProcess, of laptops: [TrialLaptop]) throws -> [String] {
        let daemonOps = try ReplicaFile(folder: daemon.data).ops()
        var differences: [String] = []
        for laptop in laptops {
            let ops = try ReplicaFile(folder: laptop.data).ops()
            let absent = ops.keys.filter { daemonOps[$0] == nil }.sorted()
            if !absent.isEmpty {
                differences.append(
                    "the daemon lacks \(absent.count) ops \(laptop.name) holds: \(absent.prefix(8).joined(separator: ", "))"
                )
            }
            let unlike = ops.keys.filter { daemonOps[$0] != nil && daemonOps[$0] != ops[$0] }.sorted()
            if let first = unlike.first {
                differences.append(
                    "\(unlike.count) ops differ between \(laptop.name) and the daemon, first \(first): laptop "
                        + "\(ops[first]!) daemon \(daemonOps[first]!)")
            }
            let scopes = try ReplicaFile(folder: laptop.data).scopes()
            let unreceived = daemonOps.filter { id, row in
                ops[id] == nil && scopes.contains { scope in row.scope == scope || row.scope.hasPrefix(scope + "/") }
            }.keys.sorted()
            if !unreceived.isEmpty {
                differences.append(
                    "\(laptop.name) lacks \(unreceived.count) ops of its grids the daemon holds: "
                        + unreceived.prefix(8).joined(separator: ", "))
            }
            let expected = try SyncEndToEndTests.export(daemon, scope: laptop.laptop.scope)
            let exported = try laptop.laptop.export()
            if exported != expected {
                let onlyLaptop = Set(exported).subtracting(expected).sorted()
                let onlyDaemon = Set(expected).subtracting(exported).sorted()
                differences.append(
                    "\(laptop.name)'s records differ from the daemon's of \(laptop.laptop.scope) "
                        + "(\(exported.count) against \(expected.count)): laptop only "
                        + "\(onlyLaptop.prefix(2).joined(separator: " ")) daemon only "
                        + "\(onlyDaemon.prefix(2).joined(separator: " "))")
            }
        }
        return differences
    }

    /// `[3, 4, 5, 9]` as `3-5, 9`.
    static func ranges(_ numbers: [Int64]) -> String {
        var parts: [String] = []
        var start = numbers.first
        var previous = numbers.first
        for number in numbers.dropFirst() + [Int64.min] {
            if let last = previous, number == last + 1 {
                previous = number
                continue
            }
            if let first = start, let last = previous { parts.append(first == last ? "\(first)" : "\(first)-\(last)") }
            start = number
            previous = number
        }
        return parts.joined(separator: ", ")
    }
}

/// A laptop of a fault trial, with what the harness saw of its syncs, independently of the laptop's own records.
final class TrialLaptop {
    /// The laptop, made and first synced through the shared test support.
    let laptop: FieldLaptop
    /// By replica id the laptop wrote under: the highest own sequence a finished sync acknowledged.
    var acknowledged: [String: Int64] = [:]
    /// The records the laptop holds, by id: their type and whether they are deleted.
    var records: [String: (type: String, deleted: Bool)] = [:]

    init(_ laptop: FieldLaptop) {
        self.laptop = laptop
    }

    var name: String { laptop.name }
    var data: URL { laptop.gridsync.data }

    /// Reads the records the laptop holds now.
    func refreshRecords() throws {
        records = [:]
        for row in try ReplicaFile(folder: data).rows("SELECT id, type, deleted FROM records") {
            guard let id = row["id"] as? String, let type = row["type"] as? String else { continue }
            records[id] = (type, (row["deleted"] as? Int ?? 0) != 0)
        }
    }
}

/// A replica's SQLite file, read with Debian's `sqlite3 -readonly`: the oracle's own view of what a replica holds,
/// through neither `gridsync` nor `gridsyncd`.
struct ReplicaFile {
    /// One op as stored, every column but its local numbering.
    struct OpRow: Equatable, CustomStringConvertible {
        let clock: Int64
        let author: String
        let record: String
        let scope: String
        let field: String
        let payload: String
        let parents: String

        var description: String { "\(record) \(field) \(payload) clock \(clock) by \(author) after [\(parents)]" }
    }

    /// The data folder.
    let folder: URL

    var file: URL { folder.appendingPathComponent("replica.sqlite") }

    /// The rows a query returns, as `sqlite3 -json` gives them.
    func rows(_ sql: String) throws -> [[String: Any]] {
        guard let sqlite3 = DaemonProcess.sqlite3 else {
            throw DaemonFailure("sqlite3 is not installed: run tools/test, or `sudo apt-get install sqlite3`")
        }
        let result = try GridsyncBinary.run(
            executable: sqlite3, ["-readonly", "-json", "-cmd", ".timeout 10000", file.path, sql], environment: [:])
        guard result.status == 0 else { throw DaemonFailure("sqlite3 \(file.path) \(sql): \(result.error)") }
        let text = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return [] }
        return try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]] ?? []
    }

    /// The replica id it writes under now.
    func replicaID() throws -> String {
        guard let id = try rows("SELECT id FROM replica").first?["id"] as? String else {
            throw DaemonFailure("\(file.path) has no replica id")
        }
        return id
    }

    /// The grids (or communities) it records in.
    func scopes() throws -> [String] {
        (try rows("SELECT scopes FROM replica").first?["scopes"] as? String ?? "").split(separator: " ").map(
            String.init)
    }

    /// The highest own sequence a peer acknowledged.
    func pushedThrough() throws -> Int64 {
        (try rows("SELECT coalesce(max(pushed_through), 0) AS through FROM peers").first?["through"] as? NSNumber)?
            .int64Value ?? 0
    }

    /// The highest own sequence written.
    func ownThrough() throws -> (replica: String, through: Int64) {
        let row = try rows(
            "SELECT id, (SELECT coalesce(max(sequence), 0) FROM ops WHERE replica = r.id) AS through FROM replica r"
        ).first
        guard let replica = row?["id"] as? String else { throw DaemonFailure("\(file.path) has no replica id") }
        return (replica, (row?["through"] as? NSNumber)?.int64Value ?? 0)
    }

    /// The sequences held of each of `replicas`' ops.
    func sequences(of replicas: Set<String>) throws -> [String: Set<Int64>] {
        guard !replicas.isEmpty else { return [:] }
        let list = replicas.sorted().map { "'\($0)'" }.joined(separator: ", ")
        var held: [String: Set<Int64>] = [:]
        for row in try rows("SELECT replica, sequence FROM ops WHERE replica IN (\(list))") {
            guard let replica = row["replica"] as? String, let sequence = row["sequence"] as? NSNumber else { continue }
            held[replica, default: []].insert(sequence.int64Value)
        }
        return held
    }

    /// Every op, by its id (`replica.sequence`).
    func ops() throws -> [String: OpRow] {
        var ops: [String: OpRow] = [:]
        let sql =
            "SELECT replica, sequence, clock, author, record_id, scope, field, payload, parents FROM ops"
        for row in try rows(sql) {
            guard let replica = row["replica"] as? String, let sequence = row["sequence"] as? NSNumber else { continue }
            ops["\(replica).\(sequence.int64Value)"] = OpRow(
                clock: (row["clock"] as? NSNumber)?.int64Value ?? 0, author: row["author"] as? String ?? "",
                record: row["record_id"] as? String ?? "", scope: row["scope"] as? String ?? "",
                field: row["field"] as? String ?? "", payload: row["payload"] as? String ?? "",
                parents: row["parents"] as? String ?? "")
        }
        return ops
    }
}

/// A small tmpfs mounted where a daemon keeps its folder, to be filled up: only root may mount one.
final class ScratchDisk {
    /// The mount point, the daemon's data folder.
    let folder: URL
    private var filler: URL { folder.appendingPathComponent("filler") }

    /// Why no disk can be mounted here, or `nil` if one can (the tests run as root).
    static var unavailable: String? {
        guard getuid() == 0 else { return "not root: mounting a tmpfs needs root (CI runs as root)" }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/mount") else { return "no /usr/bin/mount" }
        return nil
    }

    /// Mounts a tmpfs of `megabytes` on a new folder.
    init(megabytes: Int) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("gridsync-full-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let mounted = try GridsyncBinary.run(
            executable: URL(fileURLWithPath: "/usr/bin/mount"),
            ["-t", "tmpfs", "-o", "size=\(megabytes)m", "tmpfs", folder.path], environment: [:])
        guard mounted.status == 0 else {
            try? FileManager.default.removeItem(at: folder)
            throw DaemonFailure("cannot mount a tmpfs on \(folder.path): \(mounted.error)")
        }
    }

    /// Fills the disk, then frees `headroom` bytes of it; returns the bytes written.
    @discardableResult
    func fill(leaving headroom: Int) throws -> Int {
        let descriptor = open(filler.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else { throw DaemonFailure("cannot create \(filler.path)") }
        defer { close(descriptor) }
        let chunk = [UInt8](repeating: 0x5A, count: 65536)
        var written = 0
        while true {
            let count = chunk.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            written += count
        }
        // The last pages may have gone part-way: a byte at a time until nothing more fits.
        while chunk.withUnsafeBytes({ write(descriptor, $0.baseAddress, 1) }) == 1 { written += 1 }
        let kept = max(0, written - headroom)
        guard ftruncate(descriptor, off_t(kept)) == 0 else { throw DaemonFailure("cannot shrink \(filler.path)") }
        return kept
    }

    /// Removes the filler.
    func free() {
        try? FileManager.default.removeItem(at: filler)
    }

    /// Unmounts the disk (lazily if something still holds it) and removes the mount point.
    func unmount() {
        let umount = URL(fileURLWithPath: "/usr/bin/umount")
        if (try? GridsyncBinary.run(executable: umount, [folder.path], environment: [:]))?.status != 0 {
            _ = try? GridsyncBinary.run(executable: umount, ["-l", folder.path], environment: [:])
        }
        try? FileManager.default.removeItem(at: folder)
    }
}

extension DaemonProcess {
    /// `kill -9`: the daemon stops at once, as on a power cut of its process; returns whether it was running.
    func killAbruptly() -> Bool {
        guard isRunning else { return false }
        kill(processIdentifier, SIGKILL)
        return waitForExit(timeout: 10) != nil
    }
}

/// A deterministic random number generator (SplitMix64): a trial's seed replays its random choices.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}

/// One trial of the fault harness: a fresh daemon, a few laptops, rounds of field work and syncs with the fault at a
/// random moment of one of them, then two clean syncs of every laptop and the checks.
final class FaultTrial {
    /// A `gridsync sync` under way.
    private struct RunningSync {
        let laptop: TrialLaptop
        let process: Process
        /// The replica id the laptop wrote under, and its highest own sequence, as the sync started.
        let replica: String
        let ownThrough: Int64
        let output: URL
        let error: URL
        let started: Date
    }

    /// How a sync ended.
    private struct SyncEnd {
        let laptop: TrialLaptop
        let status: Int32
        /// Whether a signal ended it (a kill, or a crash).
        let signalled: Bool
        let output: String
        let error: String
        let seconds: Double

        var succeeded: Bool { !signalled && status == 0 }
        var ending: String { signalled ? "signal \(status)" : "status \(status)" }
        /// Its message to the worker, on one line.
        var message: String {
            error.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " / ")
        }
    }

    private let fault: FaultHarness.Fault
    private var random: SeededGenerator
    private var report: FaultHarness.TrialReport
    /// Where the syncs' output goes, and where a failed trial's folders are listed.
    private let folder: URL
    private var environment: [String: String] = [:]
    private var daemon: DaemonProcess?
    private var laptops: [TrialLaptop] = []
    private var disk: ScratchDisk?
    /// Folders a daemon served before it moved to a copy.
    private var formerFolders: [URL] = []
    /// The logs of the daemons that were killed, oldest first.
    private var formerLogs: [String] = []
    /// The longest clean sync so far: the faults strike within about that long of a sync's start.
    private var slowestSync: TimeInterval = 0.05
    /// The clean syncs' time, all told, and their number.
    private var syncSeconds: TimeInterval = 0, cleanSyncs = 0
    /// Bytes on the wire of the clean syncs so far, and the ops they pushed: how long a push is, roughly.
    private var bytesSent = 0, opsPushed = 0
    /// The most bytes a clean sync received.
    private var mostReceived = 0
    private var syncCount = 0
    private var serial = 0

    init(index: Int, seed: UInt64, fault: FaultHarness.Fault) {
        self.fault = fault
        random = SeededGenerator(seed: seed)
        report = FaultHarness.TrialReport(index: index, seed: seed, fault: fault)
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("gridsync-fault-\(seed)-\(index)")
    }

    /// Plays the trial and cleans up after it (keeping its folders if it failed).
    func run() -> FaultHarness.TrialReport {
        let started = Date()
        if fault == .fullDisk, let reason = ScratchDisk.unavailable {
            report.skipped = reason
            return report
        }
        do {
            try? FileManager.default.removeItem(at: folder)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try play()
        } catch {
            problem("the trial stopped: \(error)")
        }
        if report.refusedEdits > 0 { report.notes.append("\(report.refusedEdits) edits refused by the rules") }
        cleanUp()
        report.seconds = Date().timeIntervalSince(started)
        return report
    }

    private func play() throws {
        try setUp()
        let rounds = int(1...3)
        let faultRound = int(0...(rounds - 1))
        for round in 0..<rounds {
            for laptop in laptops where chance(0.75) { try fieldWork(on: laptop, actions: int(1...3)) }
            if round == faultRound {
                try strike()
                guard daemon?.isRunning == true else { return problem("no daemon runs after the fault") }
            } else {
                for laptop in laptops.shuffled(using: &random) where chance(0.7) {
                    try syncCleanly(laptop, "a sync of round \(round)")
                }
            }
        }
        // Twice round: the second brings everyone what the others pushed in the first.
        for pass in 1...2 {
            for laptop in laptops { try syncCleanly(laptop, "final sync \(pass)") }
        }
        guard let daemon else { return }
        let (lost, _) = try FaultHarness.lostAcknowledged(on: daemon, of: laptops)
        report.problems += lost.map { "at the end: \($0)" }
        report.problems += try FaultHarness.differences(on: daemon, of: laptops).map { "at the end: \($0)" }
    }

    // MARK: - Setting up

    private func setUp() throws {
        let batch = int(3...40)
        environment["GRIDSYNCD_OPS_PER_BATCH"] = "\(batch)"
        if fault == .fullDisk { disk = try ScratchDisk(megabytes: 24) }
        let daemon = try DaemonProcess(environment: environment, data: disk?.folder)
        self.daemon = daemon
        let grids = chance(0.5) ? ["c01/g01"] : ["c01/g01", "c01/g02"]
        let count = int(2...4)
        let withOffice = count > 2 && chance(0.3)
        for index in 0..<count {
            let laptop =
                withOffice && index == count - 1
                ? try FieldLaptop(daemon: daemon, worker: "office-1", scope: "c01", role: "office")
                : try FieldLaptop(
                    daemon: daemon, worker: String(format: "w%03d", index + 1), scope: grids[index % grids.count])
            laptops.append(TrialLaptop(laptop))
        }
        report.notes = [
            "\(count) laptops in \(grids.count == 1 ? "one grid" : "two grids")"
                + (withOffice ? " and the office" : ""),
            "batches of \(batch)",
        ]
        // The first sync goes through the shared support, which keeps the server, the token and whatever else a
        // first sync needs in the laptop's folder: later syncs give only --server (the daemon's or a relay's).
        for laptop in laptops {
            try fieldWork(on: laptop, actions: int(1...3))
            let own = try ReplicaFile(folder: laptop.data).ownThrough()
            let started = Date()
            try laptop.laptop.sync()
            slowestSync = max(slowestSync, Date().timeIntervalSince(started))
            syncSeconds += Date().timeIntervalSince(started)
            cleanSyncs += 1
            laptop.acknowledged[own.replica] = own.through
        }
    }

    // MARK: - Field work

    private static let titles = ["楼道堆物清理", "路灯不亮", "电梯故障", "停车位不足", "井盖缺失", "垃圾分类点异味", "健身器材损坏"]
    private static let categories = ["消防安全", "便民服务", "社会治安", "环境美化", "民主协商", "其他"]
    private static let notes = ["已联系物业", "居民再次反映", "下周复查", "已上报街道", "物业已受理"]
    /// The codes of a command's failure that say the replica is damaged or out of reach, or a record it held is gone.
    private static let damage: Set<String> = [
        "not-a-replica", "corrupt", "read-only", "newer-version", "busy", "database", "identity-changed",
        "unknown-record",
    ]

    /// Runs `actions` random commands on the laptop: records added, edited, deleted and restored. `bulky` work adds
    /// demands with long descriptions that compress badly, so that the round's pushes span several batches.
    private func fieldWork(on laptop: TrialLaptop, actions: Int, bulky: Bool = false) throws {
        try laptop.refreshRecords()
        for _ in 0..<actions {
            var arguments = nextAction(for: laptop, bulky: bulky)
            if !arguments.contains("--json") { arguments.append("--json") }
            let result = try laptop.laptop.gridsync.run(arguments)
            guard result.status == 0 else {
                // An edit the rules refuse (a stage skipped, backers below zero) is the worker's mistake, not the
                // fault's; a replica that cannot be read or written, or a command that did not end with a refusal,
                // is what a fault may have left behind.
                let document = try? JSONSerialization.jsonObject(with: Data(result.error.utf8)) as? [String: Any]
                let code = (document?["error"] as? [String: Any])?["code"] as? String
                if let code, !Self.damage.contains(code) {
                    report.refusedEdits += 1
                } else {
                    problem(
                        "`gridsync \(arguments.prefix(2).joined(separator: " "))` on \(laptop.name) failed: "
                            + result.error.trimmingCharacters(in: .whitespacesAndNewlines))
                }
                continue
            }
            if arguments[1] == "add",
                let document = try? JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any],
                let id = document["id"] as? String
            {
                laptop.records[id] = (arguments[0], false)
            } else if arguments[0] == "delete" || arguments[0] == "restore" {
                laptop.records[arguments[1]]?.deleted = arguments[0] == "delete"
            }
        }
    }

    private func nextAction(for laptop: TrialLaptop, bulky: Bool) -> [String] {
        serial += 1
        let live = laptop.records.filter { !$0.value.deleted }
        let demands = live.filter { $0.value.type == "demand" }.keys.sorted()
        let projects = live.filter { $0.value.type == "project" }.keys.sorted()
        let deleted = laptop.records.filter { $0.value.deleted }.keys.sorted()
        let title = "\(pick(Self.titles)) \(serial)"
        let roll = bulky ? int(0...29) : int(0...99)
        switch roll {
        case 0..<30:
            var arguments = ["demand", "add", "--title", title, "--category", pick(Self.categories), "--json"]
            if bulky || chance(0.4) { arguments += ["--description", text(words: bulky ? int(10...40) : int(1...6))] }
            if chance(0.3) { arguments += ["--urgency", pick(["一般", "较急", "紧急"])] }
            if chance(0.3) { arguments += ["--tag", pick(["消防", "老旧小区", "停车"])] }
            if chance(0.3) { arguments += ["--backers", "\(int(1...20))"] }
            if chance(0.3) { arguments += ["--compound", String(format: "k%03d", int(1...9))] }
            return arguments
        case 30..<40:
            var arguments = [
                "visit", "add", "--purpose", pick(["日常走访", "收集诉求", "回访", "安全检查"]), "--compound",
                String(format: "k%03d", int(1...9)), "--household", "\(int(1...12))栋\(int(1...4))单元\(int(101...602))",
                "--observations", text(words: int(1...8)), "--json",
            ]
            if let demand = demands.randomElement(using: &random), chance(0.4) { arguments += ["--demand", demand] }
            return arguments
        case 40..<48:
            return [
                "project", "add", "--title", "微项目 \(title)", "--category", pick(Array(Self.categories.dropLast())),
                "--json",
            ]
        case 48..<85 where !demands.isEmpty:
            let demand = pick(demands)
            switch int(0...5) {
            case 0: return ["demand", "update", demand, "--status", pick(["已受理", "处理中", "已解决"])]
            case 1: return ["demand", "update", demand, "--urgency", pick(["一般", "较急", "紧急"])]
            case 2: return ["demand", "update", demand, "--title", title]
            case 3: return ["demand", "update", demand, "--note", pick(Self.notes)]
            case 4: return ["demand", "back", demand, "--by=\(pick([1, 2, 3, 5]))"]
            default: return ["demand", "close", demand, "--as", "resolved", "--reason", pick(Self.notes)]
            }
        case 85..<95 where !projects.isEmpty:
            let project = pick(projects)
            switch int(0...2) {
            case 0: return ["project", "stage", project, pick(["设计", "论证", "实施", "评估"]), "--reason", "居民议事会决定"]
            case 1:
                return [
                    "project", "progress", project, "--month", "2026-\(int(10...12))", "--text", text(words: 2),
                    "--percent", "\(int(0...100))",
                ]
            default:
                return ["project", "fund", project, "--source", pick(["政府", "居民"]), "--yuan", "\(int(100...9000))"]
            }
        case 95..<98 where !live.isEmpty:
            return ["delete", pick(live.keys.sorted()), "--reason", "重复录入"]
        case 98...99 where !deleted.isEmpty:
            return ["restore", pick(deleted), "--reason", "居民再次反映"]
        default:
            return ["demand", "add", "--title", title, "--category", pick(Self.categories), "--json"]
        }
    }

    /// Words that compress badly: hex numbers from the trial's generator, with a few Chinese ones between.
    private func text(words: Int) -> String {
        (0..<words).map { _ in chance(0.2) ? pick(Self.notes) : String(random.next(), radix: 16) }
            .joined(separator: " ")
    }

    // MARK: - Syncing

    private func startSync(_ laptop: TrialLaptop, through address: String? = nil) throws -> RunningSync {
        try startSyncs([laptop], through: address)[0]
    }

    /// Starts the laptops' syncs one right after another (what each holds is read before the first starts).
    private func startSyncs(_ laptops: [TrialLaptop], through address: String? = nil) throws -> [RunningSync] {
        let owns = try laptops.map { try ReplicaFile(folder: $0.data).ownThrough() }
        return try zip(laptops, owns).map { try launchSync($0, own: $1, through: address) }
    }

    private func launchSync(
        _ laptop: TrialLaptop, own: (replica: String, through: Int64), through address: String?
    ) throws -> RunningSync {
        guard let daemon else { throw DaemonFailure("no daemon to sync with") }
        syncCount += 1
        let output = folder.appendingPathComponent("sync-\(syncCount).out")
        let error = folder.appendingPathComponent("sync-\(syncCount).err")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        _ = FileManager.default.createFile(atPath: error.path, contents: nil)
        let process = try laptop.laptop.gridsync.start(["sync", "--server", address ?? daemon.address, "--json"])
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: error)
        process.standardInput = FileHandle.nullDevice
        let started = Date()
        try process.run()
        return RunningSync(
            laptop: laptop, process: process, replica: own.replica, ownThrough: own.through, output: output,
            error: error, started: started)
    }

    /// Waits for a sync to end (killing it if it hangs), and notes what a successful one acknowledged.
    private func finish(_ sync: RunningSync, timeout: TimeInterval = 90) -> SyncEnd {
        let deadline = Date().addingTimeInterval(timeout)
        while sync.process.isRunning, Date() < deadline { usleep(2_000) }
        let hung = sync.process.isRunning
        if hung { kill(sync.process.processIdentifier, SIGKILL) }
        sync.process.waitUntilExit()
        let end = SyncEnd(
            laptop: sync.laptop, status: sync.process.terminationStatus,
            signalled: sync.process.terminationReason == .uncaughtSignal,
            output: (try? String(contentsOf: sync.output, encoding: .utf8)) ?? "",
            error: (try? String(contentsOf: sync.error, encoding: .utf8)) ?? "",
            seconds: Date().timeIntervalSince(sync.started))
        if hung { problem("\(sync.laptop.name)'s sync hung for \(Int(timeout)) s: \(end.message)") }
        guard end.succeeded else { return end }
        let summary = try? JSONSerialization.jsonObject(with: Data(end.output.utf8)) as? [String: Any]
        if let refused = summary?["refused"] {
            problem("the daemon refused \(sync.laptop.name)'s push: \(refused)")
        } else if let identity = summary?["identity"] {
            problem("\(sync.laptop.name) took a new identity, as if its folder had been copied: \(identity)")
        } else {
            sync.laptop.acknowledged[sync.replica] = max(sync.laptop.acknowledged[sync.replica] ?? 0, sync.ownThrough)
        }
        return end
    }

    /// A sync that must succeed: the daemon is up and the link whole.
    @discardableResult
    private func syncCleanly(_ laptop: TrialLaptop, _ why: String) throws -> SyncEnd {
        let end = finish(try startSync(laptop))
        if end.succeeded {
            slowestSync = max(slowestSync, end.seconds)
            syncSeconds += end.seconds
            cleanSyncs += 1
            if let summary = try? JSONSerialization.jsonObject(with: Data(end.output.utf8)) as? [String: Any] {
                bytesSent += summary["bytesSent"] as? Int ?? 0
                opsPushed += summary["pushed"] as? Int ?? 0
                mostReceived = max(mostReceived, summary["bytesReceived"] as? Int ?? 0)
            }
        } else {
            problem("\(why): \(laptop.name)'s sync failed (\(end.ending)): \(end.message)")
        }
        return end
    }

    // MARK: - The faults

    private func strike() throws {
        // Work for the syncs the fault strikes: pushes of several batches.
        for laptop in laptops where chance(0.6) { try fieldWork(on: laptop, actions: int(2...8), bulky: true) }
        switch fault {
        case .daemonKilled:
            // Now and then a second time, during the syncs that follow the first: those that find what the
            // first kill left unacknowledged.
            for kill in 1...(chance(0.3) ? 2 : 1) {
                guard try killDaemonDuringSyncs(), let folder = daemon?.data else { return }
                guard startDaemon(on: folder, "after kill -9") else { return }
                try checkAcknowledged("after the daemon was killed (\(kill)) and started again")
            }
        case .syncKilled:
            try killSyncs()
        case .cutLink:
            try cutLinks()
        case .fullDisk:
            try fillDisk()
        case .copiedFolder:
            try moveToCopy()
        }
    }

    /// Starts syncs of some laptops and kills the daemon with SIGKILL at a random moment while they run; returns
    /// whether it was running to be killed.
    private func killDaemonDuringSyncs() throws -> Bool {
        guard let daemon else { return false }
        let syncing = someLaptops()
        let delay = strikeDelay()
        let runs = try startSyncs(syncing)
        usleep(useconds_t(delay * 1_000_000))
        report.struckMidSync = report.struckMidSync == true || runs.contains { $0.process.isRunning }
        let log = daemon.log
        guard daemon.killAbruptly() else {
            problem("the daemon was not running when it was to be killed: \(Self.tail(log))")
            return false
        }
        formerLogs.append(log)
        for run in runs { _ = finish(run) }
        report.notes.append("killed the daemon \(Int(delay * 1000)) ms into \(syncing.count) syncs")
        return true
    }

    /// Kills a laptop's sync with SIGKILL at a random moment, one to three times (sometimes beside other laptops'
    /// syncs), checking after each; then the laptop syncs again.
    private func killSyncs() throws {
        let victim = pick(laptops)
        let others = laptops.filter { $0 !== victim && chance(0.4) }
        let kills = int(1...3)
        var struck = false
        var delays: [Int] = []
        for attempt in 0..<kills {
            let delay = strikeDelay()
            let runs = try startSyncs([victim] + (attempt == 0 ? others : []))
            usleep(useconds_t(delay * 1_000_000))
            if runs[0].process.isRunning {
                struck = true
                kill(runs[0].process.processIdentifier, SIGKILL)
            }
            delays.append(Int(delay * 1000))
            for (index, run) in runs.enumerated() {
                let end = finish(run)
                if index > 0, !end.succeeded {
                    problem("\(run.laptop.name)'s sync beside the killed one failed (\(end.ending)): \(end.message)")
                }
            }
            try checkAcknowledged("after \(victim.name)'s sync was killed \(Int(delay * 1000)) ms in")
        }
        report.struckMidSync = struck
        report.notes.append(
            "killed \(victim.name)'s sync at \(delays.map { "\($0)" }.joined(separator: ", ")) ms"
                + (others.isEmpty ? "" : " beside \(others.count) other syncs"))
        try syncCleanly(victim, "the sync after the killed ones")
    }

    /// Syncs laptops through relays that cut the link at random byte offsets, one to three times, checking after
    /// each; then each syncs directly.
    private func cutLinks() throws {
        guard let daemon else { return }
        var victims: [TrialLaptop] = []
        var cuts: [String] = []
        var struck = false
        for _ in 0..<int(1...3) {
            let victim = pick(laptops)
            let way = int(0...2)
            let file = ReplicaFile(folder: victim.data)
            let unsent = Int(try file.ownThrough().through - file.pushedThrough())
            let up = way == 1 ? Int.max : offset(within: 300 + unsent * bytesSent / max(opsPushed, 1))
            let down = way == 0 ? Int.max : offset(within: 300 + mostReceived)
            let relay = try CuttingProxy(upstreamPort: daemon.port, cutAfter: up, cutReplyAfter: down)
            let end = finish(try startSync(victim, through: "127.0.0.1:\(relay.port)"))
            if end.signalled { problem("\(victim.name)'s sync through a cut link crashed: \(end.message)") }
            struck = struck || !end.succeeded
            let place = [up == .max ? nil : "\(up) up", down == .max ? nil : "\(down) down"].compactMap { $0 }
                .joined(separator: " and ")
            cuts.append(place + (end.succeeded ? " (finished first)" : ""))
            try checkAcknowledged("after \(victim.name)'s link was cut at \(place) bytes")
            victims.append(victim)
        }
        report.struckMidSync = struck
        report.notes.append("cut at " + cuts.joined(separator: ", "))
        var synced: [TrialLaptop] = []
        for victim in victims where !synced.contains(where: { $0 === victim }) {
            synced.append(victim)
            try syncCleanly(victim, "the sync after a cut link")
        }
    }

    /// Fills the daemon's disk, leaving a little room or none, while every laptop syncs its new work: the daemon
    /// must refuse cleanly and lose nothing; once space is freed, every laptop syncs.
    private func fillDisk() throws {
        guard let disk, let daemon else { return }
        for laptop in laptops { try fieldWork(on: laptop, actions: int(1...4), bulky: true) }
        let headroom = pick([0, 4096 * int(1...16), 4096 * int(16...128)])
        try disk.fill(leaving: headroom)
        var refusals: [String] = []
        for laptop in laptops.shuffled(using: &random) {
            let end = finish(try startSync(laptop))
            if end.succeeded { continue }
            refusals.append(end.message)
            if end.signalled {
                problem("\(laptop.name)'s sync crashed against a full disk: \(end.message)")
            } else if !Self.saysTheServerRefused(end.error) {
                problem(
                    "\(laptop.name)'s sync failed against a full disk without a refusal by the server: \(end.message)")
            }
        }
        report.struckMidSync = !refusals.isEmpty
        report.refusals = refusals.count
        report.refusalsNamingTheFullDisk = refusals.filter(Self.saysTheServerIsFull).count
        report.notes.append(
            "filled the disk leaving \(headroom / 1024) KiB: \(refusals.count) of \(laptops.count) syncs refused"
                + (refusals.first.map { " (\"\($0.prefix(200))\")" } ?? ""))
        let log = daemon.log
        if !daemon.isRunning { problem("the daemon stopped on a full disk: \(Self.tail(log))") }
        if daemon.isRunning { try checkAcknowledged("on a full disk") }
        disk.free()
        if !daemon.isRunning {
            formerLogs.append(log)
            guard startDaemon(on: disk.folder, "once space was freed") else { return }
        }
        for laptop in laptops { try syncCleanly(laptop, "a sync once space was freed") }
        try checkAcknowledged("once space was freed")
    }

    /// Whether a sync's message is a refusal by the server (not a dropped link or a crash) that tells the worker what
    /// to do next.
    static func saysTheServerRefused(_ message: String) -> Bool {
        let words = message.lowercased()
        return words.contains("the server refused")
            && (words.contains("sync again") || words.contains("tell the office"))
    }

    /// Whether a sync's message tells the worker why the server refused: its disk is full.
    static func saysTheServerIsFull(_ message: String) -> Bool {
        let words = message.lowercased()
        return words.contains("server") && (words.contains("space") || words.contains("full") || words.contains("disk"))
    }

    /// Kills the daemon (during syncs or between them), copies its folder with its `-wal` and `-shm` files, and
    /// starts a daemon on the copy at the same port.
    private func moveToCopy() throws {
        if chance(0.5) {
            guard try killDaemonDuringSyncs() else { return }
        } else {
            guard let daemon else { return }
            let log = daemon.log
            guard daemon.killAbruptly() else {
                return problem("the daemon was not running when it was to be killed: \(Self.tail(log))")
            }
            formerLogs.append(log)
            report.notes.append("killed the daemon between syncs")
        }
        guard let original = daemon?.data else { return }
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("gridsyncd-copy-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: original, to: copy)
        let files = (try? FileManager.default.contentsOfDirectory(atPath: copy.path)) ?? []
        report.notes.append(
            "copied \(files.filter { $0.hasPrefix("replica.sqlite") }.sorted().joined(separator: ", "))")
        formerFolders.append(original)
        guard startDaemon(on: copy, "on a copy of its folder") else { return }
        try checkAcknowledged("on the copy of the daemon's folder")
    }

    // MARK: - Helpers

    /// Starts a daemon on `folder` at the port of the one before; `false` (and a problem) if it does not start.
    private func startDaemon(on folder: URL, _ why: String) -> Bool {
        let port = daemon?.port ?? 0
        var failure = ""
        // The port was just freed: another test's daemon may have taken it for a moment.
        for _ in 0..<5 {
            do {
                daemon = try DaemonProcess(environment: environment, data: folder, port: port)
                return true
            } catch {
                failure = "\(error)"
                usleep(300_000)
            }
        }
        problem("\(why): the daemon did not start on \(folder.path): \(failure)")
        daemon = nil
        return false
    }

    private func checkAcknowledged(_ moment: String) throws {
        guard let daemon else { return }
        let (lost, checked) = try FaultHarness.lostAcknowledged(on: daemon, of: laptops)
        report.acknowledgedChecked += checked
        report.problems += lost.map { "\(moment): \($0)" }
    }

    private func problem(_ text: String) {
        report.problems.append(text)
    }

    /// The last lines of a log.
    static func tail(_ log: String, lines: Int = 8) -> String {
        log.split(separator: "\n").suffix(lines).joined(separator: " / ")
    }

    /// A byte offset to cut a link at, in a stream of about `length` bytes: now and then in its first few hundred
    /// (the handshake), else anywhere in it or a little past its end.
    private func offset(within length: Int) -> Int {
        chance(0.25) ? int(0...400) : int(0...(length + length / 4))
    }

    /// How long after syncs start a fault strikes: mostly within a typical sync, now and then within the longest one
    /// and a bit (the syncs the fault strikes push more than most).
    private func strikeDelay() -> TimeInterval {
        let typical = cleanSyncs > 0 ? syncSeconds / Double(cleanSyncs) : slowestSync
        return Double.random(in: 0...(chance(0.7) ? typical : slowestSync * 1.3), using: &random)
    }

    /// One laptop or more.
    private func someLaptops() -> [TrialLaptop] {
        let chosen = laptops.filter { _ in chance(0.7) }
        return chosen.isEmpty ? [pick(laptops)] : chosen
    }

    private func chance(_ probability: Double) -> Bool {
        Double.random(in: 0..<1, using: &random) < probability
    }

    private func int(_ range: ClosedRange<Int>) -> Int {
        Int.random(in: range, using: &random)
    }

    private func pick<T>(_ elements: [T]) -> T {
        elements[Int.random(in: 0..<elements.count, using: &random)]
    }

    // MARK: - Cleaning up

    /// Stops the daemon, then removes the trial's folders, or keeps them with an account of the trial if it failed.
    private func cleanUp() {
        if let daemon {
            let log = daemon.log
            let status = daemon.stop()
            if status != 0 {
                problem("the daemon did not stop cleanly at the end (status \(status)): \(Self.tail(log))")
            }
            formerLogs.append(log)
        }
        if report.problems.isEmpty {
            daemon?.cleanUp()
            for folder in formerFolders { try? FileManager.default.removeItem(at: folder) }
            for laptop in laptops { laptop.laptop.cleanUp() }
            try? FileManager.default.removeItem(at: folder)
        } else {
            if let disk {
                // The disk goes away: its folder is kept as a copy.
                try? FileManager.default.copyItem(at: disk.folder, to: folder.appendingPathComponent("daemon-on-disk"))
            }
            var account = ["trial \(report.index), seed \(report.seed), \(fault.rawValue)"]
            account += report.notes + ["", "problems:"] + report.problems + [""]
            account.append(
                "daemon folders: "
                    + (formerFolders + [daemon?.data].compactMap { $0 }).map(\.path).joined(separator: " "))
            account += laptops.map { "\($0.name): \($0.data.path)" }
            for (index, log) in formerLogs.enumerated() { account += ["", "daemon log \(index + 1):", log] }
            try? account.joined(separator: "\n").write(
                to: folder.appendingPathComponent("trial.txt"), atomically: true, encoding: .utf8)
            report.kept = folder.path
        }
        disk?.unmount()
    }
}
