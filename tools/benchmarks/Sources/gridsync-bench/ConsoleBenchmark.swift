import Foundation
import GridMerge
import GridModel
import GridStore
import GridTesting

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The office's console on a year of the example street, served by the real `gridsyncd`
/// (`console = 127.0.0.1:0`, plain HTTP: TLS's cost is the listener's, measured elsewhere):
/// 20 browsers at once, each asking in turn for the overview, a filtered list of demands, the
/// list of visits, a search of the visits and a demand's page, for `seconds`: first as people browse (a pause of about
/// a second after each page), then without pause. Median and p99 of each page, against the
/// sign-in page (the same server and load, no records read) in the same run; the daemon's memory.
enum ConsoleBenchmark {
    struct Settings {
        var browsers = 20
        var seconds = 20.0
    }

    static let password = "桂花巷 十二号 院子"

    static func run(_ settings: Settings, daemon executable: URL, year: URL) async throws -> [Figure] {
        // The daemon's folder: a copy of the year.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "gridsync-console-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: year, to: folder)
        defer { try? FileManager.default.removeItem(at: folder) }
        // An office account of every community of the street.
        let scopes = StreetFixture.xStreet.communities.flatMap { ["--scope", $0.id.rawValue] }
        _ = try MeasuredProcess.run(
            executable, ["worker", "add", "office-1", "--role", "office", "--data", folder.path] + scopes)
        let passwd = Process()
        passwd.executableURL = executable
        passwd.arguments = ["worker", "passwd", "office-1", "--password-stdin", "--data", folder.path]
        let input = Pipe()
        passwd.standardInput = input
        passwd.standardOutput = FileHandle.nullDevice
        try passwd.run()
        input.fileHandleForWriting.write(Data((password + "\n").utf8))
        try input.fileHandleForWriting.close()
        passwd.waitUntilExit()
        guard passwd.terminationStatus == 0 else { throw BenchFailure("worker passwd failed") }

        let daemon = try DaemonProcess(
            executable: executable,
            environment: ["GRIDSYNCD_CONSOLE": "127.0.0.1:0", "GRIDSYNCD_TLS": "off", "TZ": "Asia/Shanghai"],
            data: folder)
        defer { daemon.stop() }
        let port = try consolePort(daemon)
        let base = "http://127.0.0.1:\(port)"
        let cookie = try signIn(base)
        let session = URLSession(configuration: .ephemeral)
        func fetch(_ path: String) async throws -> (Double, String) {
            var request = URLRequest(url: URL(string: base + path)!)
            request.setValue(cookie, forHTTPHeaderField: "Cookie")
            return try await TimedPage.fetch(request, with: session)
        }
        let list = "/records/demand?status=accepted"
        let (_, listed) = try await fetch("/records/demand")
        let ids = listed.matches(of: /\/record\/([0-9a-f-]{36})/).map { String($0.1) }
        guard !ids.isEmpty else { throw BenchFailure("no demand listed") }
        print("  \(ids.count) demands on the list's first page")
        let pages = [
            ("sign-in", "/sign-in"), ("overview", "/"), ("filtered list", list), ("visits list", "/records/visit"),
            // One worker's visits of the year, found by the search box (about 1,800 of 216,000).
            ("visits search", "/records/visit?q=w089"),
        ]
        // Warm the page cache and the daemon.
        for (_, path) in pages + [("record page", "/record/\(ids[0])")] { _ = try await fetch(path) }

        /// Every browser asks for each page in turn (a different demand's page each time),
        /// pausing `pause` seconds (a random share of it) after each.
        func load(pause: Double) async throws -> [String: [Double]] {
            let deadline = Date().addingTimeInterval(settings.seconds)
            return try await withThrowingTaskGroup(of: [String: [Double]].self) { group in
                for browser in 0..<settings.browsers {
                    group.addTask {
                        var mine: [String: [Double]] = [:]
                        var turn = browser
                        var random = SystemRandomNumberGenerator()
                        while Date() < deadline {
                            for (name, path) in pages + [("record page", "/record/\(ids[turn % ids.count])")] {
                                mine[name, default: []].append(try await fetch(path).0)
                                if pause > 0 {
                                    try await Task.sleep(
                                        for: .seconds(Double.random(in: 0.5...1.5, using: &random) * pause))
                                }
                            }
                            turn += settings.browsers
                        }
                        return mine
                    }
                }
                var all: [String: [Double]] = [:]
                for try await mine in group { all.merge(mine) { $0 + $1 } }
                return all
            }
        }
        func quantile(_ values: [Double], _ q: Double) -> Double {
            let sorted = values.sorted()
            return sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * q))]
        }
        var figures: [Figure] = []
        for (pace, pause) in [("browsing, a page a second each", 1.0), ("without pause", 0.0)] {
            let timings = try await load(pause: pause)
            let base99 = quantile(timings["sign-in"] ?? [], 0.99)
            let base50 = quantile(timings["sign-in"] ?? [], 0.5)
            print("console, \(settings.browsers) browsers \(pace), for \(Int(settings.seconds)) s:")
            for name in ["sign-in", "overview", "filtered list", "visits list", "visits search", "record page"] {
                let values = timings[name] ?? []
                let p50 = quantile(values, 0.5)
                let p99 = quantile(values, 0.99)
                print(
                    String(
                        format: "  %@: %d requests, median %.1f ms, p99 %.1f ms", name as NSString, values.count,
                        p50 * 1000, p99 * 1000))
                guard name != "sign-in" else { continue }
                figures.append(
                    Figure(
                        name: "console, \(name), p99 (\(settings.browsers) browsers \(pace))",
                        measured: String(format: "%.0f ms (median %.1f ms)", p99 * 1000, p50 * 1000),
                        baseline: String(
                            format: "%.0f ms (median %.1f ms), the sign-in page", base99 * 1000, base50 * 1000),
                        ratio: p99 / max(base99, 1e-6), target: "p99 < 200 ms", met: p99 < 0.2))
            }
        }
        // Resident memory counts the replica's pages mapped in (shared with the system's file
        // cache, given back under pressure) beside the daemon's own.
        let (memory, own, mapped) = (daemon.peakMemory, daemon.memory("RssAnon"), daemon.memory("RssFile"))
        let megabytes = { (bytes: Int) in String(format: "%.0f MB", Double(bytes) / 1_048_576) }
        print(
            "  the daemon's peak memory: \(megabytes(memory)); at the end \(megabytes(own)) its own, "
                + "\(megabytes(mapped)) of files mapped in")
        figures.append(
            Figure(
                name: "console, the daemon's peak memory under that load",
                measured: megabytes(memory),
                baseline: "at the end: \(megabytes(own)) its own, \(megabytes(mapped)) of the replica mapped in",
                ratio: nil, target: nil, met: nil))
        return figures
    }

    /// The port the daemon's banner gives for its console.
    static func consolePort(_ daemon: DaemonProcess) throws -> Int {
        for _ in 0..<500 {
            let text =
                (try? String(contentsOf: daemon.data.appendingPathComponent("banner.txt"), encoding: .utf8)) ?? ""
            if let match = text.firstMatch(of: /console: http:\/\/127\.0\.0\.1:(\d+)\//) { return Int(match.1)! }
            Thread.sleep(forTimeInterval: 0.02)
        }
        throw BenchFailure("the daemon did not say where its console is")
    }

    /// Signs in with curl (which shows the session cookie of the redirect) and returns `name=value`.
    static func signIn(_ base: String) throws -> String {
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        curl.arguments = [
            "-sS", "-D", "-", "-o", "/dev/null", "--data-urlencode", "worker=office-1", "--data-urlencode",
            "password=\(password)", base + "/sign-in",
        ]
        let output = Pipe()
        curl.standardOutput = output
        try curl.run()
        let headers = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        curl.waitUntilExit()
        guard let match = headers.firstMatch(of: /(?i)set-cookie: (gridsync_console=[^;]+)/) else {
            throw BenchFailure("sign-in gave no session: \(headers)")
        }
        return String(match.1)
    }
}
