// GridSync's benchmarks. Every figure is a ratio against a baseline measured in the same run.
//
// Usage: `gridsync-bench --help` prints `usage`, below.
import Foundation

/// What `--help` prints, and an unknown benchmark's name.
let usage = """
Usage: gridsync-bench [merge|store|wire|sync|first|noop|clients|evening|report|simulate|suite] [--daemon <gridsyncd>]
       gridsync-bench worker-screen [--daemon <gridsyncd>] [--demands N] [--saves N]
       gridsync-bench photos [--daemon <gridsyncd>] [--photos N] [--laptops N]
       gridsync-bench office --year FOLDER (a year written by `gridsync-bench year --out FOLDER`)
                      [--write <BENCHMARKS.md>] [--clients N] [--streets N] [--days N] [--visits N] [--seed N]
       gridsync-bench hold --daemon <release gridsyncd> [--memory BYTES] [--tokens N] [--seconds N]
                      [--no-reconnect] [--retry-delay SECONDS] [--linger] [--laptop-after SECONDS]
                      [--daemon-env KEY=VALUE ...] [--json]
  suite (the default): everything, then the table of figures; --write puts the table in the file.
  sync: first, noop and clients, the three parts of the sync benchmark, which also run alone:
  first (a fresh replica's first sync), noop (nothing to exchange), clients (laptops syncing
  at once: 500 by default, --clients N, driven from a second process of this executable, `fleet`;
  with --pin, a second run with the daemon on CPU 0 and the laptops on the others).
  several (never part of the suite): one daemon on SQLite, then one, two and three on one PostgreSQL
  (--postgres URL, else $GRIDSYNC_TEST_POSTGRES; its user makes a database for each): --pushers N (50) laptops
  pushing --demands N (40) demands each at once, then --clients N (500) laptops at once, spread over the daemons.
  evening (never part of the suite): a district's evening, the laptops of --streets N streets (20: 2,980
  laptops) syncing in waves of --wave N (500) every --interval S seconds (2), from a second process
  (--pin: the daemon on CPU 0, the laptops on the others).
  report: the monthly report (gridsync-inspect, beside --daemon) on a year of the example street (--days N):
  time and peak memory against `gridsync-inspect conflicts --summary` on the same folder. --folder F reports on F
  (a year written before with `gridsync-bench year --out F [--days N]`, or a daemon's folder) instead.
  simulate: the workload simulator alone (a year of one street by default; --streets 20 for a district).
  photos (never part of the suite): 100 photos of 2 MB (--photos N) up to the real gridsyncd and down to a
  second laptop, with compression and without, against a plain TCP copy of the same bytes; then --laptops N
  (50) laptops sending 4 photos each at once: the daemon's peak memory against its memory setting.
  worker-screen (never part of the suite): `gridsync ui` (the gridsync beside --daemon) on a laptop's replica
  holding a year of one grid (--demands N, 2,000): save → listed, each page's time against the sync page, and
  its memory.
  hold (never part of the suite): the daemon while every connection of 128 tokens (--tokens N) holds a push
  just under the message limit, never finished: its resident memory against its message budget
  (--memory BYTES sets GRIDSYNCD_MEMORY), how the connections end, and whether a
  legitimate laptop (the gridsync next to the daemon) can sync meanwhile. Refused connections come back
  after --retry-delay seconds (1) unless --no-reconnect; --linger leaves the closing to the daemon.
  Holds for --seconds (150, past the daemon's 120 s message deadline). --daemon-env adds to the daemon's
  environment (MALLOC_ARENA_MAX=2, say). --json for the report as JSON.
  Example: gridsync-bench hold --daemon .build-release-bench/release/gridsyncd --memory 134217728
"""

let arguments = Array(CommandLine.arguments.dropFirst())
func option(_ name: String) -> String? {
    arguments.firstIndex(of: name).flatMap { arguments.indices.contains($0 + 1) ? arguments[$0 + 1] : nil }
}
let suite = arguments.first.flatMap { $0.hasPrefix("--") ? nil : $0 } ?? "suite"
let suites: Set = [
    "suite", "year", "fleet", "hold", "report", "merge", "store", "wire", "sync", "first", "office", "noop", "console",
    "photos", "worker-screen", "several", "clients", "evening", "simulate",
]
if arguments.contains("--help") || arguments.contains("-h") || !suites.contains(suite) {
    print(usage)
    exit(suites.contains(suite) ? 0 : 2)
}
let daemon = URL(fileURLWithPath: option("--daemon") ?? ".build/release/gridsyncd")
var figures: [Figure] = []

if suite == "year" {
    // The report benchmark's year, written by a process of its own (see ReportBenchmark).
    guard let out = option("--out") else { throw BenchFailure("year needs --out FOLDER") }
    var settings = ReportBenchmark.Settings()
    settings.days = option("--days").flatMap(Int.init) ?? settings.days
    try await YearOfStreet.write(settings, into: out)
    exit(0)
}

if suite == "fleet" {
    // The laptops of `clients` or `evening`, in a process of their own (see LaptopFleet).
    guard let plan = option("--plan"), let folder = option("--folder"), let out = option("--out") else {
        throw BenchFailure("fleet is started by clients and evening, with --plan, --folder and --out")
    }
    let decoded = try JSONDecoder().decode(LaptopFleet.Plan.self, from: Data(contentsOf: URL(fileURLWithPath: plan)))
    try await LaptopFleet.run(
        plan: decoded, folder: URL(fileURLWithPath: folder), output: URL(fileURLWithPath: out))
    exit(0)
}

if suite == "hold" {
    guard FileManager.default.isExecutableFile(atPath: daemon.path) else {
        throw BenchFailure("no gridsyncd at \(daemon.path): build it with swift build -c release --product gridsyncd")
    }
    let json = arguments.contains("--json")
    var settings = HoldBenchmark.Settings()
    settings.memory = option("--memory").flatMap(Int.init)
    settings.tokens = option("--tokens").flatMap(Int.init).map { min(max($0, 1), 199) } ?? settings.tokens
    settings.seconds = option("--seconds").flatMap(Double.init) ?? settings.seconds
    settings.laptopAfter = option("--laptop-after").flatMap(Double.init) ?? settings.laptopAfter
    settings.behaviour.reconnect = !arguments.contains("--no-reconnect")
    settings.behaviour.linger = arguments.contains("--linger")
    for (index, argument) in arguments.enumerated() where argument == "--daemon-env" && index + 1 < arguments.count {
        let pair = arguments[index + 1].split(separator: "=", maxSplits: 1).map(String.init)
        if pair.count == 2 { settings.daemonEnvironment[pair[0]] = pair[1] }
    }
    if let delay = option("--retry-delay").flatMap(Double.init) {
        settings.behaviour.retryDelay = .milliseconds(Int(delay * 1000))
    }
    let report = try await HoldBenchmark(settings: settings, daemonExecutable: daemon) { line in
        if json {
            FileHandle.standardError.write(Data((line + "\n").utf8))
        } else {
            print(line)
        }
    }.run()
    if json {
        // The table too, for whoever watches the run: standard output is the JSON's.
        FileHandle.standardError.write(Data(("\n" + report.table + "\n").utf8))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(report), as: UTF8.self))
    } else {
        print("")
        print(report.table)
    }
    exit(0)
}

// The report first: a program this process starts counts this process's peak memory as its own
// (`ru_maxrss` keeps the peak of the memory it was spawned from), and the benchmarks after it grow
// this process to hundreds of megabytes.
if suite == "report" || suite == "suite" {
    let inspect = daemon.deletingLastPathComponent().appendingPathComponent("gridsync-inspect")
    if FileManager.default.isExecutableFile(atPath: inspect.path) {
        var settings = ReportBenchmark.Settings()
        // --days is the simulator's in the suite; the report always has its year there.
        if suite == "report" { settings.days = option("--days").flatMap(Int.init) ?? settings.days }
        figures += try await ReportBenchmark.run(
            settings, inspect: inspect, folder: option("--folder").map(URL.init(fileURLWithPath:)))
    } else {
        print(
            "(skipped the monthly report: no gridsync-inspect at \(inspect.path); build it with swift build -c release --product gridsync-inspect)"
        )
    }
    print("")
}
if suite == "merge" || suite == "suite" {
    MergeBenchmark.run(ops: 1_000_000, records: 20_000)
    print("")
}
if suite == "store" || suite == "suite" {
    figures += try await StoreBenchmark.run(records: 20_000, edits: 100_000, adds: 500)
    print("")
}
if suite == "wire" || suite == "suite" {
    figures += try await WireBenchmark.run(records: 10_000, edits: 50_000)
    print("")
}
if suite == "sync" || suite == "first" || suite == "suite" {
    figures += try await SyncBenchmark.firstSync(ops: 100_000)
}
if suite == "office" {
    guard let year = option("--year") else {
        throw BenchFailure("office needs --year FOLDER (gridsync-bench year --out FOLDER)")
    }
    figures += try await SyncBenchmark.officeFirstSync(year: URL(fileURLWithPath: year))
}
if suite == "sync" || suite == "noop" || suite == "suite" {
    figures += try await SyncBenchmark.noopSync(rounds: 200)
}
if suite == "console" {
    // The office's console on a year of the example street (never part of the suite: it takes minutes).
    // --year FOLDER: a year written before by `gridsync-bench year --out FOLDER` (left as it is).
    let given = option("--year").map(URL.init(fileURLWithPath:))
    let year =
        given ?? FileManager.default.temporaryDirectory.appendingPathComponent("gridsync-year-\(UUID().uuidString)")
    defer { if given == nil { try? FileManager.default.removeItem(at: year) } }
    if given == nil {
        let bench = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let written = try MeasuredProcess.run(bench, ["year", "--out", year.path, "--days", "365"], output: .inherit)
        print(String(format: "  the year written in %.1f s", written.seconds))
    }
    var settings = ConsoleBenchmark.Settings()
    settings.seconds = option("--seconds").flatMap(Double.init) ?? settings.seconds
    figures += try await ConsoleBenchmark.run(settings, daemon: daemon, year: year)
}

if suite == "photos" {
    // Photos through a real sync against a plain TCP copy (never part of the suite).
    for compression in [true, false] {
        var settings = PhotoTransferBenchmark.Settings()
        settings.photos = option("--photos").flatMap(Int.init) ?? settings.photos
        settings.compression = compression
        figures += try await PhotoTransferBenchmark.run(settings, daemon: daemon)
    }
    var load = PhotoTransferBenchmark.LoadSettings()
    load.laptops = option("--laptops").flatMap(Int.init) ?? load.laptops
    figures += try PhotoTransferBenchmark.runLoad(load, daemon: daemon)
}

if suite == "worker-screen" {
    var settings = WorkerScreenBenchmark.Settings()
    settings.demands = option("--demands").flatMap(Int.init) ?? settings.demands
    settings.saves = option("--saves").flatMap(Int.init) ?? settings.saves
    let gridsync = daemon.deletingLastPathComponent().appendingPathComponent("gridsync")
    figures += try await WorkerScreenBenchmark.run(settings, gridsync: gridsync)
}

if suite == "several" {
    // Never part of the suite: it needs a PostgreSQL (tools/postgres start DIR prints one).
    guard let postgres = option("--postgres") ?? ProcessInfo.processInfo.environment["GRIDSYNC_TEST_POSTGRES"] else {
        throw BenchFailure(
            "several needs --postgres postgres://USER:PASSWORD@HOST:PORT/DATABASE (a user that may create databases)")
    }
    figures += try await SeveralDaemonsBenchmark.run(
        postgres: postgres, daemon: daemon, clients: option("--clients").flatMap(Int.init) ?? 500,
        pushers: option("--pushers").flatMap(Int.init) ?? 50, demands: option("--demands").flatMap(Int.init) ?? 40)
}

if suite == "sync" || suite == "clients" || suite == "suite" {
    if FileManager.default.isExecutableFile(atPath: daemon.path) {
        figures += try await SyncBenchmark.concurrentClients(
            option("--clients").flatMap(Int.init) ?? 500, daemon: daemon)
        if arguments.contains("--pin") {
            figures += try await SyncBenchmark.concurrentClients(
                option("--clients").flatMap(Int.init) ?? 500, daemon: daemon, pin: true)
        }
    } else {
        print(
            "(skipped 500 laptops at once: no gridsyncd at \(daemon.path); build it with swift build -c release --product gridsyncd)"
        )
    }
    print("")
}
if suite == "evening" {
    var settings = EveningBenchmark.Settings()
    settings.streets = option("--streets").flatMap(Int.init) ?? settings.streets
    settings.wave = option("--wave").flatMap(Int.init) ?? settings.wave
    settings.interval = option("--interval").flatMap(Double.init) ?? settings.interval
    settings.pin = arguments.contains("--pin")
    guard FileManager.default.isExecutableFile(atPath: daemon.path) else {
        throw BenchFailure("no gridsyncd at \(daemon.path): build it with swift build -c release --product gridsyncd")
    }
    figures += try await EveningBenchmark.run(settings, daemon: daemon)
}
if suite == "simulate" || suite == "suite" {
    var settings = Simulation.Settings()
    settings.streets = option("--streets").flatMap(Int.init) ?? settings.streets
    settings.days = option("--days").flatMap(Int.init) ?? settings.days
    settings.visitsPerDay = option("--visits").flatMap(Int.init) ?? settings.visitsPerDay
    settings.seed = option("--seed").flatMap(UInt64.init) ?? settings.seed
    guard FileManager.default.isExecutableFile(atPath: daemon.path) else {
        throw BenchFailure("no gridsyncd at \(daemon.path): build it with swift build -c release --product gridsyncd")
    }
    let report = try await Simulation(settings: settings, daemonExecutable: daemon).run()
    let verdict =
        report.mismatches.isEmpty
        ? "every replica identical to the server"
        : "\(report.mismatches.count) replicas differ: \(report.mismatches.prefix(5))"
    print(
        String(
            format:
                "Simulated %d street(s) for %d days: %.0f s, %d ops, %d syncs, %.1f MB on the wire, %d records, %d open conflicts; ",
            settings.streets, settings.days, report.seconds, report.ops, report.syncs,
            Double(report.bytesIn + report.bytesOut) / 1e6, report.records, report.openConflicts) + verdict)
    figures.append(
        Figure(
            name: "simulator: \(settings.streets) street(s), \(settings.days) days",
            measured: String(
                format: "%.0f s, %.1f MB on the wire", report.seconds, Double(report.bytesIn + report.bytesOut) / 1e6),
            baseline: "\(report.ops) ops, \(report.syncs) syncs", ratio: nil, target: "every replica = server",
            met: report.mismatches.isEmpty))
    guard report.mismatches.isEmpty else { throw BenchFailure(verdict) }
}
if !figures.isEmpty {
    let table = ([Figure.header] + figures.map(\.row)).joined(separator: "\n")
    print(table)
    if let path = option("--write") {
        let simulatorOptions = ["--streets", "--days", "--visits", "--seed"].flatMap { name in
            option(name).map { [name, $0] } ?? []
        }
        try Suite.write(table, options: simulatorOptions, into: path)
        print("\nWritten to \(path).")
    }
}
