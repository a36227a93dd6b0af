import Foundation
import GridMerge
import GridModel
import GridStore
import GridTesting

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The grid worker's own screen (`gridsync ui`, the real release binary) on a laptop's replica
/// holding a year of one grid: 2,000 demands (each accepted, most resolved), 3,400 visits and
/// 30 projects, ending today, with the street's lists. Measured one request at a time, as the
/// one person at the laptop uses it: the time from pressing save on the demand form to the list
/// that shows the new demand (the POST, its redirect and the list), each page's time, against
/// the sync page (which reads nothing from the replica) in the same run; and the screen's
/// memory once every page has been served.
enum WorkerScreenBenchmark {
    struct Settings {
        var demands = 2_000
        var visits = 3_400
        var projects = 30
        var saves = 200
        var rounds = 100
    }

    static func run(_ settings: Settings, gridsync executable: URL) async throws -> [Figure] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "gridsync-worker-screen-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let started = Date()
        let (scope, titles) = try await writeYear(settings, into: folder.path)
        print(
            String(
                format: "  a year of %@: %d demands, %d visits, %d projects, written in %.1f s", scope.description,
                settings.demands, settings.visits, settings.projects, Date().timeIntervalSince(started)))

        let screen = Process()
        screen.executableURL = executable
        screen.arguments = ["ui", "--no-browser", "--data", folder.path]
        screen.environment = ProcessInfo.processInfo.environment.merging(["TZ": "Asia/Shanghai"]) { $1 }
        let output = Pipe()
        screen.standardOutput = output
        try screen.run()
        defer {
            screen.terminate()
            screen.waitUntilExit()
        }
        let printed = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        guard let address = printed.firstMatch(of: /(http:\/\/127\.0\.0\.1:\d+)\/\?key=[0-9a-f]+/) else {
            throw BenchFailure("gridsync ui printed no address: \(printed)")
        }
        let base = String(address.1)
        func kilobytes(_ field: String) -> Int {
            let status =
                (try? String(contentsOfFile: "/proc/\(screen.processIdentifier)/status", encoding: .utf8)) ?? ""
            return status.firstMatch(of: try! Regex("\(field):\\s+(\\d+) kB"))
                .flatMap { Int($0.output[1].substring ?? "") } ?? 0
        }
        // The screen started, before any page: the code of the program and its libraries, mapped in.
        let idle = kilobytes("VmRSS")
        // The session keeps the cookie the key's address sets, as the worker's browser does,
        // and follows a save's redirect to the list.
        let session = URLSession(configuration: .default)
        func fetch(_ path: String, form: [String: String]? = nil) async throws -> (seconds: Double, body: String) {
            var request = URLRequest(url: URL(string: path.hasPrefix("http") ? path : base + path)!)
            if let form {
                request.httpMethod = "POST"
                request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
                request.httpBody = Data(
                    form.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" }
                        .joined(separator: "&").utf8)
            }
            return try await TimedPage.fetch(request, with: session)
        }
        _ = try await fetch(String(address.0))
        let form = try await fetch("/new/demand").body
        guard let token = form.firstMatch(of: /name="csrf" value="([0-9a-f]+)"/).map({ String($0.1) }) else {
            throw BenchFailure("the demand form has no token")
        }
        let listed = try await fetch("/records/demand").body
        guard let id = listed.firstMatch(of: /\/record\/([0-9a-f-]{36})/).map({ String($0.1) }) else {
            throw BenchFailure("no demand listed")
        }
        let search = titles[titles.count / 2]
        let pages = [
            ("sync page (reads nothing)", "/sync"), ("today", "/"), ("demand form", "/new/demand"),
            ("demands, first page", "/records/demand"),
            ("demands, a category's", "/records/demand?category=fire-safety"),
            (
                "demands, searched",
                "/records/demand?q=\(search.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)"
            ),
            ("visits, first page", "/records/visit"), ("a demand's page", "/record/\(id)"),
        ]
        for (_, path) in pages { _ = try await fetch(path) }
        var timings: [String: [Double]] = [:]
        for _ in 0..<settings.rounds {
            for (name, path) in pages { timings[name, default: []].append(try await fetch(path).seconds) }
        }
        // Save → listed: the form posted, its redirect followed to the list, the new title on it.
        var saves: [Double] = []
        for index in 0..<settings.saves {
            let title = "楼道灯不亮 第\(index)次"
            let saved = try await fetch(
                "/new/demand",
                form: ["csrf": token, "title": title, "category": "便民服务", "description": "三单元二楼，晚上看不见台阶"])
            guard saved.body.contains(title) else { throw BenchFailure("the saved demand '\(title)' was not listed") }
            saves.append(saved.seconds)
        }
        let (peak, own, mapped) = (kilobytes("VmHWM"), kilobytes("RssAnon"), kilobytes("RssFile"))

        func quantile(_ values: [Double], _ q: Double) -> Double {
            let sorted = values.sorted()
            return sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * q))]
        }
        let baseline = timings["sync page (reads nothing)"] ?? []
        let (base50, base95) = (quantile(baseline, 0.5), quantile(baseline, 0.95))
        let ms = { (seconds: Double) in String(format: "%.1f ms", seconds * 1000) }
        print("worker's screen, one request at a time (\(settings.rounds) of each page, \(settings.saves) saves):")
        var figures: [Figure] = []
        for (name, _) in pages {
            let values = timings[name] ?? []
            print("  \(name): median \(ms(quantile(values, 0.5))), p95 \(ms(quantile(values, 0.95)))")
            guard name != pages[0].0 else { continue }
            figures.append(
                Figure(
                    name: "worker's screen, \(name), p95", measured: ms(quantile(values, 0.95)),
                    baseline: "\(ms(base95)), the sync page", ratio: quantile(values, 0.95) / max(base95, 1e-6),
                    target: nil, met: nil))
        }
        let (save50, save95, saveMax) = (quantile(saves, 0.5), quantile(saves, 0.95), saves.max() ?? 0)
        print("  save → listed: median \(ms(save50)), p95 \(ms(save95)), slowest \(ms(saveMax))")
        figures.append(
            Figure(
                name: "worker's screen, save → listed, p95 (slowest \(ms(saveMax)))",
                measured: "\(ms(save95)) (median \(ms(save50)))", baseline: "\(ms(base50)) median, the sync page",
                ratio: save95 / max(base50, 1e-6), target: "< 100 ms", met: save95 < 0.1))
        let mb = { (kilobytes: Int) in String(format: "%.1f MB", Double(kilobytes) / 1024) }
        print(
            "  memory: peak \(mb(peak)); at the end \(mb(own)) its own, \(mb(mapped)) of files mapped in; "
                + "\(mb(idle)) when it had started, before any page")
        figures.append(
            Figure(
                name: "worker's screen, peak resident memory (at the end: \(mb(own)) its own, \(mb(mapped)) of files)",
                measured: mb(peak), baseline: "\(mb(idle)), started, before any page",
                ratio: Double(peak) / Double(max(idle, 1)), target: "< 50 MB", met: peak < 50 * 1024))
        return figures
    }

    /// Writes a laptop's replica of the first worker's grid holding a year of it that ends
    /// today, with the street's lists; returns the grid and the demands' titles.
    static func writeYear(_ settings: Settings, into folder: String) async throws -> (GridScope, [String]) {
        let street = StreetFixture.xStreet
        let worker = street.workers.first { $0.role == .worker }!
        let grid = street.grid(worker.grids[0])!
        let wall = ManualWallClock()
        var rng = SeededGenerator(seed: 18)
        let store = try SQLiteReplicaStore.create(
            in: folder,
            identity: ReplicaIdentity(replica: .random(using: &rng), worker: worker.id, scopes: [grid.scope]),
            wallClock: wall)
        let day: UInt64 = 86_400_000
        let today = UInt64(Date().timeIntervalSince1970 * 1000)
        let first = today - 364 * day
        wall.set(first - day)
        // The street's lists, as the laptop receives them from the office.
        let office = WorkerID("office-1")!
        let communities = street.communities.map { GridScope(community: $0.id) }
        for change in try StreetImport(street, held: []).changes {
            _ = try await store.write(change, as: office, within: communities)
        }
        let compounds = street.compounds(in: grid.id).map(\.id.rawValue)
        let subjects = ["楼道堆物清理", "路灯不亮", "电动车楼道充电", "下水道堵塞", "楼顶漏水", "停车难", "垃圾分类点异味", "健身器材损坏"]
        let categories = Category.allCases
        func create(_ type: RecordType, _ values: [String: String]) async throws -> RecordID {
            var builder = EditBuilder(type)
            for (name, value) in values.sorted(by: { $0.key < $1.key }) { try builder.set(name, value) }
            let id = RecordID(using: &rng)
            _ = try await store.write(
                RecordChange(
                    record: id, target: .create(type, in: grid.scope),
                    edits: try await builder.edits(resolvingLinksIn: store, scope: grid.scope)))
            return id
        }
        func setStatus(_ id: RecordID, _ status: DemandStatus) async throws {
            var builder = EditBuilder(.demand)
            try builder.set("status", status.key)
            _ = try await store.write(
                RecordChange(
                    record: id, target: .edit,
                    edits: try await builder.edits(resolvingLinksIn: store, scope: grid.scope)))
        }
        var titles: [String] = []
        var open: [(id: RecordID, due: Int)] = []
        for dayIndex in 0..<365 {
            let midnight = first + UInt64(dayIndex) * day
            var moment = midnight + 8 * 3_600_000
            func tick() {
                moment += UInt64.random(in: 60_000..<1_800_000, using: &rng)
                wall.set(moment)
            }
            let demandsToday = settings.demands * (dayIndex + 1) / 365 - settings.demands * dayIndex / 365
            let visitsToday = settings.visits * (dayIndex + 1) / 365 - settings.visits * dayIndex / 365
            for _ in 0..<visitsToday {
                tick()
                let visitedOn = CalendarMonth.day(of: Date(timeIntervalSince1970: Double(moment) / 1000), in: .current)
                _ = try await create(
                    .visit,
                    [
                        "visited-on": visitedOn, "purpose": VisitPurpose.routine.key, "worker": worker.id.rawValue,
                        "compound": compounds.randomElement(using: &rng)!,
                        "household": "\(Int.random(in: 1...12, using: &rng))栋\(Int.random(in: 1...4, using: &rng))单元",
                        "observations": "老人独居，身体尚好",
                    ])
            }
            for _ in 0..<demandsToday {
                tick()
                let title = "\(subjects.randomElement(using: &rng)!) \(titles.count + 1)号"
                titles.append(title)
                let id = try await create(
                    .demand,
                    [
                        "title": title, "category": categories.randomElement(using: &rng)!.key,
                        "status": DemandStatus.raised.key, "urgency": Urgency.normal.key,
                        "compound": compounds.randomElement(using: &rng)!,
                        "description": "居民反映：\(title)，已现场查看",
                    ])
                open.append((id, dayIndex + Int.random(in: 1...20, using: &rng)))
            }
            // Demands are accepted, then most resolved, on the days they fall due.
            var still: [(id: RecordID, due: Int)] = []
            for demand in open {
                guard demand.due <= dayIndex else {
                    still.append(demand)
                    continue
                }
                tick()
                try await setStatus(demand.id, .accepted)
                if Int.random(in: 0..<10, using: &rng) < 8 { try await setStatus(demand.id, .resolved) }
            }
            open = still
            if dayIndex % (365 / settings.projects) == 0 {
                tick()
                _ = try await create(
                    .project,
                    [
                        "title": "微项目 \(dayIndex)", "category": Category.projectCategories.choices[0].key,
                        "stage": ProjectStage.collect.key, "compound": compounds[0],
                    ])
            }
        }
        return (grid.scope, titles)
    }
}
