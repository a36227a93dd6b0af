import Foundation
import GridAccounts
import GridMerge
import GridModel
import GridStore
import GridWeb
import HTTPTypes
import Hummingbird
import NIOCore

/// The overview: the day's syncs, laptops gone quiet or far behind, open conflicts, the
/// demands open longest and this month's figures with a small chart; the laptops' list.
extension Console {
    struct OverviewContext {
        struct Card {
            let value: String
            let label: String
        }
        struct Row {
            let label: String
            let value: String
        }
        struct Bar {
            let label: String
            let count: Int
            let width: Int
        }
        struct Open {
            let id, title, place, raised, days: String
        }
        struct Silent {
            let worker, replica, lastSync, behind: String
        }
        struct Section<Item> {
            let heading: String
            let rows: [Item]
        }
        struct Table<Item> {
            let heading: String
            let columns: [String]
            let rows: [Item]
        }
        struct Quiet {
            let heading: String
            let columns: [String]
            let none: String
            let rows: [Silent]
        }
        let heading: String
        let cards: [Card]
        let month: Section<Row>
        /// When the month's figures were computed (they are kept a minute).
        let asOf: String
        let categories: Section<Bar>
        let oldest: Table<Open>
        let silent: Quiet
    }

    func overview(_ session: ConsoleSessions.Session, _ words: Words) async throws -> Page {
        let now = Date()
        let month = Self.month(of: now, in: settings.timeZone)
        // One report over the communities the account sees: its figures are the month's.
        let communities = Array(Set(session.scopes.map(\.community))).sorted { $0.rawValue < $1.rawValue }
        let (store, timeZone) = (records.store, settings.timeZone)
        let figures = try await figures.figures(communities.map(\.rawValue).joined(separator: " ") + " " + month) {
            try await store.monthlyReport(
                .init(month: month, communities: communities, timeZone: timeZone, oldestCount: 10))
        }
        let report = figures.figures
        let devices = try await visibleDevices(session)
        let backlog = try await backlogs.figures(communities.map(\.rawValue).joined(separator: " ")) { [self] in
            try await behind(devices)
        }.figures
        let today = CalendarMonth.day(of: now, in: settings.timeZone)
        let syncedToday = devices.filter { laptop in
            laptop.device.lastSyncAt.flatMap { Self.parse($0) }.map {
                CalendarMonth.day(of: $0, in: settings.timeZone) == today
            }
                ?? false
        }
        let silent = devices.filter { laptop in
            guard let last = laptop.device.lastSyncAt.flatMap(Self.parse) else { return true }
            return now.timeIntervalSince(last) > Double(settings.silentDays) * 86_400
        }
        let farBehind = devices.filter { (backlog[$0.device.replica] ?? 0) > settings.farBehind }
        let watched = Set(silent.map(\.device.replica)).union(farBehind.map(\.device.replica))
        let conflicts = try await records.store.conflictedRecords().filter { session.scopes.covers($0.scope) }
            .reduce(0) { $0 + $1.conflictedFields.count }
        let raisedByCategory = report.demands.byCategory.filter { $0.raised > 0 }
        let widest = max(1, raisedByCategory.map(\.raised).max() ?? 1)
        let oldest = report.demands.oldestOpen
        let context = OverviewContext(
            heading: words("概览", "Overview"),
            cards: [
                .init(value: String(syncedToday.count), label: words("今天同步的笔记本", "laptops synced today")),
                .init(
                    value: String(silent.count),
                    label: words("\(settings.silentDays) 天以上未同步", "silent over \(settings.silentDays) days")),
                .init(
                    value: String(farBehind.count),
                    label: words("落后 \(settings.farBehind) 条以上", "over \(settings.farBehind) ops behind")),
                .init(value: String(conflicts), label: words("待决定的冲突", "open conflicts")),
                .init(value: String(report.demands.open), label: words("未结诉求", "demands open")),
            ],
            month: .init(
                heading: words("本月 \(month)", "This month, \(month)"),
                rows: [
                    .init(label: words("提出诉求", "Demands raised"), value: String(report.demands.raised)),
                    .init(label: words("解决诉求", "Demands resolved"), value: String(report.demands.resolved)),
                    .init(label: words("入户走访", "Visits"), value: String(report.visits.total)),
                ]),
            asOf: words("数字截至 \(Labels.shortTime(figures.asOf))", "Figures as of \(Labels.shortTime(figures.asOf))"),
            categories: .init(
                heading: words("本月诉求（按类别）", "Demands raised this month, by category"),
                rows: raisedByCategory.map { counts in
                    let label = Category(rawValue: counts.key).map { words($0.label.chinese, $0.label.english) }
                    return .init(
                        label: label ?? counts.label, count: counts.raised, width: max(1, counts.raised * 20 / widest))
                }),
            oldest: .init(
                heading: words("未结最久的诉求", "Demands open longest"),
                columns: [words("诉求", "Demand"), words("网格", "Grid"), words("提出", "Raised"), words("天数", "Days")],
                rows: oldest.map {
                    .init(
                        id: $0.id, title: $0.title, place: $0.gridLabel, raised: $0.raisedOn,
                        days: Self.days(from: $0.raisedOn, to: today, in: settings.timeZone).map(String.init) ?? "")
                }),
            silent: .init(
                heading: words(
                    "\(settings.silentDays) 天以上未同步或落后较多的笔记本",
                    "Laptops silent over \(settings.silentDays) days or far behind"),
                columns: [
                    words("网格员", "Worker"), words("设备", "Laptop"), words("最近同步", "Last sync"), words("落后", "Behind"),
                ],
                none: words("没有。", "None."),
                rows: devices.filter { watched.contains($0.device.replica) }.map { laptop in
                    .init(
                        worker: laptop.device.worker.rawValue,
                        replica: String(laptop.device.replica.description.prefix(8)),
                        lastSync: laptop.device.lastSyncAt.map { Labels.shortTime(iso: $0) } ?? words("从未", "never"),
                        behind: backlog[laptop.device.replica].map(String.init) ?? "")
                }))
        return Page(title: context.heading, body: render("overview", context))
    }

    struct DevicesContext {
        struct Row {
            let cells: [String]
        }
        let heading: String
        let columns: [String]
        let rows: [Row]
    }

    /// Every laptop of a worker in the session's communities: its worker, first and last
    /// sync, how the last ended, what it sent and received, and how many ops it has not
    /// received yet.
    func devices(_ session: ConsoleSessions.Session, _ words: Words) async throws -> Page {
        let devices = try await visibleDevices(session)
        let backlog = try await behind(devices)
        let context = DevicesContext(
            heading: words("设备", "Laptops"),
            columns: [
                words("网格员", "Worker"), words("设备", "Laptop"), words("首次", "First seen"),
                words("最近同步", "Last sync"), words("结果", "Ended"), words("发送", "Sent"), words("接收", "Received"),
                words("落后", "Behind"),
            ],
            rows: devices.map { laptop in
                let device = laptop.device
                return .init(cells: [
                    device.worker.rawValue, String(device.replica.description.prefix(8)),
                    Labels.shortTime(iso: device.firstSeen),
                    device.lastSyncAt.map { Labels.shortTime(iso: $0) } ?? words("从未", "never"),
                    device.lastEnding ?? "", String(device.lastPushed), String(device.lastPulled),
                    backlog[device.replica].map(String.init) ?? "",
                ])
            })
        return Page(title: context.heading, body: render("devices", context))
    }

    /// The laptops of workers whose scopes lie in the session's communities, with those scopes.
    func visibleDevices(_ session: ConsoleSessions.Session) async throws -> [(device: Device, scopes: [GridScope])] {
        let scopes = Dictionary(
            try await accounts.list().map { ($0.worker, $0.scopes) }, uniquingKeysWith: { a, _ in a })
        return try await accounts.devices().compactMap { device in
            let theirs = scopes[device.worker] ?? []
            return theirs.contains { session.scopes.covers($0) } ? (device, theirs) : nil
        }
    }

    /// How many ops each laptop has not received yet: those of its scopes stored in the log
    /// laptops pull from after its cursor, but its own.
    func behind(_ devices: [(device: Device, scopes: [GridScope])]) async throws -> [ReplicaID: Int] {
        var backlog: [ReplicaID: Int] = [:]
        for (device, scopes) in devices {
            backlog[device.replica] = try await records.log.opCount(
                after: device.pulledThrough, scopes: scopes, excluding: device.replica)
        }
        return backlog
    }

    /// `YYYY-MM` of `date` in `zone`.
    static func month(of date: Date, in zone: TimeZone) -> String {
        CalendarMonth(containing: date, in: zone).description
    }

    /// Whole days from one `YYYY-MM-DD` day to another, in `zone`.
    static func days(from first: String, to last: String, in zone: TimeZone) -> Int? {
        let range = RecordQuery.DayRange(first: first, last: last, timeZone: zone)
        guard let start = range.start(of: first), let end = range.start(of: last) else { return nil }
        return Int((Int64(end) - Int64(start)) / 86_400_000)
    }

    /// An ISO 8601 time as the accounts keep it.
    static func parse(_ text: String) -> Date? {
        try? Date.ISO8601FormatStyle().parse(text)
    }
}
