import Foundation
import Testing

/// Bad input gets an error that says what was wrong and what to do, and writes nothing.
@Suite struct BadInputTests {
    /// Runs a command that must fail with a message containing `expected`, and checks that the
    /// replica's export is unchanged.
    private func refuse(
        _ gridsync: GridsyncBinary, _ arguments: [String], saying expected: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let before = try gridsync.run("export").output
        let result = try gridsync.run(arguments)
        #expect(result.status != 0, "gridsync \(arguments) succeeded", sourceLocation: sourceLocation)
        #expect(result.error.contains(expected), "stderr: \(result.error)", sourceLocation: sourceLocation)
        #expect(try gridsync.run("export").output == before, sourceLocation: sourceLocation)
    }

    @Test func refusedEditsWriteNothing() throws {
        let gridsync = GridsyncBinary()
        defer { gridsync.cleanUp() }
        try gridsync.succeed("init", "--worker", "w001", "--grid", "c01/g01")
        let id = try gridsync.succeed("demand", "add", "--title", "路灯不亮", "--category", "convenience")
            .split(separator: " ")[2].prefix(8)
        try refuse(gridsync, ["demand", "add", "--title", "x", "--category", "消防"], saying: "fire-safety (消防安全)")
        try refuse(gridsync, ["demand", "add", "--category", "convenience"], saying: "title is required")
        try refuse(
            gridsync, ["demand", "add", "--title", String(repeating: "长", count: 81), "--category", "other"],
            saying: "at most 80 characters")
        try refuse(gridsync, ["demand", "update", String(id), "--status", "搁置"], saying: "in-progress (处理中)")
        try refuse(
            gridsync, ["demand", "update", String(id), "--status", "accepted", "--urgency", "asap"], saying: "urgency")
        try refuse(gridsync, ["demand", "show", "ffffffff"], saying: "no demand has an id starting with 'ffffffff'")
        try refuse(gridsync, ["demand", "show", "ab"], saying: "first 4 or more characters")
        try refuse(gridsync, ["visit", "add", "--date", "2026-02-30"], saying: "YYYY-MM-DD")
        try refuse(
            gridsync, ["demand", "add", "--title", "x", "--category", "other", "--grid", "g09"], saying: "c01/g01")
        try refuse(gridsync, ["demand", "update", String(id), "--clear", "title"], saying: "title is required")
        try refuse(gridsync, ["demand", "update", String(id), "--remove-tag", "停车"], saying: "nothing to remove")
    }

    /// With `--json`, a refusal is JSON on standard error, with its stable code.
    @Test func refusalsAreJSONForScripts() throws {
        let gridsync = GridsyncBinary()
        defer { gridsync.cleanUp() }
        try gridsync.succeed("init", "--worker", "w001", "--grid", "c01/g01")
        for (arguments, code) in [
            (["demand", "add", "--title", "x", "--category", "消防", "--json"], "unknown-choice"),
            (["demand", "show", "ffffffff", "--json"], "unknown-record"),
            (["demand", "add", "--category", "other", "--json"], "missing-required"),
        ] {
            let result = try gridsync.run(arguments)
            #expect(result.status == 1)
            let document = try #require(
                JSONSerialization.jsonObject(with: Data(result.error.utf8)) as? [String: [String: String]])
            #expect(document["error"]?["code"] == code, "\(arguments): \(result.error)")
            #expect(document["error"]?["message"]?.isEmpty == false)
        }
    }

    @Test func aFolderThatIsNotAReplica() throws {
        let gridsync = GridsyncBinary()
        defer { gridsync.cleanUp() }
        let result = try gridsync.run("demand", "list")
        #expect(result.status != 0)
        #expect(result.error.contains("gridsync init"))
        #expect(!FileManager.default.fileExists(atPath: gridsync.data.appendingPathComponent("replica.sqlite").path))
    }

    @Test func initTwiceIsRefused() throws {
        let gridsync = GridsyncBinary()
        defer { gridsync.cleanUp() }
        try gridsync.succeed("init", "--worker", "w001", "--grid", "c01/g01")
        let again = try gridsync.run("init", "--worker", "w002", "--grid", "c01/g02")
        #expect(again.status != 0)
        #expect(again.error.contains("already holds a replica"))
        #expect(try gridsync.succeed("status").contains("w001"))
    }

    @Test func aCorruptDatabaseIsReportedNotOverwritten() throws {
        let gridsync = GridsyncBinary()
        defer { gridsync.cleanUp() }
        try FileManager.default.createDirectory(at: gridsync.data, withIntermediateDirectories: true)
        let file = gridsync.data.appendingPathComponent("replica.sqlite")
        let garbage = Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try garbage.write(to: file)
        let result = try gridsync.run("status")
        #expect(result.status != 0)
        #expect(result.error.contains("damaged or is not a GridSync replica"))
        #expect(try Data(contentsOf: file) == garbage)
    }

    @Test func helpExplainsByExample() throws {
        let gridsync = GridsyncBinary()
        for command in [
            ["demand", "add"], ["demand", "update"], ["project", "progress"], ["visit", "add"], ["export"],
        ] {
            let help = try gridsync.run(command + ["--help"])
            #expect(help.status == 0)
            #expect(
                help.output.contains("Examples") || help.output.contains("Example"), "\(command) --help has no example")
        }
    }
}
