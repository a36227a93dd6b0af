import Foundation
import Testing

/// A record command run by a person at a terminal asks for what its flags left out (choices
/// listed, the compound found from part of its name) instead of failing; a script, or
/// `--json`, is refused as before, and an answer of end of input writes nothing.
@Suite struct TerminalQuestionsTests {
    /// An office replica of c01, which records at the community's level, with the street's
    /// compounds (纺织厂宿舍 and 机械厂家属院 in g01, 粮食局小区 in g02).
    static func officeWithCompounds() throws -> GridsyncBinary {
        let office = GridsyncBinary()
        try #require(try office.run("init", "--worker", "o001", "--grid", "c01").status == 0)
        let (compounds, workers, folder) = try StreetListsTests.sheets()
        defer { try? FileManager.default.removeItem(at: folder) }
        let imported = try office.run("street", "import", "--compounds", compounds, "--workers", workers)
        try #require(imported.status == 0, "\(imported.error)")
        return office
    }

    @Test func aDemandWithoutItsCategoryAsksForItAndForTheCompound() throws {
        let office = try Self.officeWithCompounds()
        defer { try? FileManager.default.removeItem(at: office.data) }
        let terminal = try PseudoTerminal(
            GridsyncBinary.executable, ["demand", "add", "--title", "楼道灯坏了"],
            environment: ["GRIDSYNC_DATA": office.data.path])
        try terminal.waitFor("类别 category:")
        #expect(terminal.shown.contains("1. 消防安全 fire-safety") && terminal.shown.contains("2. 便民服务 convenience"))
        try terminal.waitFor("number, key or name")
        // A wrong answer is explained and asked again; a label is as good as a number.
        terminal.type("停车")
        try terminal.waitFor("停车")
        try terminal.waitFor("number, key or name (1-6): ")
        terminal.type("便民服务")
        try terminal.waitFor("小区 compound")
        // Part of a name that fits two compounds lists them; more of it finds one.
        terminal.type("厂")
        try terminal.waitFor("several match")
        #expect(terminal.shown.contains("纺织厂宿舍") && terminal.shown.contains("机械厂家属院"))
        terminal.type("纺织")
        try terminal.waitFor("→ ")
        #expect(try terminal.finish() == 0, "\(terminal.shown)")
        #expect(terminal.shown.contains("Recorded demand"), "\(terminal.shown)")

        let listed = try office.run("demand", "list", "--json")
        let demands = try #require(try JSONSerialization.jsonObject(with: Data(listed.output.utf8)) as? [[String: Any]])
        let values = try #require(demands.first?["values"] as? [String: Any], "\(listed.output)")
        #expect(values["title"] as? String == "楼道灯坏了")
        #expect(values["category"] as? String == "convenience")
        #expect(values["compound"] as? String == "k001")
    }

    @Test func endOfInputWritesNothingAndAScriptIsRefusedAsBefore() throws {
        let office = try Self.officeWithCompounds()
        defer { try? FileManager.default.removeItem(at: office.data) }
        let terminal = try PseudoTerminal(
            GridsyncBinary.executable, ["project", "add"],
            environment: ["GRIDSYNC_DATA": office.data.path])
        try terminal.waitFor("项目名称 title")
        terminal.typeEndOfInput()
        #expect(try terminal.finish() != 0)
        #expect(terminal.shown.contains("a new project needs title"), "\(terminal.shown)")

        // Without a terminal (a script), and with --json, the refusal is what it always was.
        for arguments in [["demand", "add", "--title", "x"], ["demand", "add", "--json", "--title", "x"]] {
            let refused = try office.run(arguments, input: "2\n")
            #expect(refused.status != 0 && refused.error.contains("category"), "\(refused.error)")
        }
        for type in ["demand", "project"] {
            let listed = try office.run(type, "list", "--json")
            let records = try JSONSerialization.jsonObject(with: Data(listed.output.utf8)) as? [Any]
            #expect(records?.isEmpty == true, "\(type): \(listed.output)")
        }
    }
}
