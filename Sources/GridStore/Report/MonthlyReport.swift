import Foundation
import GridModel

/// The figures of the monthly report of "two meetings, one report" (两会一报) for one month of
/// a street, or of one of its communities: demands raised, accepted, resolved and still open
/// (by category and by grid, with the median days to resolve and the oldest open ones),
/// visits per worker against the month's target, projects by stage with the month's progress
/// entries and the projects that filed none, funding by source for the month and the year
/// against the street's commitment, and satisfaction per project surveyed.
///
/// Every figure comes from SQL over the replica's tables and op log
/// (``SQLiteReplicaStore/monthlyReport(_:)``); nothing is stored for it.
public struct MonthlyReport: Encodable, Sendable {
    /// What a report covers.
    public struct Request: Hashable, Sendable {
        /// The month, `YYYY-MM`.
        public var month: String
        /// The communities the report covers (one, or those an office sees), or none for the
        /// whole street.
        public var communities: [CommunityID]
        /// The visits each worker should make in the month.
        public var visitTarget: Int
        /// The yuan the street commits to projects each year.
        public var yearlyCommitment: Int64
        /// The office's time zone, which decides where months begin and end.
        public var timeZone: TimeZone
        /// How many of the oldest open demands to list.
        public var oldestCount: Int

        /// Creates a request for `month` (`YYYY-MM`).
        public init(
            month: String, communities: [CommunityID] = [], visitTarget: Int = 40, yearlyCommitment: Int64 = 500_000,
            timeZone: TimeZone = .current, oldestCount: Int = 10
        ) {
            self.month = month
            self.communities = communities
            self.visitTarget = visitTarget
            self.yearlyCommitment = yearlyCommitment
            self.timeZone = timeZone
            self.oldestCount = oldestCount
        }
    }

    /// Demands counted one way.
    public struct DemandCounts: Encodable, Sendable, Hashable {
        /// The category or grid key.
        public var key: String
        /// Its Chinese label; a grid's name with its key (the key alone when the street's
        /// lists have not reached the replica).
        public var label: String
        public var raised = 0
        public var accepted = 0
        public var resolved = 0
        public var open = 0
    }

    /// A demand still open at the end of the month.
    public struct OpenDemand: Encodable, Sendable, Hashable {
        public var id: String
        public var title: String
        /// The grid's key, and its name with the key.
        public var grid: String
        public var gridLabel: String
        public var raisedOn: String
        /// Days from being raised to the end of the month.
        public var daysOpen: Int
    }

    /// The demands of the month.
    public struct Demands: Encodable, Sendable {
        /// Raised in the month.
        public var raised = 0
        /// Accepted in the month.
        public var accepted = 0
        /// Resolved (or closed) in the month.
        public var resolved = 0
        /// Open at the end of the month.
        public var open = 0
        /// The median days from raised to resolved, of those resolved in the month.
        public var medianDaysToResolve: Double?
        public var byCategory: [DemandCounts] = []
        public var byGrid: [DemandCounts] = []
        /// The oldest still open, oldest first.
        public var oldestOpen: [OpenDemand] = []
    }

    /// One worker's visits.
    public struct WorkerVisits: Encodable, Sendable, Hashable {
        /// The worker's key, and their name with the key.
        public var worker: String
        public var label: String
        public var visits: Int
        /// Whether the month's target was met.
        public var metTarget: Bool
    }

    /// The visits of the month.
    public struct Visits: Encodable, Sendable {
        public var total = 0
        /// The target per worker.
        public var target = 0
        public var byWorker: [WorkerVisits] = []
    }

    /// A project's progress entry of the month.
    public struct ProgressEntry: Encodable, Sendable, Hashable {
        public var project: String
        public var title: String
        public var text: String
        public var percent: Int?
    }

    /// A project named by a figure.
    public struct ProjectRef: Encodable, Sendable, Hashable {
        public var project: String
        public var title: String
        public var stage: String
    }

    /// The projects of the month.
    public struct Projects: Encodable, Sendable {
        /// Live projects by stage key, in the loop's order.
        public var byStage: [StageCount] = []
        /// The progress entries filed for the month.
        public var progress: [ProgressEntry] = []
        /// Projects under way (design, review or implement) that filed no entry for the month.
        public var withoutProgress: [ProjectRef] = []
        /// The photos of the projects that gained one during the month, before and after their work.
        public var photos: [ProjectPhotos] = []
    }

    /// A project's photos (file ids, `sha256:…`), each placed by when it was attached against
    /// the project's stages: before its work began (`implement`), during it, and once it was
    /// done (`evaluate`); in the order attached.
    public struct ProjectPhotos: Encodable, Sendable, Hashable {
        public var project: String
        public var title: String
        public var before: [String] = []
        public var during: [String] = []
        public var after: [String] = []

        public init(project: String, title: String) {
            self.project = project
            self.title = title
        }
    }

    /// Projects at one stage.
    public struct StageCount: Encodable, Sendable, Hashable {
        public var stage: String
        public var label: String
        public var projects: Int
    }

    /// Money by source; in JSON, yuan (a number with up to two decimals).
    public struct Funding: Encodable, Sendable {
        public var government = Money(fen: 0)
        public var society = Money(fen: 0)
        public var residents = Money(fen: 0)
        public var total: Money { government + society + residents }

        enum CodingKeys: String, CodingKey { case government, society, residents, total }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            for (key, money) in [
                (CodingKeys.government, government), (.society, society), (.residents, residents), (.total, total),
            ] {
                try container.encode(Decimal(money.fen) / 100, forKey: key)
            }
        }
    }

    /// Funding of the month and of the year so far.
    public struct FundingFigures: Encodable, Sendable {
        public var month = Funding()
        public var yearToDate = Funding()
        /// The street's yearly commitment, in yuan.
        public var commitment: Int64 = 0
        /// The government's funding of the year so far, as a share of the commitment (0 to 1+).
        public var commitmentShare: Double = 0
    }

    /// A project's satisfaction surveys, all together.
    public struct Satisfaction: Encodable, Sendable, Hashable {
        public var project: String
        public var title: String
        public var stage: String
        public var respondents: Int64
        public var satisfied: Int64
        /// Satisfied over respondents, 0 to 1.
        public var rate: Double
    }

    /// The month, `YYYY-MM`.
    public var month: String
    /// The community's key (several joined by `+`), or `street`.
    public var scope: String
    /// The community's name with its key (several joined by `、`), or `street`.
    public var scopeLabel: String
    /// The time zone months were counted in.
    public var timeZone: String
    public var demands = Demands()
    public var visits = Visits()
    public var projects = Projects()
    public var funding = FundingFigures()
    public var satisfaction: [Satisfaction] = []
}
