import Foundation
import Testing

/// A grid worker's day, through the real binary: record, list, show, update, export.
@Suite struct FieldWorkTests {
    @Test func aWorkerRecordsAndFollowsADemandOffline() throws {
        let gridsync = GridsyncBinary()
        defer { gridsync.cleanUp() }
        try gridsync.succeed("init", "--worker", "w001", "--grid", "c01/g01")
        let added = try #require(
            gridsync.json(
                "demand", "add", "--title", "楼道堆物清理", "--category", "消防安全", "--backers", "12", "--tag", "消防",
                "--building", "3栋2单元", "--json") as? [String: Any])
        let id = try #require(added["id"] as? String)
        let values = try #require(added["values"] as? [String: Any])
        #expect(values["category"] as? String == "fire-safety")
        #expect(values["status"] as? String == "raised")
        #expect(values["urgency"] as? String == "normal")
        #expect((added["counters"] as? [String: Any])?["backers"] as? Int == 12)

        let short = String(id.prefix(8))
        try gridsync.succeed("demand", "update", short, "--status", "处理中", "--note", "已联系物业，下周清理")
        try gridsync.succeed("demand", "back", short, "--by", "3")
        let shown = try #require(gridsync.json("demand", "show", short, "--json") as? [String: Any])
        #expect((shown["values"] as? [String: Any])?["status"] as? String == "in-progress")
        #expect((shown["counters"] as? [String: Any])?["backers"] as? Int == 15)
        let notes = (shown["logs"] as? [String: Any])?["notes"] as? [[String: Any]]
        #expect((notes?.first?["entry"] as? [String: Any])?["text"] as? String == "已联系物业，下周清理")

        let open = try #require(gridsync.json("demand", "list", "--open", "--json") as? [[String: Any]])
        #expect(open.count == 1)
        // A grid is named in lists as `demand add --grid` names it, or by its key alone.
        for grid in ["c01/g01", "g01"] {
            let inGrid = try #require(gridsync.json("demand", "list", "--grid", grid, "--json") as? [[String: Any]])
            #expect(inGrid.count == 1, "--grid \(grid)")
        }
        let elsewhere = try #require(gridsync.json("demand", "list", "--grid", "c01/g02", "--json") as? [[String: Any]])
        #expect(elsewhere.isEmpty)
        try gridsync.succeed("demand", "close", short, "--as", "resolved", "--reason", "居民确认已清理")
        let stillOpen = try #require(gridsync.json("demand", "list", "--open", "--json") as? [[String: Any]])
        #expect(stillOpen.isEmpty)

        let human = try gridsync.succeed("demand", "show", short)
        #expect(human.contains("状态 status: 已解决"))
        #expect(human.contains("居民确认已清理"))
    }

    @Test func visitsAndProjectsRunTheirLoop() throws {
        let gridsync = GridsyncBinary()
        defer { gridsync.cleanUp() }
        try gridsync.succeed("init", "--worker", "w002", "--grid", "c02/g07")
        let demand = try #require(
            gridsync.json("demand", "add", "--title", "停车位不足", "--category", "民主协商", "--json") as? [String: Any])
        let demandID = try #require(demand["id"] as? String)
        let visit = try #require(
            gridsync.json(
                "visit", "add", "--date", "2026-11-28", "--purpose", "收集诉求", "--compound", "k014", "--household",
                "5栋1单元302", "--observations", "居民反映晚上车辆乱停", "--demand", demandID, "--json") as? [String: Any])
        #expect((visit["values"] as? [String: Any])?["worker"] as? String == "w002")
        #expect((visit["sets"] as? [String: Any])?["demands"] as? [String] == [demandID])

        let project = try #require(
            gridsync.json(
                "project", "add", "--title", "停车自治公约", "--category", "consultation", "--participant", "居民议事会",
                "--demand", demandID, "--json") as? [String: Any])
        let projectID = String(try #require(project["id"] as? String).prefix(8))
        try gridsync.succeed("project", "stage", projectID)  // collect → design
        try gridsync.succeed("project", "stage", projectID, "实施", "--reason", "方案已在议事会上论证")
        try gridsync.succeed(
            "project", "progress", projectID, "--month", "2026-11", "--text", "划定车位32个", "--percent", "60")
        try gridsync.succeed("project", "fund", projectID, "--source", "政府", "--yuan", "20000")
        try gridsync.succeed("project", "fund", projectID, "--source", "residents", "--yuan", "3500")
        try gridsync.succeed(
            "project", "survey", projectID, "--method", "问卷", "--respondents", "40", "--satisfied", "36")
        let shown = try #require(gridsync.json("project", "show", projectID, "--json") as? [String: Any])
        #expect((shown["values"] as? [String: Any])?["stage"] as? String == "implement")
        let counters = try #require(shown["counters"] as? [String: Int])
        #expect(counters == ["funding-government-fen": 2_000_000, "funding-residents-fen": 350_000])
        let logs = try #require(shown["logs"] as? [String: [[String: Any]]])
        #expect(logs["progress"]?.count == 1 && logs["satisfaction"]?.count == 1)

        let table = try gridsync.succeed("project", "list", "--stage", "实施")
        #expect(table.contains("停车自治公约") && table.contains("23500"))

        // Links both ways: the demand shows the project that answers it and the visit it came from.
        let demandShown = try gridsync.succeed("demand", "show", demandID)
        #expect(demandShown.contains("停车自治公约（回应诉求）"), "\(demandShown)")
        #expect(demandShown.contains("2026-11-28（形成诉求）"), "\(demandShown)")
        let demandJSON = try #require(gridsync.json("demand", "show", demandID, "--json") as? [String: Any])
        #expect(
            (demandJSON["linked"] as? [[String: Any]])?.compactMap { $0["type"] as? String }.sorted() == [
                "project", "visit",
            ])
    }

    /// Chinese text lines up in tables: every row's columns start at the same display column.
    @Test func tablesLineUpChineseText() throws {
        let gridsync = GridsyncBinary()
        defer { gridsync.cleanUp() }
        try gridsync.succeed("init", "--worker", "w001", "--grid", "c01/g01")
        try gridsync.succeed("demand", "add", "--title", "楼道堆物清理", "--category", "消防安全")
        try gridsync.succeed("demand", "add", "--title", "Street light", "--category", "convenience")
        let lines = try gridsync.succeed("demand", "list").split(separator: "\n").dropLast()
        #expect(lines.count == 3)
        func statusColumn(_ line: Substring) -> Int? {
            guard let range = line.range(of: "已提出") ?? line.range(of: "状态") else { return nil }
            return displayWidth(String(line[..<range.lowerBound]))
        }
        let columns = Set(lines.compactMap(statusColumn))
        #expect(columns.count == 1, "the status column starts at different widths: \(lines)")
        #expect(lines.allSatisfy { $0.last != " " })
    }

    @Test func exportIsSortedCanonicalJSONLines() throws {
        let gridsync = GridsyncBinary()
        defer { gridsync.cleanUp() }
        try gridsync.succeed("init", "--worker", "w001", "--grid", "c01/g01")
        try gridsync.succeed("project", "add", "--title", "楼道微消防站", "--category", "fire-safety")
        try gridsync.succeed("demand", "add", "--title", "路灯不亮", "--category", "convenience")
        try gridsync.succeed("visit", "add", "--purpose", "routine")
        let lines = try gridsync.succeed("export", "--format", "jsonl").split(separator: "\n")
        let types = try lines.map { line in
            try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])["type"] as? String
        }
        #expect(types == ["demand", "project", "visit"])
        let csv = try gridsync.succeed("export", "--format", "csv", "--type", "微项目", "--keys")
        #expect(csv.hasPrefix("id,scope,deleted,conflicts,created,changed,stages,title,category,stage"))
        #expect(csv.contains("楼道微消防站"))
        let office = try gridsync.succeed("export", "--format", "csv", "--type", "微项目")
        #expect(office.hasPrefix("\u{FEFF}编号,网格,已删除,有冲突的字段,创建时间,最后修改,各阶段,项目名称,类别,阶段"), "\(office.prefix(80))")
    }

    /// Terminal display width: two columns for CJK characters.
    private func displayWidth(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { $0 + ((0x2E80...0x9FFF).contains($1.value) ? 2 : 1) }
    }
}

/// Deleting, restoring, linking records by short id, and the office working across grids.
@Suite struct RecordLifecycleTests {
    @Test func deleteAndRestoreKeepTheRecordAndTheReason() throws {
        let gridsync = GridsyncBinary()
        defer { gridsync.cleanUp() }
        try gridsync.succeed("init", "--worker", "w001", "--grid", "c01/g01")
        let added = try #require(
            gridsync.json("demand", "add", "--title", "快递柜设置", "--category", "convenience", "--json") as? [String: Any])
        let short = String(try #require(added["id"] as? String).prefix(8))
        try gridsync.succeed("delete", short, "--reason", "重复录入")
        #expect(try #require(gridsync.json("demand", "list", "--json") as? [Any]).isEmpty)
        let all = try #require(gridsync.json("demand", "list", "--all", "--json") as? [[String: Any]])
        #expect(all.count == 1 && all[0]["deleted"] as? Bool == true)
        let refused = try gridsync.run("demand", "update", short, "--status", "accepted")
        #expect(refused.status != 0 && refused.error.contains("restore it before editing it"))
        try gridsync.succeed("restore", short, "--reason", "居民再次反映")
        let shown = try #require(gridsync.json("demand", "show", short, "--json") as? [String: Any])
        #expect(shown["deleted"] as? Bool == false)
        let notes = try #require((shown["logs"] as? [String: [[String: Any]]])?["notes"])
        #expect(notes.compactMap { ($0["entry"] as? [String: String])?["text"] } == ["重复录入", "居民再次反映"])
        #expect(try gridsync.run("demand", "update", short, "--clear", "deleted").status != 0)
    }

    @Test func linksAreGivenByShortIDAndCheckedForType() throws {
        let gridsync = GridsyncBinary()
        defer { gridsync.cleanUp() }
        try gridsync.succeed("init", "--worker", "w001", "--grid", "c01/g01")
        let demand = try #require(
            gridsync.json("demand", "add", "--title", "路灯不亮", "--category", "convenience", "--json") as? [String: Any])
        let demandID = try #require(demand["id"] as? String)
        let visit = try #require(
            gridsync.json("visit", "add", "--demand", String(demandID.prefix(6)), "--json") as? [String: Any])
        #expect((visit["sets"] as? [String: [String]])?["demands"] == [demandID])
        let visitID = try #require(visit["id"] as? String)
        let wrongType = try gridsync.run(
            "project", "add", "--title", "路灯修复", "--category", "convenience", "--demand", String(visitID.prefix(8)))
        #expect(wrongType.status != 0)
        #expect(wrongType.error.contains("no demand has an id starting with"))
        let onlyDemands = try gridsync.succeed("export", "--type", "demand").split(separator: "\n")
        #expect(onlyDemands.count == 1 && onlyDemands[0].contains(demandID))
    }

    @Test func theOfficeRecordsInAnyGridOfItsCommunity() throws {
        let gridsync = GridsyncBinary()
        defer { gridsync.cleanUp() }
        try gridsync.succeed("init", "--worker", "office-1", "--grid", "c01")
        let added = try #require(
            gridsync.json("demand", "add", "--title", "停车位不足", "--category", "民主协商", "--grid", "c01/g02", "--json")
                as? [String: Any])
        #expect(added["scope"] as? String == "c01/g02")
        let outside = try gridsync.run("demand", "add", "--title", "x", "--category", "other", "--grid", "c02/g07")
        #expect(outside.status != 0 && outside.error.contains("not one of this replica's grids"))
    }
}
