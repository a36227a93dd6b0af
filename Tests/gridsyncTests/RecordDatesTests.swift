import Foundation
import Testing

/// Dates as the office reads them, derived from the clocks of the ops a laptop wrote: when a
/// demand was raised, each status it was given and when it was closed, in local time, in
/// `show`, lists with `--since`/`--until`, JSON and the office's CSV.
@Suite struct RecordDatesTests {
    /// A laptop in Beijing whose clock reads `moment` (local time) when each command starts.
    static func at(_ moment: String, _ data: URL) -> GridsyncBinary {
        var laptop = GridsyncBinary(data: data, clockOffset: "@" + moment)
        laptop.environment["TZ"] = "Asia/Shanghai"
        return laptop
    }

    static func id(_ laptop: GridsyncBinary, _ arguments: String...) throws -> String {
        let result = try laptop.run(arguments + ["--json"])
        let document = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
        return try #require(document?["id"] as? String, "\(result.error)")
    }

    @Test(.enabled(if: GridsyncBinary.fakeTimeCommand != nil))
    func aDemandsDatesComeFromItsEditsInLocalTime() throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("gridsync-dates-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: data) }
        try Self.at("2026-10-15 09:00:00", data).succeed("init", "--worker", "w001", "--grid", "c01/g01")
        let october = try Self.id(
            Self.at("2026-10-15 09:30:00", data), "demand", "add", "--title", "停车位不足", "--category", "消防安全")
        // Raised late in the evening of 1 November, Beijing time: still 1 November for the office.
        let stairs = try Self.id(
            Self.at("2026-11-01 23:30:00", data), "demand", "add", "--title", "楼道堆物清理", "--category", "消防安全")
        try Self.at("2026-11-03 10:00:00", data).succeed("demand", "update", stairs, "--status", "已受理")
        try Self.at("2026-11-20 16:45:00", data).succeed(
            "demand", "close", stairs, "--as", "resolved", "--reason", "居民确认已清理")
        let today = Self.at("2026-11-30 09:00:00", data)

        let shown = try today.succeed("demand", "show", stairs)
        #expect(shown.contains("创建 created: 2026-11-01 23:30"), "\(shown)")
        #expect(
            shown.contains("状态记录 statuses: 2026-11-01 已提出（w001） → 2026-11-03 已受理（w001） → 2026-11-20 已解决（w001）"),
            "\(shown)")
        #expect(shown.contains("办结 closed: 2026-11-20 16:45"), "\(shown)")

        let document = try #require(try today.json("demand", "show", stairs, "--json") as? [String: Any])
        let dates = try #require(document["dates"] as? [String: Any])
        #expect((dates["created"] as? String)?.hasPrefix("2026-11-01T23:30") == true, "\(dates)")
        #expect((dates["created"] as? String)?.hasSuffix("+08:00") == true, "\(dates)")
        #expect((dates["closed"] as? String)?.hasPrefix("2026-11-20T16:45") == true, "\(dates)")
        #expect(
            (dates["steps"] as? [[String: Any]])?.map { $0["value"] as? String } == ["raised", "accepted", "resolved"])

        // Lists by the day raised; a month stands for all its days.
        let november = try #require(
            try today.json("demand", "list", "--since", "2026-11-01", "--json") as? [[String: Any]])
        #expect(november.compactMap { $0["id"] as? String } == [stairs])
        let autumn = try #require(
            try today.json("demand", "list", "--since", "2026-10", "--until", "2026-10", "--json") as? [[String: Any]])
        #expect(autumn.compactMap { $0["id"] as? String } == [october])
        let table = try today.succeed("demand", "list")
        #expect(table.contains("2026-11-01") && table.contains("2026-10-15"), "\(table)")
        // Newest first by default; oldest first; or the most recently changed first.
        func order(_ sort: String?) throws -> [String] {
            let list =
                try today.json(
                    "demand", "list", "--json", "--sort", sort ?? "newest") as? [[String: Any]]
            return (list ?? []).compactMap { $0["id"] as? String }
        }
        #expect(try order(nil) == [stairs, october])
        #expect(try order("oldest") == [october, stairs])
        try Self.at("2026-11-29 08:00:00", data).succeed("demand", "update", october, "--urgency", "紧急")
        #expect(try order("changed") == [october, stairs])
        let badOrder = try today.run("demand", "list", "--sort", "priority", "--json")
        #expect(badOrder.status == 64, "\(badOrder.error)")
        let wrong = try today.run("demand", "list", "--since", "2026-13-01", "--json")
        #expect(wrong.status == 1 && wrong.error.contains("\"code\":\"bad-format\""), "\(wrong.error)")

        // The office's CSV carries them too.
        let csv = SpreadsheetExportTests.parse(String(try today.succeed("export", "--format", "csv").dropFirst()))
        let row = try #require(
            csv.first { $0.first == stairs }.map { Dictionary(uniqueKeysWithValues: zip(csv[0], $0)) })
        #expect(row["创建时间"] == "2026-11-01 23:30" && row["办结时间"] == "2026-11-20 16:45", "\(row)")
    }

    @Test func visitsAreListedByTheDayOfTheVisit() throws {
        let laptop = GridsyncBinary()
        defer { laptop.cleanUp() }
        try laptop.succeed("init", "--worker", "w001", "--grid", "c01/g01")
        _ = try Self.id(laptop, "visit", "add", "--date", "2026-10-30", "--purpose", "routine")
        let november = try Self.id(laptop, "visit", "add", "--date", "2026-11-02", "--purpose", "routine")
        let listed = try #require(
            try laptop.json("visit", "list", "--since", "2026-11-01", "--json") as? [[String: Any]])
        #expect(listed.compactMap { $0["id"] as? String } == [november])
    }
}
