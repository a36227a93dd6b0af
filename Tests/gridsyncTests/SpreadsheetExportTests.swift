import Foundation
import Testing

/// The CSV the office opens in Excel or WPS, read back with a CSV parser: the byte-order mark
/// that makes Chinese show right, Chinese headers and labels, quoting of commas, quotes and
/// line breaks, progress and surveys as sentences, and no cell run as a formula.
@Suite struct SpreadsheetExportTests {
    /// Parses RFC 4180 CSV (quoted cells with doubled quotes, CRLF or LF line ends).
    static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var cell = ""
        var quoted = false
        var characters = text.makeIterator()
        var pending: Character? = nil
        while let character = pending ?? characters.next() {
            pending = nil
            if quoted {
                if character == "\"" {
                    if let next = characters.next() {
                        if next == "\"" { cell.append("\"") } else { quoted = false; pending = next }
                    } else {
                        quoted = false
                    }
                } else {
                    cell.append(character)
                }
                continue
            }
            switch character {
            case "\"": quoted = true
            case ",":
                row.append(cell)
                cell = ""
            case "\n", "\r\n", "\r":
                row.append(cell)
                rows.append(row)
                row = []
                cell = ""
            default: cell.append(character)
            }
        }
        if !cell.isEmpty || !row.isEmpty {
            row.append(cell)
            rows.append(row)
        }
        return rows
    }

    @Test func theOfficesCSVOpensAsTextWithChineseLabelsAndNoFormulas() throws {
        let laptop = GridsyncBinary()
        defer { laptop.cleanUp() }
        try laptop.succeed("init", "--worker", "w001", "--grid", "c01/g01")
        let title = "=HYPERLINK(\"http://example.org\",\"点我\")"
        let description = "三栋, 二单元\n\"堆物\"严重"
        let demand = try #require(
            (try laptop.json(
                "demand", "add", "--title", title, "--category", "消防安全", "--description", description, "--json")
                as? [String: Any])?["id"] as? String)
        let project = try #require(
            (try laptop.json("project", "add", "--title", "+楼道微消防站", "--category", "消防安全", "--json")
                as? [String: Any])?["id"] as? String)
        try laptop.succeed("project", "progress", project, "--month", "2026-11", "--text", "完成选址", "--percent", "60")
        try laptop.succeed(
            "project", "survey", project, "--method", "问卷", "--respondents", "40", "--satisfied", "36")

        let demands = try laptop.succeed("export", "--format", "csv", "--type", "demand")
        #expect(demands.hasPrefix("\u{FEFF}"), "no byte-order mark: Excel would show the Chinese garbled")
        let rows = Self.parse(String(demands.dropFirst()))
        try #require(rows.count == 2, "\(rows)")
        let header = rows[0]
        #expect(header.prefix(7) == ["编号", "网格", "已删除", "有冲突的字段", "创建时间", "最后修改", "办结时间"])
        let row = Dictionary(uniqueKeysWithValues: zip(header, rows[1]))
        #expect(row["编号"] == demand)
        #expect(row["诉求"] == "'" + title, "the title must not be a live formula: \(row)")
        #expect(row["详细描述"] == description, "quoting lost the description: \(row)")
        #expect(row["类别"] == "消防安全", "the category is not its label: \(row)")
        #expect(row["状态"] == "已提出", "\(row)")
        #expect(!rows[1].contains { $0.hasPrefix("=") || $0.hasPrefix("+") || $0.hasPrefix("@") })

        let projects = Self.parse(
            String(try laptop.succeed("export", "--format", "csv", "--type", "project").dropFirst()))
        let projectRow = Dictionary(uniqueKeysWithValues: zip(projects[0], projects[1]))
        #expect(projectRow["项目名称"] == "'+楼道微消防站")
        let progress = try #require(projectRow["月度进展"])
        #expect(progress.contains("月份 2026-11，进展 完成选址，完成度 60%（w001）"), "\(progress)")
        let survey = try #require(projectRow["满意度评估"])
        #expect(survey.contains("方式 问卷，受访人数 40，满意人数 36，满意率 90%"), "\(survey)")
        #expect(projectRow["政府资金(元)"] == "0")

        // For scripts: the stored keys, no mark, no labels.
        let keys = try laptop.succeed("export", "--format", "csv", "--type", "demand", "--keys")
        #expect(keys.hasPrefix("id,scope,deleted,conflicts,created,changed,closed,title,"))
        #expect(keys.contains("fire-safety"))
    }
}
