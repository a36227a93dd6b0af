import GridModel

/// The street of the field study, as reference data: 12 communities, 64 micro-grids,
/// 107 compounds (82 with no property company) and 148 grid workers, plus two office accounts.
/// `examples/street/` holds it as the office's two sheets (`StreetSheets`); the names and
/// addresses are made up.
///
/// Keys are `c01`…`c12`, `g01`…`g64`, `k001`…`k107`, `w001`…`w148`, `office-1` and `office-2`;
/// names are Chinese, as the people who use GridSync write them.
public enum StreetFixture {
    /// The communities' names.
    static let communityNames = ["东门", "西街", "南湖", "北关", "文昌", "钟楼", "鼓楼", "府前", "书院", "仓前", "河坊", "清波"]
    /// Typical old work-unit and welfare housing.
    static let compoundNames = [
        "纺织厂宿舍", "机械厂家属院", "粮食局小区", "供销社宿舍", "教师新村", "电力局宿舍", "铁路新村", "棉麻公司宿舍", "卫生局家属楼",
        "印刷厂宿舍",
    ]
    static let surnames = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭"]
    static let givenNames = ["芳", "伟", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明"]

    /// The street of the field study.
    public static let xStreet: Street = makeStreet()

    private static func makeStreet() -> Street {
        let communities = communityNames.enumerated().map { index, name in
            Community(id: CommunityID(key("c", index + 1, width: 2))!, name: "\(name)社区")
        }
        // 64 grids: the first four communities have 6, the other eight have 5.
        var grids: [Grid] = []
        for (index, community) in communities.enumerated() {
            for number in 1...(index < 4 ? 6 : 5) {
                let id = GridID(key("g", grids.count + 1, width: 2))!
                grids.append(Grid(id: id, community: community.id, name: "\(communityNames[index])第\(number)网格"))
            }
        }
        // 107 compounds: the first 43 grids have 2, the other 21 have 1; 82 have no property company.
        var compounds: [Compound] = []
        for (index, grid) in grids.enumerated() {
            for _ in 0..<(index < 43 ? 2 : 1) {
                let number = compounds.count + 1
                let name = compoundNames[compounds.count % compoundNames.count] + "\(number)号院"
                let community = communityNames[communities.firstIndex { $0.id == grid.community }!]
                compounds.append(
                    Compound(
                        id: CompoundID(key("k", number, width: 3))!, grid: grid.id, name: name,
                        hasPropertyManagement: number > 82, address: "\(community)路\(number * 3)号",
                        buildings: (1...(2 + number % 6)).map { "\($0)号楼" }))
            }
        }
        // 148 grid workers: two per grid, and a third in the first 20 grids.
        var workers: [Worker] = []
        for (index, grid) in grids.enumerated() {
            for _ in 0..<(index < 20 ? 3 : 2) {
                let number = workers.count
                let name = surnames[number % surnames.count] + givenNames[(number / surnames.count) % givenNames.count]
                workers.append(
                    Worker(
                        id: WorkerID(key("w", number + 1, width: 3))!, name: name, role: .worker,
                        grids: [grid.id]))
            }
        }
        workers.append(Worker(id: WorkerID("office-1")!, name: "街道办公室", role: .office, grids: []))
        workers.append(Worker(id: WorkerID("office-2")!, name: "社区办公室", role: .office, grids: []))
        do {
            return try Street(
                name: "X街道", communities: communities, grids: grids, compounds: compounds, workers: workers)
        } catch {
            fatalError("the street fixture is inconsistent: \(error)")
        }
    }

    private static func key(_ prefix: String, _ number: Int, width: Int) -> String {
        let digits = String(number)
        return prefix + String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
