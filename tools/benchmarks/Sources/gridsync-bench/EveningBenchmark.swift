import Foundation
import GridTesting

/// A district's evening: the laptops of 20 streets (2,980 of them) come back online in waves and
/// sync with one daemon, each pushing a day's new demands and pulling its grids' news. The laptops
/// run in a process of their own (``LaptopFleet``); the figures are each sync's time, first try to
/// completion (refusals of a full daemon and their pauses included), the daemon's peak memory and
/// each side's CPU.
enum EveningBenchmark {
    struct Settings {
        var streets = 20
        /// Laptops in a wave.
        var wave = 500
        /// Seconds between two waves' starts.
        var interval = 2.0
        /// New demands each grid worker's laptop pushes.
        var demands = 3
        /// Whether the daemon runs on the first CPU and the laptops on the others.
        var pin = false
    }

    static func run(_ settings: Settings, daemon executable: URL) async throws -> [Figure] {
        let cpus = settings.pin ? CPUSplit() : nil
        let daemon = try DaemonProcess(executable: executable, cpus: cpus?.daemon)
        defer { daemon.stop() }
        var rng = SeededGenerator(seed: 1_700)
        let members = DistrictRoster(streets: settings.streets).members.shuffled(using: &rng)
        print("a district's evening: adding \(members.count) accounts…")
        var laptops: [LaptopFleet.Plan.Laptop] = []
        for (index, member) in members.enumerated() {
            let scopes = member.scopes.map(\.description)
            let token = try daemon.addWorker(member.worker.rawValue, scopes: scopes, executable: executable)
            laptops.append(
                .init(
                    worker: member.worker.rawValue, scopes: scopes, token: token,
                    demands: member.isOffice ? 0 : settings.demands, wave: index / settings.wave))
        }
        let waves = (members.count + settings.wave - 1) / settings.wave
        print("\(members.count) laptops in \(waves) waves of \(settings.wave), \(settings.interval) s apart: syncing…")
        let run = try LaptopFleet.drive(
            .init(laptops: laptops, waveInterval: settings.interval, ports: [daemon.port], fingerprint: daemon.fingerprint),
            daemon: daemon, cpus: cpus?.laptops)
        let syncs = run.result.syncs
        let failed = syncs.count - run.completed.count
        let refusals = syncs.reduce(0) { $0 + $1.tries - 1 } + failed
        let p50 = run.quantile(0.5)
        let p99 = run.quantile(0.99)
        let memory = Double(daemon.peakMemory) / 1_048_576
        let pushed = syncs.reduce(0) { $0 + $1.pushed }
        let pulled = syncs.reduce(0) { $0 + $1.pulled }
        print(
            String(
                format:
                    "A district's evening, %d laptops (%d streets) in %d waves%@: p50 %.3f s, p99 %.3f s, max %.3f s; "
                    + "%d tries refused, %d syncs failed; %d ops pushed, %d pulled; all done in %.1f s; "
                    + "daemon peak memory %.0f MB; CPU per sync: daemon %.1f ms, laptop %.1f ms (opening its replica included)",
                syncs.count, settings.streets, waves, cpus?.description ?? "", p50, p99, run.quantile(1), refusals, failed, pushed, pulled,
                run.result.seconds, memory, run.daemonMilliseconds,
                run.laptopMilliseconds))
        return [
            Figure(
                name: "a district's evening, \(syncs.count) laptops in waves of \(settings.wave): p99 sync time",
                measured: String(format: "%.2f s (p50 %.2f s), %d failed", p99, p50, failed),
                baseline: String(format: "%.1f ms daemon CPU a sync", run.daemonMilliseconds),
                ratio: nil, target: "every sync completes", met: failed == 0),
            Figure(
                name: "a district's evening: daemon peak memory", measured: String(format: "%.0f MB", memory),
                baseline: "-", ratio: nil, target: nil, met: nil),
        ]
    }
}
