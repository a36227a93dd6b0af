import Foundation
import GridNet
import Synchronization

/// Many laptops sending photos at once: the daemon's resident memory while they do, against
/// the memory it is configured with (`memory`, which bounds its connections and the messages
/// they are reading), and the photos per second it takes in.
extension PhotoTransferBenchmark {
    struct LoadSettings {
        /// Laptops syncing at once, each of a grid of its own.
        var laptops = 50
        /// Photos of 2 MB each laptop sends.
        var photosEach = 4
        var bytes = 2 * 1_048_576
    }

    static func runLoad(_ settings: LoadSettings, daemon executable: URL) throws -> [Figure] {
        let gridsync = executable.deletingLastPathComponent().appendingPathComponent("gridsync")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "gridsync-photo-load-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let daemon = try DaemonProcess(executable: executable)
        defer { daemon.stop() }

        // Each laptop: a grid of its own (so none fetches another's photos), one demand with its photos.
        var syncs: [[String]] = []
        for index in 1...settings.laptops {
            let worker = String(format: "w%03d", index)
            let grid = String(format: "c01/g%02d", index)
            let data = folder.appendingPathComponent(worker).path
            let account = try daemon.addGridWorker(worker, grid: grid)
            try CommandRun.timed(gridsync, ["init", "--worker", worker, "--grid", grid, "--data", data])
            let photos = try writePhotos(settings.photosEach, bytes: settings.bytes, in: folder, named: worker)
            try CommandRun.timed(
                gridsync,
                ["demand", "add", "--title", "楼道照片", "--category", "消防安全", "--data", data]
                    + photos.flatMap { ["--photo", $0] })
            syncs.append(try syncArguments(daemon, data: data, token: account.token))
        }
        let atRest = daemon.residentMemory

        // The resident memory every 50 ms, on a thread of its own, while every laptop syncs at once.
        let peak = Atomic<Int>(atRest)
        let sampling = Atomic<Bool>(true)
        let pid = daemon.process.processIdentifier
        let sampler = Thread {
            while sampling.load(ordering: .relaxed) {
                peak.max(DaemonProcess.memory("VmRSS", of: pid), ordering: .relaxed)
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
        sampler.start()
        let start = ContinuousClock.now
        // Every process started before any is waited for; what each says goes to a file of its own.
        let running = try syncs.enumerated().map { index, arguments in
            let process = Process()
            process.executableURL = gridsync
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            let said = folder.appendingPathComponent("sync-\(index).txt")
            _ = FileManager.default.createFile(atPath: said.path, contents: nil)
            process.standardError = try FileHandle(forWritingTo: said)
            try process.run()
            return (process, said)
        }
        var failed: [String] = []
        for (process, said) in running {
            process.waitUntilExit()
            if process.terminationStatus != 0 { failed.append((try? String(contentsOf: said, encoding: .utf8)) ?? "") }
        }
        let elapsed = ContinuousClock.now - start
        sampling.store(false, ordering: .relaxed)
        let seconds = elapsed.seconds
        guard failed.isEmpty else { throw BenchFailure("\(failed.count) syncs failed: \(failed[0])") }
        let held = (try? FileManager.default.subpathsOfDirectory(atPath: daemon.data.path + "/files")) ?? []
        let photos = settings.laptops * settings.photosEach
        guard held.filter({ $0.count == 67 }).count == photos else {
            throw BenchFailure("the daemon holds \(held.count) files, not the \(photos) photos sent")
        }

        let budget = SyncListener.Configuration.defaultMemory
        let mib = { (bytes: Int) in String(format: "%.0f MiB", Double(bytes) / 1_048_576) }
        let highest = max(peak.load(ordering: .relaxed), daemon.peakMemory)
        let total = Double(photos * settings.bytes)
        print(
            "  \(settings.laptops) laptops sending \(settings.photosEach) photos of \(settings.bytes / 1_048_576) MB at once: "
                + String(format: "%.1f s, %.0f MB/s in all;", seconds, total / 1e6 / seconds)
                + " the daemon's memory \(mib(atRest)) before, at most \(mib(highest)) (its setting: \(mib(budget)))")
        return [
            Figure(
                name: "daemon's peak memory, \(settings.laptops) laptops sending \(photos) photos at once",
                measured: mib(highest), baseline: "\(mib(budget)), its memory setting",
                ratio: Double(highest) / Double(budget), target: "≤ 1", met: highest <= budget)
        ]
    }
}
