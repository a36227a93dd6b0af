import Foundation
import Testing

/// A flat battery mid-command: killing `gridsync` at any moment leaves whole records or none.
@Suite struct CrashSafetyTests {
    @Test func killedWritesLeaveWholeRecordsOnly() throws {
        let gridsync = GridsyncBinary()
        defer { gridsync.cleanUp() }
        try gridsync.succeed("init", "--worker", "w001", "--grid", "c01/g01")
        var finished = 0
        for attempt in 0..<12 {
            let process = try gridsync.start([
                "demand", "add", "--title", "楼道堆物清理\(attempt)", "--category", "消防安全", "--description",
                "居民反映楼道内堆放杂物", "--backers", "5", "--tag", "消防", "--tag", "老旧小区",
            ])
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(useconds_t(5_000 * attempt + 500))  // from half a millisecond to 56 ms
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            if process.terminationReason == .exit && process.terminationStatus == 0 { finished += 1 }
        }
        // Whatever was killed where, the replica opens and every demand it holds is whole.
        let lines = try gridsync.succeed("export", "--format", "jsonl").split(separator: "\n")
        #expect(lines.count >= finished)
        for line in lines {
            let record = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let values = try #require(record["values"] as? [String: Any])
            #expect(Set(values.keys) == ["title", "category", "status", "urgency", "description"])
            #expect((record["sets"] as? [String: [String]])?["tags"]?.count == 2)
            #expect((record["counters"] as? [String: Int])?["backers"] == 5)
        }
        let status = try gridsync.succeed("status", "--json")
        let counts = try #require(JSONSerialization.jsonObject(with: Data(status.utf8)) as? [String: Any])
        #expect(counts["opCount"] as? Int == lines.count * 8)
        // And it still takes new work.
        try gridsync.succeed("demand", "add", "--title", "路灯不亮", "--category", "convenience")
    }

    /// Two `gridsync` processes on one replica at once: both succeed, nothing is lost.
    @Test func concurrentProcessesBothSucceed() throws {
        let gridsync = GridsyncBinary()
        defer { gridsync.cleanUp() }
        try gridsync.succeed("init", "--worker", "w001", "--grid", "c01/g01")
        let processes = try (0..<6).map { index in
            let process = try gridsync.start(["demand", "add", "--title", "并发\(index)", "--category", "other"])
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            return process
        }
        for process in processes {
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
        }
        let all = try gridsync.succeed("export").split(separator: "\n")
        #expect(all.count == 6)
    }
}
