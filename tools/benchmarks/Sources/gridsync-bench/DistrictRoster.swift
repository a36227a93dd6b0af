import GridModel
import GridTesting

/// The laptops of a district made of copies of the example street: every grid worker's, and one
/// office laptop per street. With more than one street, each copy's workers and communities take
/// the street's prefix (`s01-w001`, `s01-c01/g01`); one street keeps the example's names.
struct DistrictRoster {
    /// One laptop's worker and scopes.
    struct Member: Sendable {
        let worker: WorkerID
        let scopes: [GridScope]
        let isOffice: Bool
    }

    let members: [Member]

    init(streets: Int, street: Street = StreetFixture.xStreet) {
        var members: [Member] = []
        for index in 0..<streets {
            let prefix = streets == 1 ? "" : String(format: "s%02d-", index + 1)
            func scope(_ grid: GridID) -> GridScope {
                let community = street.grids.first { $0.id == grid }!.community
                return GridScope(community: CommunityID(prefix + community.rawValue)!, grid: grid)
            }
            for worker in street.workers where worker.role == .worker {
                members.append(
                    Member(worker: WorkerID(prefix + worker.id.rawValue)!, scopes: worker.grids.map(scope), isOffice: false))
            }
            members.append(
                Member(
                    worker: WorkerID(prefix + "office-1")!,
                    scopes: street.communities.map { GridScope(community: CommunityID(prefix + $0.id.rawValue)!) },
                    isOffice: true))
        }
        self.members = members
    }
}
