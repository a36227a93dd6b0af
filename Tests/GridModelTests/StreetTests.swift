import Foundation
import GridModel
import GridTesting
import Testing

/// The street of the field study (StreetFixture.xStreet) and the checks Street makes.
@Suite("Street")
struct StreetTests {
    let street = StreetFixture.xStreet

    /// The numbers of the field study: 12 communities, 64 grids, 107 compounds (82 with no
    /// property company) and 148 grid workers, plus office accounts.
    @Test func fieldStudyNumbers() {
        #expect(street.name == "X街道")
        #expect(street.communities.count == 12)
        #expect(street.grids.count == 64)
        #expect(street.compounds.count == 107)
        #expect(street.compounds.filter { !$0.hasPropertyManagement }.count == 82)
        #expect(street.workers.filter { $0.role == .worker }.count == 148)
        let office = street.workers.filter { $0.role == .office }
        #expect(!office.isEmpty)
        #expect(office.allSatisfy { $0.grids.isEmpty })
        #expect(office.map(\.id.rawValue) == ["office-1", "office-2"])
    }

    /// Every reference resolves: grids to communities, compounds and workers to grids.
    @Test func referencesResolve() {
        for grid in street.grids {
            #expect(street.community(grid.community) != nil, "grid \(grid.id)")
        }
        for compound in street.compounds {
            #expect(street.grid(compound.grid) != nil, "compound \(compound.id)")
        }
        for worker in street.workers where worker.role == .worker {
            #expect(!worker.grids.isEmpty, "worker \(worker.id)")
            for grid in worker.grids {
                #expect(street.grid(grid) != nil, "worker \(worker.id)")
            }
        }
        #expect(street.compounds(in: GridID("g01")!).count == 2)
        #expect(street.compounds(in: GridID("g64")!).count == 1)
        #expect(street.grids.reduce(0) { $0 + street.compounds(in: $1.id).count } == 107)
    }

    /// Keys are unique, follow the documented patterns and names are Chinese.
    @Test func keysAndNames() {
        #expect(Set(street.communities.map(\.id)).count == 12)
        #expect(Set(street.grids.map(\.id)).count == 64)
        #expect(Set(street.compounds.map(\.id)).count == 107)
        #expect(Set(street.workers.map(\.id)).count == street.workers.count)
        #expect(street.communities.first?.id.rawValue == "c01")
        #expect(street.communities.last?.id.rawValue == "c12")
        #expect(street.grids.last?.id.rawValue == "g64")
        #expect(street.compounds.last?.id.rawValue == "k107")
        #expect(street.workers.contains { $0.id.rawValue == "w148" })
        #expect(street.communities.allSatisfy { containsChinese($0.name) })
        #expect(street.compounds.allSatisfy { containsChinese($0.name) })
        #expect(street.workers.allSatisfy { containsChinese($0.name) })
    }

    /// Every community has grids, and every grid a compound and a worker.
    @Test func everyPlaceIsCovered() {
        for community in street.communities {
            #expect(street.grids.contains { $0.community == community.id }, "community \(community.id)")
        }
        for grid in street.grids {
            #expect(!street.compounds(in: grid.id).isEmpty, "grid \(grid.id)")
            #expect(street.workers.contains { $0.grids.contains(grid.id) }, "grid \(grid.id)")
        }
    }

    /// Lookups find what exists and nothing else.
    @Test func lookups() {
        #expect(street.community(CommunityID("c01")!)?.name == "东门社区")
        #expect(street.community(CommunityID("c13")!) == nil)
        #expect(street.grid(GridID("g02")!)?.community == CommunityID("c01"))
        #expect(street.grid(GridID("g65")!) == nil)
        #expect(street.compound(CompoundID("k001")!)?.hasPropertyManagement == false)
        #expect(street.compound(CompoundID("k107")!)?.hasPropertyManagement == true)
        #expect(street.worker(WorkerID("office-1")!)?.role == .office)
        #expect(street.worker(WorkerID("w999")!) == nil)
    }

    /// `check` accepts the scope of a real grid or community, and refuses a grid of another
    /// community or an unknown community.
    @Test func checkScope() throws {
        #expect(throws: Never.self) { try street.check(GridScope("c01/g02")!) }
        #expect(throws: Never.self) { try street.check(GridScope("c01")!) }
        for grid in street.grids {
            #expect(throws: Never.self) { try street.check(grid.scope) }
        }

        // g07 is the first grid of c02.
        #expect(street.grid(GridID("g07")!)?.community == CommunityID("c02"))
        let foreign = try #require(refusal { try street.check(GridScope("c01/g07")!) })
        #expect(foreign.code == .badFormat)
        #expect(foreign.field == "scope")
        #expect(foreign.value == "c01/g07")
        #expect(foreign.allowed.contains("g01"))
        #expect(!foreign.allowed.contains("g07"))

        let unknown = try #require(refusal { try street.check(GridScope("c99")!) })
        #expect(unknown.code == .badFormat)
        #expect(unknown.value == "c99")
        #expect(unknown.allowed.contains("c12"))
        #expect(refusal { try street.check(GridScope("c99/g01")!) }?.code == .badFormat)
        #expect(refusal { try street.check(GridScope("c01/g99")!) }?.code == .badFormat)
    }

    /// The fixture survives JSON.
    @Test func codable() throws {
        #expect(try jsonRoundTrip(street) == street)
    }
}

/// Street's own checks when it is built from parts.
@Suite("Street init")
struct StreetInitTests {
    let c01 = Community(id: CommunityID("c01")!, name: "东门社区")
    let g01 = Grid(id: GridID("g01")!, community: CommunityID("c01")!, name: "东门第1网格")
    let k001 = Compound(id: CompoundID("k001")!, grid: GridID("g01")!, name: "纺织厂宿舍1号院", hasPropertyManagement: false)
    let w001 = Worker(id: WorkerID("w001")!, name: "王芳", role: .worker, grids: [GridID("g01")!])

    @Test func consistentStreet() throws {
        let street = try Street(name: "Y街道", communities: [c01], grids: [g01], compounds: [k001], workers: [w001])
        #expect(street.grids == [g01])
    }

    @Test func duplicateKeys() throws {
        let twice = try #require(
            refusal {
                _ = try Street(
                    name: "Y", communities: [c01, Community(id: CommunityID("c01")!, name: "另一个")], grids: [],
                    compounds: [], workers: [])
            })
        #expect(twice.code == .badFormat)
        #expect(twice.field == "community")
        #expect(twice.value == "c01")

        #expect(
            refusal {
                _ = try Street(name: "Y", communities: [c01], grids: [g01, g01], compounds: [], workers: [])
            }?.field == "grid")
        #expect(
            refusal {
                _ = try Street(name: "Y", communities: [c01], grids: [g01], compounds: [k001, k001], workers: [])
            }?.field == "compound")
        #expect(
            refusal {
                _ = try Street(name: "Y", communities: [c01], grids: [g01], compounds: [k001], workers: [w001, w001])
            }?.field == "worker")
    }

    @Test func gridInUnknownCommunity() throws {
        let stray = Grid(id: GridID("g02")!, community: CommunityID("c09")!, name: "无主网格")
        let error = try #require(
            refusal {
                _ = try Street(name: "Y", communities: [c01], grids: [g01, stray], compounds: [], workers: [])
            })
        #expect(error.code == .badFormat)
        #expect(error.field.contains("g02"))
        #expect(error.value == "c09")
    }

    @Test func compoundInUnknownGrid() throws {
        let stray = Compound(id: CompoundID("k002")!, grid: GridID("g99")!, name: "无主小区", hasPropertyManagement: true)
        let error = try #require(
            refusal {
                _ = try Street(name: "Y", communities: [c01], grids: [g01], compounds: [stray], workers: [])
            })
        #expect(error.code == .badFormat)
        #expect(error.value == "g99")
    }

    @Test func workerInUnknownGrid() throws {
        let stray = Worker(id: WorkerID("w002")!, name: "李伟", role: .worker, grids: [GridID("g01")!, GridID("g42")!])
        let error = try #require(
            refusal {
                _ = try Street(name: "Y", communities: [c01], grids: [g01], compounds: [], workers: [stray])
            })
        #expect(error.code == .badFormat)
        #expect(error.value == "g42")
    }
}

/// Reference data read from JSON is checked like reference data built in code.
@Suite("Street decoding")
struct StreetDecodingTests {
    @Test func roundTripsThroughJSON() throws {
        let data = try JSONEncoder().encode(StreetFixture.xStreet)
        let decoded = try JSONDecoder().decode(Street.self, from: data)
        #expect(decoded == StreetFixture.xStreet)
        #expect(decoded.community(CommunityID("c01")!)?.name == "东门社区")
    }

    @Test func refusesAGridOfAnUnknownCommunity() throws {
        let json = """
            {"name": "X街道", "communities": [{"id": "c01", "name": "东门社区"}],
             "grids": [{"id": "g01", "community": "c99", "name": "东门第1网格"}], "compounds": [], "workers": []}
            """
        #expect(throws: ValidationError.self) { try JSONDecoder().decode(Street.self, from: Data(json.utf8)) }
    }
}
