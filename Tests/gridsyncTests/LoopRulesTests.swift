import Foundation
import Testing

/// The rules of the demand-and-project loop as the office expects them kept on a laptop:
/// stages one step at a time (or with a reason, kept), no negative backers or funds through a
/// local command, negative numbers written as the help shows them, and refusals in JSON.
@Suite struct LoopRulesTests {
    static func id(_ laptop: GridsyncBinary, _ arguments: String...) throws -> String {
        let result = try laptop.run(arguments + ["--json"])
        let document = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
        return try #require(document?["id"] as? String, "\(result.error)")
    }

    @Test func stagesGoOneStepAtATimeOrWithAReasonThatIsKept() throws {
        let laptop = GridsyncBinary()
        defer { laptop.cleanUp() }
        try laptop.succeed("init", "--worker", "w001", "--grid", "c01/g01")
        let project = try Self.id(laptop, "project", "add", "--title", "楼道微消防站", "--category", "消防安全")
        let skipped = try laptop.run("project", "stage", project, "评估", "--json")
        #expect(skipped.status == 1)
        #expect(skipped.error.contains("\"code\":\"needs-reason\""), "\(skipped.error)")
        #expect(skipped.error.contains("设计"), "the refusal names the next stage: \(skipped.error)")
        try laptop.succeed("project", "stage", project)
        let back = try laptop.run("project", "stage", project, "征集")
        #expect(back.status == 1 && back.error.contains("--reason"), "\(back.error)")
        try laptop.succeed("project", "stage", project, "征集", "--reason", "居民对方案有新意见")
        let shown = try laptop.succeed("project", "show", project)
        #expect(shown.contains("阶段 设计 → 征集：居民对方案有新意见"), "\(shown)")
        #expect(shown.contains("阶段 stage: 征集"), "\(shown)")
    }

    @Test func backersAndFundsNeverGoBelowZeroAndNegativeNumbersWorkAsTheHelpShows() throws {
        let laptop = GridsyncBinary()
        defer { laptop.cleanUp() }
        try laptop.succeed("init", "--worker", "w001", "--grid", "c01/g01")
        let demand = try Self.id(laptop, "demand", "add", "--title", "路灯不亮", "--category", "消防安全", "--backers", "13")
        try laptop.succeed("demand", "back", demand, "--by", "-2")
        let tooMany = try laptop.run("demand", "back", demand, "--by=-100", "--json")
        #expect(tooMany.status == 1)
        #expect(tooMany.error.contains("\"code\":\"out-of-range\"") && tooMany.error.contains("11 backers"))
        let record = try laptop.json("demand", "show", demand, "--json") as? [String: Any]
        #expect((record?["counters"] as? [String: Any])?["backers"] as? Int == 11)

        let project = try Self.id(laptop, "project", "add", "--title", "楼道微消防站", "--category", "消防安全")
        let negativeFirst = try laptop.run("project", "fund", project, "--source", "政府", "--yuan", "-500")
        #expect(
            negativeFirst.status == 1 && negativeFirst.error.contains("no money from 政府 yet"), "\(negativeFirst.error)")
        try laptop.succeed("project", "fund", project, "--source", "政府", "--yuan", "20000")
        try laptop.succeed("project", "fund", project, "--source", "政府", "--yuan", "-500")
        // Yuan with two decimals are kept exactly, in fen; a third decimal is refused, not rounded.
        try laptop.succeed("project", "fund", project, "--source", "居民", "--yuan", "3,500.50")
        let third = try laptop.run("project", "fund", project, "--source", "居民", "--yuan", "0.505", "--json")
        #expect(third.status == 1 && third.error.contains("\"code\":\"bad-format\""), "\(third.error)")
        #expect(third.error.contains("at most two decimals"), "\(third.error)")
        let tooMuch = try laptop.run("project", "fund", project, "--source", "居民", "--yuan", "-3500.51")
        #expect(tooMuch.status == 1 && tooMuch.error.contains("at most -3500.50"), "\(tooMuch.error)")
        let funded = try laptop.json("project", "show", project, "--json") as? [String: Any]
        let counters = funded?["counters"] as? [String: Any]
        #expect(counters?["funding-government-fen"] as? Int == 1_950_000)
        #expect(counters?["funding-residents-fen"] as? Int == 350_050)
        let shown = try laptop.succeed("project", "show", project)
        #expect(shown.contains("funding-government: 19500") && shown.contains("funding-residents: 3500.50"), "\(shown)")

        // A filter that names no status is a refusal like the others: in JSON, with its code.
        let unknown = try laptop.run("demand", "list", "--status", "foo", "--json")
        #expect(unknown.status == 1 && unknown.error.contains("\"code\":\"unknown-choice\""), "\(unknown.error)")
        // So is a command line that does not parse; --help is not a refusal.
        let usage = try laptop.run(
            "demand", "add", "--title", "路灯不亮", "--category", "消防安全", "--backers", "many", "--json")
        #expect(usage.status == 64 && usage.error.hasPrefix("{\"error\":{\"code\":\"usage\""), "\(usage.error)")
        #expect(usage.error.contains("many"), "\(usage.error)")
        let help = try laptop.run("demand", "list", "--help", "--json")
        #expect(help.status == 0 && help.output.contains("USAGE"), "\(help.output)")
    }
}
