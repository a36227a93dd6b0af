import Foundation
import GridModel
import GridStore
import GridWeb
import HTTPTypes
import Hummingbird
import NIOCore

/// The monthly report (两会一报): a page with its figures and a form to choose the month and
/// the community, and the files `report` writes (the printable HTML page, the CSV for Excel
/// and WPS).
extension Console {
    struct ReportContext {
        struct Choice {
            let key, label: String
            let selected: Bool
        }
        struct Row {
            let label, value: String
        }
        struct Section {
            let heading: String
            let rows: [Row]
        }
        struct Link {
            let label, href: String
        }
        let heading, month, monthLabel, communityLabel, showLabel, note: String
        let communities: [Choice]
        let links: [Link]
        let sections: [Section]
    }

    /// What a report request names: the month and one of the session's communities.
    private struct ReportChoice {
        let month: String
        let community: CommunityID
        let communities: [CommunityID]

        /// The choice in `request`'s query (`month=YYYY-MM`, `community=c01`), this month and
        /// the session's first community by default; `nil` for a month or a community it may
        /// not ask for.
        init?(_ request: Request, _ session: ConsoleSessions.Session, timeZone: TimeZone) {
            let query = FormBody(request.uri.query ?? "")
            month = query["month"] ?? Console.month(of: Date(), in: timeZone)
            communities = Array(Set(session.scopes.map(\.community))).sorted { $0.rawValue < $1.rawValue }
            guard let community = query["community"].flatMap(CommunityID.init) ?? communities.first,
                communities.contains(community), month.wholeMatch(of: /\d{4}-\d{2}/) != nil
            else { return nil }
            self.community = community
        }

        /// The query that asks for this choice, with `format`.
        func query(_ format: String) -> String {
            "month=\(month)&community=\(FormBody.encode(community.rawValue))&format=\(format)"
        }
    }

    /// The report's page: the month's figures of one of the session's communities, and links
    /// to the whole report as a printable page and as CSV.
    func reportPage(_ request: Request, _ session: ConsoleSessions.Session, _ words: Words) async throws -> Page {
        guard let choice = ReportChoice(request, session, timeZone: settings.timeZone) else {
            return unknownReport(words)
        }
        let report = try await records.store.monthlyReport(
            .init(month: choice.month, communities: [choice.community], timeZone: settings.timeZone))
        let names = try await records.store.streetNames()
        let stages = report.projects.byStage.filter { $0.projects > 0 }.map { stage in
            ReportContext.Row(
                label: ProjectStage(rawValue: stage.stage).map { words($0.label.chinese, $0.label.english) }
                    ?? stage.stage,
                value: String(stage.projects))
        }
        func funding(_ money: MonthlyReport.Funding) -> [ReportContext.Row] {
            [
                .init(label: words("政府", "Government"), value: money.government.groupedYuanText),
                .init(label: words("社会", "Society"), value: money.society.groupedYuanText),
                .init(label: words("居民", "Residents"), value: money.residents.groupedYuanText),
            ]
        }
        let context = ReportContext(
            heading: words("两会一报 月度报告 \(choice.month)", "Monthly report (两会一报) \(choice.month)"),
            month: choice.month, monthLabel: words("月份", "Month"), communityLabel: words("社区", "Community"),
            showLabel: words("查看", "Show"),
            note: words(
                "按 \(settings.timeZone.identifier) 时间统计，与 gridsync-inspect report 的数字相同。",
                "Counted in \(settings.timeZone.identifier) time: the figures of gridsync-inspect report."),
            communities: choice.communities.map {
                .init(
                    key: $0.rawValue, label: names.label(.community, $0.rawValue), selected: $0 == choice.community)
            },
            links: [
                .init(
                    label: words("完整报告（可打印）", "The whole report (to print)"),
                    href: "/report/file?" + choice.query("html")),
                .init(label: words("CSV（Excel、WPS）", "CSV (Excel, WPS)"), href: "/report/file?" + choice.query("csv")),
            ],
            sections: [
                .init(
                    heading: words("居民诉求", "Residents' demands"),
                    rows: [
                        .init(label: words("提出", "Raised"), value: String(report.demands.raised)),
                        .init(label: words("受理", "Accepted"), value: String(report.demands.accepted)),
                        .init(label: words("解决", "Resolved"), value: String(report.demands.resolved)),
                        .init(label: words("月底未结", "Open at the month's end"), value: String(report.demands.open)),
                        .init(
                            label: words("解决天数（中位数）", "Days to resolve (median)"),
                            value: report.demands.medianDaysToResolve.map { String(format: "%.1f", $0) } ?? "—"),
                    ]),
                .init(
                    heading: words("入户走访", "Visits"),
                    rows: [
                        .init(label: words("走访次数", "Visits"), value: String(report.visits.total)),
                        .init(
                            label: words("达到 \(report.visits.target) 次的网格员", "Workers at \(report.visits.target)"),
                            value:
                                "\(report.visits.byWorker.filter(\.metTarget).count) / \(report.visits.byWorker.count)"),
                    ]),
                .init(
                    heading: words("微项目（按阶段）", "Projects, by stage"),
                    rows: stages.isEmpty ? [.init(label: words("没有微项目", "No projects"), value: "")] : stages),
                .init(heading: words("本月资金（元）", "Funding this month (yuan)"), rows: funding(report.funding.month)),
                .init(
                    heading: words("本年资金（元）", "Funding this year (yuan)"),
                    rows: funding(report.funding.yearToDate) + [
                        .init(
                            label: words("政府资金占年度承诺", "Government's share of the commitment"),
                            value: String(format: "%.0f%%", report.funding.commitmentShare * 100))
                    ]),
            ])
        return Page(title: context.heading, body: render("report", context))
    }

    /// The whole report of a month and community as `report` writes it: the printable HTML
    /// page (`format=html`) or the CSV file (`format=csv`).
    func reportFile(_ request: Request) async throws -> Response {
        let words = Words(request.cookies[Self.languageCookie]?.value)
        guard let session = try await session(of: request) else { return .redirect(to: "/sign-in") }
        guard let choice = ReportChoice(request, session, timeZone: settings.timeZone) else {
            return html(unknownReport(words), session: session, words: words)
        }
        let report = try await records.store.monthlyReport(
            .init(month: choice.month, communities: [choice.community], timeZone: settings.timeZone))
        let name = "report-\(choice.community.rawValue)-\(choice.month)"
        let language: ReportLanguage = words.language
        if FormBody(request.uri.query ?? "")["format"] == "csv" {
            return Response(
                status: .ok,
                headers: [
                    .contentType: "text/csv; charset=utf-8", .cacheControl: "no-store",
                    HTTPField.Name("Content-Disposition")!: "attachment; filename=\"\(name).csv\"",
                ],
                body: .init(byteBuffer: ByteBuffer(string: report.csv(language))))
        }
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                // The photos come from the console's own photo route, which checks the session's communities.
                Self.contentSecurityPolicy:
                    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; frame-ancestors 'none'",
                HTTPField.Name("Content-Disposition")!: "inline; filename=\"\(name).html\"",
            ],
            body: .init(
                byteBuffer: ByteBuffer(
                    string: report.html(language) { id in
                        FileID(id).flatMap { records.files?.size(of: $0) != nil ? "/photo/\($0.hex)" : nil }
                    })))
    }

    /// The answer to a month or community that cannot be reported.
    private func unknownReport(_ words: Words) -> Page {
        message(
            words("无法生成报告", "No report"),
            words("月份写作 2026-11；社区须是您的社区之一。", "Give the month as 2026-11, and one of your communities."),
            error: true, status: .badRequest, words: words)
    }
}
