import Foundation
import GridMerge
import GridModel
import Testing

/// The street's lists as the office keeps them, through the real programs: imported from its
/// sheets (one saved by WPS in GBK) on an office laptop, synced to the grids' laptops, used by
/// name, and kept from grid workers and from laptops still on gridsync/2.
@Suite struct StreetListsTests {
    /// One community, two grids, three compounds.
    static let compounds = """
        社区编号,社区,网格编号,网格,小区编号,小区,地址,物业,楼栋
        c01,东门社区,g01,东门一网格,k001,纺织厂宿舍,东门路12号,无,1号楼、2号楼
        c01,东门社区,g01,东门一网格,k002,机械厂家属院,,有,
        c01,东门社区,g02,东门二网格,k003,粮食局小区,东门路30号,无,3栋

        """
    /// The workers sheet as WPS saves "CSV" on a Chinese Windows: GBK, CRLF. It reads
    /// 网格员编号,姓名,网格编号 / w001,王芳,g01 / w002,李强,g02 / w003,张秀英,g01、g02.
    static let workersGBK = hex(
        "cdf8b8f1d4b1b1e0bac52cd0d5c3fb2ccdf8b8f1b1e0bac50d0a773030312ccdf5b7bc2c6730310d0a773030322cc0eec7bf2c"
            + "6730320d0a773030332cd5c5d0e3d3a22c673031a1a26730320d0a")

    static func hex(_ text: String) -> Data {
        let digits = Array(text.utf8)
        return Data(
            stride(from: 0, to: digits.count, by: 2).map {
                UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16)!
            })
    }

    /// The two sheets in a folder of their own.
    static func sheets() throws -> (compounds: String, workers: String, folder: URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "gridsync-sheets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let compounds = folder.appendingPathComponent("小区.csv")
        let workers = folder.appendingPathComponent("网格员.csv")
        try Data(([0xEF, 0xBB, 0xBF] as [UInt8]) + Array(Self.compounds.utf8)).write(to: compounds)
        try workersGBK.write(to: workers)
        return (compounds.path, workers.path, folder)
    }

    static func keys(_ laptop: FieldLaptop, _ kind: String) throws -> [String] {
        let list = try #require(try laptop.gridsync.json("street", "list", kind, "--json") as? [[String: Any]])
        return list.compactMap { ($0["values"] as? [String: Any])?["key"] as? String }.sorted()
    }

    @Test func theOfficeImportsItsSheetsAndTheGridsLaptopsUseThem() throws {
        let daemon = try DaemonProcess()
        defer { daemon.cleanUp() }
        let (compounds, workers, folder) = try Self.sheets()
        defer { try? FileManager.default.removeItem(at: folder) }
        let office = try FieldLaptop(daemon: daemon, worker: "o001", scope: "c01", role: "office")
        defer { office.cleanUp() }
        let worker = try FieldLaptop(daemon: daemon, worker: "w001", scope: "c01/g01")
        defer { worker.cleanUp() }

        // A grid worker's laptop may not keep the street's lists: refused, nothing written.
        let refused = try worker.gridsync.run([
            "street", "import", "--compounds", compounds, "--workers", workers, "--json",
        ])
        #expect(refused.status != 0)
        #expect(refused.error.contains("\"code\":\"out-of-scope\""), "\(refused.error)")
        #expect(try worker.unsent() == 0)

        // A sheet in neither UTF-8 nor GBK (here, bytes no text encoding of the office's makes) is refused as such.
        let garbled = folder.appendingPathComponent("garbled.csv")
        try Data([0xFF, 0xFF, 0x2C, 0x0A]).write(to: garbled)
        let unreadable = try office.gridsync.run(
            ["street", "import", "--compounds", garbled.path, "--workers", workers, "--json"])
        #expect(unreadable.status != 0 && unreadable.error.contains("\"code\":\"encoding\""), "\(unreadable.error)")
        #expect(unreadable.error.contains("CSV UTF-8"), "\(unreadable.error)")
        #expect(try office.unsent() == 0)

        let imported = try #require(
            try office.gridsync.json("street", "import", "--compounds", compounds, "--workers", workers, "--json")
                as? [String: Any])
        #expect(imported["encodings"] as? [String] == ["UTF-8", "GB18030"])
        let counts = (imported["counts"] as? [[String: Any]]) ?? []
        #expect(counts.map { $0["created"] as? Int } == [1, 2, 3, 3], "\(counts)")
        try office.sync()

        // The grid's laptop receives its grid's compounds, and its community and workers; not g02's compound.
        try worker.sync()
        #expect(try Self.keys(worker, "compounds") == ["k001", "k002"])
        #expect(try Self.keys(worker, "grids") == ["g01"])
        #expect(try Self.keys(worker, "communities") == ["c01"])
        #expect(try Self.keys(worker, "workers") == ["w001", "w002", "w003"])
        let table = try worker.gridsync.succeed("street", "list", "workers")
        #expect(table.contains("张秀英"), "the GBK sheet's names were not read as written:\n\(table)")

        // A compound by name; an unknown one refused with the nearest names, and nothing written.
        let demand = try #require(
            try worker.gridsync.json(
                "demand", "add", "--title", "楼道堆物清理", "--category", "消防安全", "--compound", "纺织厂宿舍", "--json")
                as? [String: Any])
        #expect((demand["values"] as? [String: Any])?["compound"] as? String == "k001")
        // Lists filter by a compound's name too.
        let filtered = try #require(
            try worker.gridsync.json("demand", "list", "--compound", "纺织厂宿舍", "--json") as? [[String: Any]])
        #expect(filtered.count == 1)
        let none = try #require(
            try worker.gridsync.json("demand", "list", "--compound", "k002", "--json") as? [[String: Any]])
        #expect(none.isEmpty)

        // Tables and the office's spreadsheet name the grid and the compound beside their keys.
        let list = try worker.gridsync.succeed("demand", "list")
        #expect(list.contains("东门一网格（g01）"), "\(list)")
        let csv = try worker.gridsync.succeed("export", "--format", "csv", "--type", "demand")
        #expect(csv.contains("纺织厂宿舍（k001）") && csv.contains("东门一网格（g01）"), "\(csv)")
        let unsent = try worker.unsent()
        let unknown = try worker.gridsync.run(
            ["demand", "add", "--title", "路灯不亮", "--category", "便民服务", "--compound", "纺织厂", "--json"])
        #expect(unknown.status != 0)
        #expect(unknown.error.contains("\"code\":\"unknown-choice\""), "\(unknown.error)")
        #expect(unknown.error.contains("the nearest: 纺织厂宿舍 (k001)"), "\(unknown.error)")
        #expect(try worker.unsent() == unsent)
        // The office, which holds every grid's compounds, is refused a compound of another grid than the record's.
        let officeUnsent = try office.unsent()
        let elsewhere = try office.gridsync.run(
            [
                "demand", "add", "--title", "路灯不亮", "--category", "便民服务", "--grid", "c01/g01", "--compound", "粮食局小区",
                "--json",
            ])
        #expect(elsewhere.status != 0 && elsewhere.error.contains("\"code\":\"out-of-range\""), "\(elsewhere.error)")
        #expect(
            elsewhere.error.contains("lies in grid g02") && elsewhere.error.contains("纺织厂宿舍 (k001)"),
            "\(elsewhere.error)")
        #expect(try office.unsent() == officeUnsent)

        // One entry added and one changed by the office, without a sheet, reach the grid's laptop.
        _ = try office.gridsync.succeed(
            "street", "add", "compound", "--key", "k004", "--grid", "东门一网格", "--name", "新建小区",
            "--property-management", "有")
        _ = try office.gridsync.succeed("street", "change", "compound", "纺织厂宿舍", "--name", "纺织厂宿舍（东院）")
        let moved = try office.gridsync.run(["street", "change", "compound", "k001", "--grid", "g02", "--json"])
        #expect(moved.status == 1 && moved.error.contains("stays where it was made"), "\(moved.error)")
        let byWorker = try worker.gridsync.run(
            [
                "street", "add", "compound", "--key", "k005", "--grid", "g01", "--name", "x", "--property-management",
                "无",
                "--json",
            ])
        #expect(byWorker.status == 1 && byWorker.error.contains("\"code\":\"out-of-scope\""), "\(byWorker.error)")
        try office.sync()
        try worker.sync()
        #expect(try Self.keys(worker, "compounds") == ["k001", "k002", "k004"])
        let listed = try worker.gridsync.succeed("street", "list", "compounds")
        #expect(listed.contains("纺织厂宿舍（东院）") && listed.contains("新建小区"), "\(listed)")

        // The office's tools on the daemon's folder name the workers too.
        let devices = try InspectTests.inspect(daemon, "devices")
        #expect(devices.output.contains("王芳（w001）"), "\(devices.output)")

        // The same sheets again change only what the office changed since: the name, back to the sheet's.
        let again = try #require(
            try office.gridsync.json("street", "import", "--compounds", compounds, "--workers", workers, "--json")
                as? [String: Any])
        let againCounts = (again["counts"] as? [[String: Any]]) ?? []
        #expect(againCounts.map { $0["created"] as? Int } == [0, 0, 0, 0], "\(againCounts)")
        #expect(againCounts.map { $0["changed"] as? Int } == [0, 0, 1, 0], "\(againCounts)")
        #expect((again["unlisted"] as? [[String: Any]])?.map { $0["key"] as? String } == ["k004"])
    }

    /// Two office laptops import their own copies of the sheets, offline, one with a compound renamed: the street has
    /// each entry once (its id comes from its key), and the two names are a conflict the office settles.
    @Test func twoOfficesImportingTheSameSheetsMakeOneEntryEach() throws {
        let daemon = try DaemonProcess()
        defer { daemon.cleanUp() }
        let (compounds, workers, folder) = try Self.sheets()
        defer { try? FileManager.default.removeItem(at: folder) }
        let renamed = folder.appendingPathComponent("小区-二.csv")
        try Data(Self.compounds.replacingOccurrences(of: "纺织厂宿舍", with: "纺织厂宿舍大院").utf8).write(to: renamed)
        let first = try FieldLaptop(daemon: daemon, worker: "o001", scope: "c01", role: "office")
        defer { first.cleanUp() }
        let second = try FieldLaptop(daemon: daemon, worker: "o002", scope: "c01", role: "office")
        defer { second.cleanUp() }
        _ = try first.gridsync.succeed("street", "import", "--compounds", compounds, "--workers", workers)
        _ = try second.gridsync.succeed("street", "import", "--compounds", renamed.path, "--workers", workers)
        try first.sync()
        try second.sync()
        try first.sync()

        for office in [first, second] {
            #expect(try Self.keys(office, "compounds") == ["k001", "k002", "k003"])
            #expect(try Self.keys(office, "workers") == ["w001", "w002", "w003"])
        }
        let conflicts = try #require(
            try InspectTests.json(InspectTests.inspect(daemon, "conflicts", "--json")) as? [[String: Any]])
        #expect(conflicts.count == 1, "\(conflicts)")
        #expect(conflicts.first?["field"] as? String == "name", "\(conflicts)")
        #expect(try first.export() == second.export())
    }

    @Test func aLaptopStillOnGridsync2IsSentNoReferenceData() throws {
        let daemon = try DaemonProcess(plain: true)
        defer { daemon.cleanUp() }
        let (compounds, workers, folder) = try Self.sheets()
        defer { try? FileManager.default.removeItem(at: folder) }
        let office = try FieldLaptop(daemon: daemon, worker: "o001", scope: "c01", role: "office")
        defer { office.cleanUp() }
        _ = try office.gridsync.succeed("street", "import", "--compounds", compounds, "--workers", workers)
        _ = try office.addDemand("楼道堆物清理")
        try office.sync()

        let token = try daemon.addWorker("w009", scopes: ["c01"], role: "office")
        let peer = try RawPeer(port: daemon.port)
        peer.send("HELLO gridsync/2 00000000000000c9 \(token)\nPULL 0 1000\n")
        let received = peer.readLines(2)
        let header = received.count >= 2 ? received[1] : ""
        let words = header.split(separator: " ")
        try #require(words.first == "BATCH", "\(peer.receivedLines)")
        let count = try #require(Int(words[1]))
        let lines = peer.readLines(2 + count)
        #expect(lines.first?.hasPrefix("WELCOME gridsync/2 ") == true, "\(lines)")
        let ops = lines.dropFirst(2)
        #expect(ops.contains { $0.contains(" demand ") }, "\(lines)")
        #expect(!ops.contains { $0.contains(" compound ") || $0.contains(" worker ") || $0.contains(" community ") })
        // The batch still runs to the end of the log: the ops left out do not wait for it.
        #expect(words[3] == "0", "\(header)")
    }
}

/// A laptop upgraded before the office's daemon: told why it cannot sync, and what to do.
@Suite struct OlderDaemonTests {
    @Test func aLaptopAheadOfItsDaemonIsToldTheOfficeMustUpgrade() throws {
        // A gridsync/2 daemon's whole answer to a gridsync/3 HELLO, served by a stand-in.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        try withUnsafeMutablePointer(to: &address) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                try #require(bind(listener, $0, length) == 0 && listen(listener, 1) == 0)
                try #require(getsockname(listener, $0, &length) == 0)
            }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        let server = Thread {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            var byte: UInt8 = 0
            while read(connection, &byte, 1) == 1, byte != UInt8(ascii: "\n") {}
            let answer = Array("ERR version this server speaks gridsync/2, not gridsync/3: upgrade the client\n".utf8)
            _ = answer.withUnsafeBytes { write(connection, $0.baseAddress, $0.count) }
            close(connection)
        }
        server.start()

        let laptop = GridsyncBinary(clockOffset: nil)
        defer { laptop.cleanUp() }
        _ = try laptop.succeed("init", "--worker", "w001", "--grid", "c01/g01")
        let result = try laptop.run(
            ["sync", "--server", "127.0.0.1:\(port)", "--plain", "--token-file", "-"], input: "gst_token\n")
        #expect(result.status != 0)
        #expect(result.error.contains("the office's gridsyncd is older and must be upgraded first"), "\(result.error)")
        #expect(result.error.contains("Your records are safe on this laptop"), "\(result.error)")
    }
}
