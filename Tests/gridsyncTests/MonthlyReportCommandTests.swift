import Foundation
import Testing

/// `report` as the office runs it: on the daemon's folder after the laptops synced, in text,
/// CSV for Excel and JSON, with figures worked out by hand from what the workers recorded.
@Suite struct MonthlyReportCommandTests {
    @Test(.enabled(if: GridsyncBinary.fakeTimeCommand != nil))
    func theDaemonsReportCountsWhatTheLaptopsRecorded() throws {
        let daemon = try DaemonProcess()
        defer { daemon.cleanUp() }
        let worker = try FieldLaptop(daemon: daemon, worker: "w001", scope: "c01/g01")
        defer { worker.cleanUp() }
        func at(_ moment: String) -> GridsyncBinary {
            var laptop = GridsyncBinary(data: worker.gridsync.data, clockOffset: "@" + moment)
            laptop.environment["TZ"] = "Asia/Shanghai"
            return laptop
        }
        func id(_ result: GridsyncBinary.Result) throws -> String {
            let document = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
            return try #require(document?["id"] as? String, "\(result.error)")
        }
        let stairs = try id(
            at("2026-11-02 09:00:00").run(
                "demand", "add", "--title", "楼道堆物清理", "--category", "消防安全", "--json"))
        try at("2026-11-03 09:00:00").succeed("visit", "add", "--date", "2026-11-03", "--purpose", "routine")
        let station = try id(
            at("2026-11-04 09:00:00").run("project", "add", "--title", "楼道微消防站", "--category", "消防安全", "--json"))
        try at("2026-11-05 09:00:00").succeed("project", "fund", station, "--source", "政府", "--yuan", "20000")
        try at("2026-11-12 09:00:00").succeed("demand", "close", stairs, "--as", "resolved", "--reason", "已清理")
        _ = try at("2026-11-20 09:00:00").run(
            ["sync", "--server", worker.server, "--token-file", worker.tokenFile.path, "--json"] + worker.trust)

        func report(_ arguments: String...) throws -> GridsyncBinary.Result {
            try InspectTests.inspect(daemon, ["report", "--month", "2026-11"] + arguments)
        }
        let json = try report("--format", "json")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        let demands = try #require(document["demands"] as? [String: Any])
        #expect(demands["raised"] as? Int == 1 && demands["resolved"] as? Int == 1, "\(demands)")
        #expect(demands["medianDaysToResolve"] as? Double == 10)
        let funding = try #require((document["funding"] as? [String: Any])?["month"] as? [String: Any])
        #expect(funding["government"] as? Int == 20_000)
        #expect(((document["visits"] as? [String: Any])?["total"] as? Int) == 1)

        let text = try report()
        #expect(text.status == 0 && text.output.contains("本月提出 1，受理 0，解决 1，月末未结 0"), "\(text.output)\(text.error)")
        #expect(text.output.contains("政府 20000"), "\(text.output)")

        let csv = try report("--format", "csv")
        #expect(csv.output.hasPrefix("\u{FEFF}"))
        let rows = SpreadsheetExportTests.parse(String(csv.output.dropFirst()))
        let totals = try #require(rows.firstIndex { $0 == ["诉求合计"] })
        #expect(rows[totals + 2] == ["1", "0", "1", "0", "10"], "\(rows[totals...].prefix(3))")

        let english = try report("--english")
        #expect(english.output.contains("raised 1, accepted 0, resolved 1, open at month end 0"), "\(english.output)")
        let wrong = try report("--community", "第一社区", "--format", "json")
        #expect(wrong.status == 1 && wrong.error.contains("\"code\":\"bad-format\""), "\(wrong.error)")
        let paris = try report("--time-zone", "Europe/Paris", "--format", "json")
        #expect(paris.output.contains("\"timeZone\" : \"Europe/Paris\""), "\(paris.output)")
        let nowhere = try report("--time-zone", "Mars/Olympus", "--format", "json")
        #expect(nowhere.status == 1 && nowhere.error.contains("Asia/Shanghai"), "\(nowhere.error)")
    }
}
