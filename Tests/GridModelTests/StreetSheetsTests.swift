import Foundation
import GridModel
import GridTesting
import Testing

/// The street's reference data read from the office's two sheets, as Excel and WPS save them.
@Suite struct StreetSheetsTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples/street")

    static let header = "社区编号,社区,网格编号,网格,小区编号,小区,地址,物业,楼栋\r\n"
    static let workersHeader = "网格员编号,姓名,网格编号\r\n"

    @Test func theSheetsReadBackAsTheStreetTheyWereWrittenFrom() throws {
        let street = StreetFixture.xStreet
        let read = try StreetSheets.read(
            name: street.name, compounds: StreetSheets.compoundsCSV(street), workers: StreetSheets.workersCSV(street))
        #expect(read == street)
        #expect((read.communities.count, read.grids.count, read.compounds.count) == (12, 64, 107))
        #expect(read.workers.filter { $0.role == .worker }.count == 148)
        #expect(read.compounds.filter { !$0.hasPropertyManagement }.count == 82)
    }

    /// The example street shipped in `examples/street/` is the fixture's, as the office's sheets
    /// (`GRIDSYNC_WRITE_EXAMPLES=1` writes them again after the fixture changed).
    @Test func theExampleFilesAreTheFixturesStreet() throws {
        if ProcessInfo.processInfo.environment["GRIDSYNC_WRITE_EXAMPLES"] == "1" {
            try Data(StreetSheets.compoundsCSV(StreetFixture.xStreet).utf8)
                .write(to: Self.examples.appendingPathComponent("compounds.csv"))
            try Data(StreetSheets.workersCSV(StreetFixture.xStreet).utf8)
                .write(to: Self.examples.appendingPathComponent("workers.csv"))
        }
        // Compared as bytes: Foundation's String(contentsOf:) would drop the byte-order mark.
        let compounds = try Data(contentsOf: Self.examples.appendingPathComponent("compounds.csv"))
        let workers = try Data(contentsOf: Self.examples.appendingPathComponent("workers.csv"))
        #expect(compounds == Data(StreetSheets.compoundsCSV(StreetFixture.xStreet).utf8))
        #expect(workers == Data(StreetSheets.workersCSV(StreetFixture.xStreet).utf8))
        let read = try StreetSheets.read(
            name: "X街道", compounds: String(decoding: compounds, as: UTF8.self),
            workers: String(decoding: workers, as: UTF8.self))
        #expect(read == StreetFixture.xStreet)
    }

    @Test func anyColumnOrderEnglishHeadersQuotesAndLineEndsRead() throws {
        let compounds = """
            \u{FEFF}property-management,compound,compound-key,grid,grid-key,community,community-key,buildings
            无,"纺织厂宿舍, 东院",k001,东门第1网格,g01,东门社区,c01,"1号楼、""北""楼"
            有,机械厂家属院,k002,东门第1网格,g01,东门社区,c01,

            """.replacingOccurrences(of: "\n", with: "\r\n")
        let street = try StreetSheets.read(name: "X街道", compounds: compounds, workers: "worker-key,name,grids\nw001,王芳,g01\n")
        #expect(street.compounds.map(\.name) == ["纺织厂宿舍, 东院", "机械厂家属院"])
        #expect(street.compounds[0].buildings == ["1号楼", "\"北\"楼"] && street.compounds[1].buildings.isEmpty)
        #expect(street.compounds.map(\.hasPropertyManagement) == [false, true])
        #expect(street.compounds[0].address == nil)
        #expect(street.workers.first?.grids.map(\.rawValue) == ["g01"])
    }

    @Test(arguments: [
        ("社区编号,社区,网格编号,网格,小区编号,小区\r\nc01,东门社区,g01,一网格,k001,宿舍\r\n", "compounds.csv header", "物业"),
        (header + "c01,东门社区,g01,一网格,k001,宿舍,,不知道,\r\n", "line 2, 物业", "有 or 无"),
        (header + "C 01,东门社区,g01,一网格,k001,宿舍,,无,\r\n", "line 2, 社区编号", "a key"),
        (header + "c01,东门社区,g01,一网格,k001,宿舍,,无,\r\nc01,西街社区,g02,二网格,k002,院,,无,\r\n", "line 3, 社区", "东门社区"),
        (header + "c01,东门社区,g01,一网格,k001,宿舍,,无,\r\nc02,西街社区,g01,一网格,k002,院,,无,\r\n", "line 3, 网格", "in c01"),
        (header + "c01,东门社区,g01,一网格,k001,宿舍,,无,\r\nc01,东门社区,g01,一网格,k001,院,,无,\r\n", "line 3, 小区编号", "no earlier line"),
        (header + "c01,东门社区,g01,一网格,k001,\"宿舍,,无,\r\n", "line 2", "closing quote"),
        (header + "c01,东门社区,g01,一网格,k001,,,无,\r\n", "line 2, 小区", "a name"),
    ])
    func badCompoundSheetsAreRefusedWithWhereAndWhat(_ sheet: String, _ where: String, _ allowed: String) {
        do {
            _ = try StreetSheets.read(name: "X街道", compounds: sheet, workers: Self.workersHeader)
            Issue.record("accepted: \(sheet)")
        } catch {
            let message = error.message
            #expect(message.contains(`where`), "\(message)")
            #expect(message.contains(allowed), "\(message)")
        }
    }

    @Test func aWorkerInAGridTheStreetDoesNotHaveIsRefused() {
        let compounds = Self.header + "c01,东门社区,g01,一网格,k001,宿舍,,无,\r\n"
        #expect {
            _ = try StreetSheets.read(name: "X街道", compounds: compounds, workers: Self.workersHeader + "w001,王芳,g09\r\n")
        } throws: { error in
            (error as? ValidationError)?.message.contains("workers.csv line 2, 网格编号") == true
        }
    }
}
