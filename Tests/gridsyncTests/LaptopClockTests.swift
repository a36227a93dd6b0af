import Foundation
import Testing

/// Laptops whose clocks are minutes, an hour or a year off sync with the real daemon: every sync succeeds, edits
/// are stamped with the server's time, and nothing any worker typed is lost.
///
/// The clocks are moved with libfaketime, for every `gridsync` run of a laptop; the daemon and the office laptop
/// keep the machine's clock.
@Suite struct LaptopClockTests {
    /// How far ahead of the real time an op the daemon holds may be stamped.
    static let maximumDrift: UInt64 = 5 * 60 * 1000

    @Test func laptopsMinutesAnHourAndAYearOffAllSyncAndKeepTheServersTime() throws {
        let daemon = try DaemonProcess()
        defer { daemon.cleanUp() }
        let server = ServerRecords(daemon: daemon)
        let fast = try FieldLaptop(daemon: daemon, worker: "w001", scope: "c01/g01", clockOffset: "+4m")
        let slow = try FieldLaptop(daemon: daemon, worker: "w002", scope: "c01/g01", clockOffset: "-2m")
        let hourBehind = try FieldLaptop(daemon: daemon, worker: "w003", scope: "c01/g01", clockOffset: "-1h")
        let yearAhead = try FieldLaptop(daemon: daemon, worker: "w004", scope: "c01/g01", clockOffset: "+365d")
        let office = try FieldLaptop(daemon: daemon, worker: "office-1", scope: "c01", role: "office")
        let laptops = [fast, slow, hourBehind, yearAhead, office]
        defer { laptops.forEach { $0.cleanUp() } }
        var typed: [(record: String, field: String, value: String)] = []
        func add(_ title: String, on laptop: FieldLaptop) throws -> String {
            let id = try laptop.addDemand(title)
            typed.append((id, "title", title))
            return id
        }
        func update(_ id: String, _ field: String, _ value: String, on laptop: FieldLaptop) throws {
            try laptop.update(id, "--\(field)", value)
            typed.append((id, field == "note" ? "notes" : field, value))
        }

        // Before any sync, each laptop records offline with its own clock; the one a year ahead follows its demand up.
        let stairs = try add("楼道堆物清理", on: hourBehind)
        let lamp = try add("路灯不亮", on: yearAhead)
        let parking = try add("停车位不足", on: fast)
        let noise = try add("夜间施工噪音", on: slow)
        let followUps = ["第一次回访：已联系物业", "第二次回访：物业答复下周修", "第三次回访：居民确认已修好"]
        for note in followUps { try update(lamp, "note", note, on: yearAhead) }
        let written = try Dictionary(uniqueKeysWithValues: laptops.map { ($0.worker, try $0.unsent()) })

        // First syncs, the laptops ahead first: each learns its clock's offset; the ones ahead have their unsent
        // edits restamped before pushing them; the ones behind receive edits stamped ahead of their own clocks.
        var summaries: [String: SyncSummary] = [:]
        for laptop in [fast, yearAhead, slow, hourBehind, office] { summaries[laptop.worker] = try laptop.sync() }
        let expectedOffsets: [String: Int64] = [
            "w001": -240_000, "w002": 120_000, "w003": 3_600_000, "w004": -365 * 86_400_000, "office-1": 0,
        ]
        for laptop in laptops {
            let summary = try #require(summaries[laptop.worker])
            let expected = try #require(expectedOffsets[laptop.worker])
            #expect(
                abs(summary.clock.offsetMilliseconds - expected) < 5_000,
                "\(laptop.name): offset \(summary.clock.offsetMilliseconds) ms, expected about \(expected)")
            let words = expected == 0 ? "agrees with the server's" : expected > 0 ? "slow against" : "fast against"
            #expect(summary.clock.summary.contains(words), "\(laptop.name): \(summary.clock.summary)")
            #expect(summary.pushed == written[laptop.worker], "\(laptop.name) did not push all it wrote")
            #expect(summary.refused == nil && summary.identity == nil && summary.recovered == 0)
        }
        for worker in ["w004", "w001"] {
            let restamped = summaries[worker]?.restamped ?? -1
            #expect(
                restamped == written[worker],
                "\(worker) wrote \(written[worker] ?? 0) edits ahead, restamped \(restamped)")
        }
        #expect(summaries["w002"]?.restamped == 0 && summaries["w003"]?.restamped == 0, "edits behind were restamped")
        #expect(summaries["w002"]?.pulled ?? 0 > 0, "the laptop 2 minutes behind received nothing")
        #expect(summaries["w003"]?.pulled ?? 0 > 0, "the laptop an hour behind received nothing")
        for laptop in laptops { try laptop.sync() }
        try server.expectConverged(laptops)
        let yearStatus = try yearAhead.gridsync.succeed("status")
        #expect(yearStatus.contains("clock:") && yearStatus.contains("fast"), "\(yearStatus)")
        let measured = try #require(try yearAhead.status()["clockOffset"] as? Int)
        #expect(abs(measured + 365 * 86_400_000) < 5_000, "status --json clockOffset \(measured)")

        // Offline again: each edits demands the others recorded, and records more. Edits written after a sync
        // are stamped with the corrected clock, so no later sync has anything to restamp.
        let secondRound = Self.milliseconds(Date())
        try update(stairs, "title", "楼道堆物清理（3栋）", on: fast)
        try update(stairs, "title", "三栋楼道堆物", on: yearAhead)
        try update(stairs, "title", "楼道杂物清理", on: hourBehind)
        try update(lamp, "status", "in-progress", on: slow)
        try update(lamp, "status", "accepted", on: hourBehind)
        try update(lamp, "note", "第四次回访：灯已修好", on: yearAhead)
        try update(noise, "urgency", "urgent", on: yearAhead)
        try update(noise, "urgency", "pressing", on: office)
        try update(parking, "building", "5栋", on: slow)
        try update(parking, "note", "物业同意划线", on: hourBehind)
        _ = try add("垃圾分类点异味", on: slow)
        _ = try add("电梯故障", on: yearAhead)
        _ = try add("井盖缺失", on: hourBehind)
        for laptop in [hourBehind, yearAhead, office, slow, fast, fast, slow, office, yearAhead, hourBehind] {
            let summary = try laptop.sync()
            #expect(summary.restamped == 0, "\(laptop.name) restamped edits written after it measured its clock")
            #expect(summary.refused == nil && summary.identity == nil)
        }

        // Every replica holds the daemon's records; every value typed is kept; no op is stamped in the future;
        // the follow-ups of the year-ahead laptop are in the order it wrote them.
        try server.expectConverged(laptops)
        for (slot, values) in Dictionary(grouping: typed, by: { [$0.record, $0.field] }) {
            try server.expectKept(values.map(\.value), in: slot[1], of: slot[0])
        }
        let now = Self.milliseconds(Date())
        let clocks = try server.opMilliseconds()
        #expect(clocks.count == (try server.opCount()), "the histories do not list every op")
        let ahead = clocks.filter { $0 > now + Self.maximumDrift }
        #expect(
            ahead.isEmpty, "\(ahead.count) ops on the daemon are stamped up to \((ahead.max() ?? now) - now) ms ahead")
        let notes = try #require((server.record(lamp)["logs"] as? [String: Any])?["notes"] as? [[String: Any]])
        let texts = notes.compactMap { ($0["entry"] as? [String: Any])?["text"] as? String }
        #expect(texts == followUps + ["第四次回访：灯已修好"])
        // The three titles written after the first sync, an hour behind and a year ahead included, are
        // stamped with the real time: none wins or loses for its laptop's clock.
        let titles = try #require(
            (try server.record(stairs)["conflicts"] as? [String: Any])?["title"] as? [[String: Any]])
        #expect(titles.count == 3, "three concurrent titles, three competing values")
        for title in titles {
            let stamped = ((title["clock"] as? NSNumber)?.uint64Value ?? 0) >> 16
            #expect(
                stamped + 5_000 >= secondRound && stamped <= now + 60_000,
                "\(title["value"] ?? "") by \(title["author"] ?? "") is stamped \(Int64(stamped) - Int64(now)) ms from now"
            )
        }
    }

    static func milliseconds(_ date: Date) -> UInt64 {
        UInt64(date.timeIntervalSince1970 * 1000)
    }
}
