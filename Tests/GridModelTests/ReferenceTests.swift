import Foundation
import GridModel
import Testing

/// ReferenceID: the key rule for communities, grids, compounds and workers.
@Suite("ReferenceID")
struct ReferenceIDTests {
    @Test(arguments: [
        "c03-g2", "c01", "g64", "k107", "w001", "office-1", "wang-fang", "a", "0", "a-", "a--b",
        String(repeating: "x", count: 32),
    ])
    func accepted(_ text: String) throws {
        let id = try #require(GridID(text))
        #expect(id.rawValue == text)
        #expect(id.description == text)
        #expect(GridID.isValid(text))
    }

    @Test(arguments: [
        "", String(repeating: "x", count: 33), "C01", "c01A", "-c01", "-", "c 01", "c_01", "c01/g02",
        "c.01", "东门", "café", "c01\n", " c01",
    ])
    func refused(_ text: String) {
        #expect(CommunityID(text) == nil)
        #expect(!CommunityID.isValid(text))
        #expect(WorkerID(text) == nil)
    }

    /// The length limit counts bytes, so non-ASCII can never sneak in under it.
    @Test func maximumLength() {
        #expect(CompoundID.maximumLength == 32)
        #expect(CompoundID.rule.contains("32"))
    }

    @Test func ordering() throws {
        let ids = ["c10", "c02", "c01"].compactMap(CommunityID.init)
        #expect(ids.sorted().map(\.rawValue) == ["c01", "c02", "c10"])
    }

    /// Keys encode as their text; a bad key fails to decode.
    @Test func codable() throws {
        let ids = [WorkerID("w001")!, WorkerID("office-1")!]
        #expect(String(decoding: try JSONEncoder().encode(ids), as: UTF8.self) == #"["w001","office-1"]"#)
        #expect(try jsonRoundTrip(ids) == ids)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([WorkerID].self, from: Data(#"["W001"]"#.utf8)) }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([WorkerID].self, from: Data(#"[""]"#.utf8)) }
    }
}

/// GridScope: text form, parsing, containment and coding.
@Suite("GridScope")
struct GridScopeTests {
    let c01 = CommunityID("c01")!
    let c02 = CommunityID("c02")!
    let g02 = GridID("g02")!
    let g03 = GridID("g03")!

    @Test(arguments: ["c01", "c01/g02", "c03/c03-g2"]) func textRoundTrip(_ text: String) throws {
        let scope = try #require(GridScope(text))
        #expect(scope.description == text)
        #expect(GridScope(scope.description) == scope)
    }

    @Test func parts() throws {
        let community = try #require(GridScope("c01"))
        #expect(community.community == c01)
        #expect(community.grid == nil)
        #expect(community == GridScope(community: c01))

        let grid = try #require(GridScope("c01/g02"))
        #expect(grid.community == c01)
        #expect(grid.grid == g02)
        #expect(grid == GridScope(community: c01, grid: g02))
    }

    @Test(arguments: ["", "c01/", "/g02", "c01/g02/x", "C01", "c01/G02", "c01//g02", "/", "c01 /g02", "社区"])
    func refused(_ text: String) {
        #expect(GridScope(text) == nil)
    }

    /// A community contains itself and its grids; a grid contains only itself.
    @Test func contains() {
        let community = GridScope(community: c01)
        let grid = GridScope(community: c01, grid: g02)
        let sibling = GridScope(community: c01, grid: g03)
        let otherCommunity = GridScope(community: c02)
        let otherCommunitysGrid = GridScope(community: c02, grid: g02)

        #expect(community.contains(community))
        #expect(community.contains(grid))
        #expect(community.contains(sibling))
        #expect(grid.contains(grid))
        #expect(!grid.contains(community))
        #expect(!grid.contains(sibling))
        #expect(!community.contains(otherCommunity))
        #expect(!community.contains(otherCommunitysGrid))
        #expect(!grid.contains(otherCommunitysGrid))
        #expect(!otherCommunity.contains(grid))
    }

    @Test func ordering() {
        let scopes = ["c02", "c01/g02", "c01", "c01/g01"].compactMap(GridScope.init)
        #expect(scopes.sorted().map(\.description) == ["c01", "c01/g01", "c01/g02", "c02"])
    }

    /// Scopes encode as their text form and decode back; bad text fails to decode.
    @Test func codable() throws {
        let scopes = [GridScope(community: c01), GridScope(community: c01, grid: g02)]
        let data = try JSONEncoder().encode(scopes)
        #expect(
            String(decoding: data, as: UTF8.self) == #"["c01","c01\/g02"]"#
                || String(decoding: data, as: UTF8.self) == #"["c01","c01/g02"]"#)
        #expect(try JSONDecoder().decode([GridScope].self, from: data) == scopes)
        for bad in [#"["c01/"]"#, #"["C01"]"#, #"[""]"#, #"["c01/g02/x"]"#, "[1]"] {
            #expect(throws: DecodingError.self, "\(bad)") {
                try JSONDecoder().decode([GridScope].self, from: Data(bad.utf8))
            }
        }
    }

    /// A grid's scope is its community and itself.
    @Test func gridScope() {
        let grid = Grid(id: g02, community: c01, name: "东门第2网格")
        #expect(grid.scope == GridScope(community: c01, grid: g02))
        #expect(grid.scope.description == "c01/g02")
    }
}
