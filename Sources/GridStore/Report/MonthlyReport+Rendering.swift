import Foundation
import GridModel

extension MonthlyReport {
    /// The report as text for a terminal, section by section.
    public func text(_ language: ReportLanguage = .chinese) -> String {
        let l = language
        var lines: [String] = []
        let scopeName = scope == "street" ? l("全街道", "the whole street") : l("社区 ", "community ") + scopeLabel
        lines.append(l("两会一报 月度报告 \(month)（\(scopeName)）", "Monthly report \(month) (\(scopeName))"))
        lines.append("")
        lines.append(l("一、居民诉求", "1. Residents' demands"))
        lines.append(
            l("本月提出 \(demands.raised)，受理 \(demands.accepted)，解决 \(demands.resolved)，月末未结 \(demands.open)",
                "raised \(demands.raised), accepted \(demands.accepted), resolved \(demands.resolved), "
                    + "open at month end \(demands.open)"))
        if let median = demands.medianDaysToResolve {
            lines.append(l("解决用时中位数 \(Self.number(median)) 天", "median days to resolve: \(Self.number(median))"))
        }
        for (title, rows) in [(l("按类别", "by category"), demands.byCategory), (l("按网格", "by grid"), demands.byGrid)] {
            lines.append("  \(title):")
            for row in rows {
                lines.append(
                    "    \(Self.label(row, l))  " + l("提出 \(row.raised) 受理 \(row.accepted) 解决 \(row.resolved) 未结 \(row.open)",
                        "raised \(row.raised) accepted \(row.accepted) resolved \(row.resolved) open \(row.open)"))
            }
        }
        if !demands.oldestOpen.isEmpty {
            lines.append("  " + l("最久未结:", "open longest:"))
            for demand in demands.oldestOpen {
                lines.append(
                    "    \(demand.raisedOn) \(demand.title)（\(demand.gridLabel)）"
                        + l(" 已 \(demand.daysOpen) 天", " \(demand.daysOpen) days"))
            }
        }
        lines.append("")
        lines.append(l("二、入户走访", "2. Visits"))
        lines.append(l("共 \(visits.total) 次，每人目标 \(visits.target) 次", "\(visits.total) in all, target \(visits.target) each"))
        for worker in visits.byWorker {
            lines.append(
                "    \(worker.label)  \(worker.visits)" + (worker.metTarget ? l(" 达标", " met") : l(" 未达标", " below")))
        }
        lines.append("")
        lines.append(l("三、微项目", "3. Micro-projects"))
        lines.append(
            "  " + projects.byStage.map { "\(l($0.label, $0.stage)) \($0.projects)" }.joined(separator: l("，", ", ")))
        for entry in projects.progress {
            lines.append(
                "    \(entry.title): \(entry.text)" + (entry.percent.map { l("（完成 \($0)%）", " (\($0)% done)") } ?? ""))
        }
        if !projects.withoutProgress.isEmpty {
            lines.append("  " + l("本月未报进展:", "no progress filed this month:"))
            for project in projects.withoutProgress { lines.append("    \(project.title)") }
        }
        if !projects.photos.isEmpty {
            lines.append("  " + l("本月新增照片:", "new photos this month:"))
            for project in projects.photos {
                let (before, during, after) = (project.before.count, project.during.count, project.after.count)
                lines.append(
                    "    \(project.title): "
                        + l("实施前 \(before)，实施中 \(during)，完成后 \(after) 张", "\(before) before, \(during) during, \(after) after"))
            }
        }
        lines.append("")
        lines.append(l("四、资金（元）", "4. Funding (yuan)"))
        for (title, funding) in [(l("本月", "this month"), self.funding.month), (l("本年累计", "year to date"), self.funding.yearToDate)] {
            lines.append(
                "  \(title): "
                    + l(
                        "政府 \(funding.government.yuanText) 社会 \(funding.society.yuanText) "
                            + "居民 \(funding.residents.yuanText) 合计 \(funding.total.yuanText)",
                        "government \(funding.government.yuanText) society \(funding.society.yuanText) "
                            + "residents \(funding.residents.yuanText) total \(funding.total.yuanText)"))
        }
        lines.append(
            "  " + l("政府资金占年度承诺 \(self.funding.commitment) 元的 \(Self.percent(self.funding.commitmentShare))",
                "government funding is \(Self.percent(self.funding.commitmentShare)) of the yearly "
                    + "\(self.funding.commitment) yuan"))
        lines.append("")
        lines.append(l("五、满意度", "5. Satisfaction"))
        for survey in satisfaction {
            lines.append(
                "    \(survey.title)  " + l("受访 \(survey.respondents) 满意 \(survey.satisfied) 满意率 \(Self.percent(survey.rate))",
                    "asked \(survey.respondents) satisfied \(survey.satisfied) rate \(Self.percent(survey.rate))"))
        }
        return lines.joined(separator: "\n")
    }

    /// The report as one CSV for Excel and WPS: a section title, its header and rows, then a
    /// blank line, for each table; with a byte-order mark, and no cell run as a formula.
    public func csv(_ language: ReportLanguage = .chinese) -> String {
        let l = language
        var rows: [[String]] = [[l("两会一报 月度报告", "Monthly report"), month, scopeLabel]]
        func section(_ title: String, _ header: [String], _ body: [[String]]) {
            rows.append([])
            rows.append([title])
            rows.append(header)
            rows += body
        }
        let counts = [l("提出", "raised"), l("受理", "accepted"), l("解决", "resolved"), l("月末未结", "open")]
        func countRows(_ list: [DemandCounts]) -> [[String]] {
            list.map { [Self.label($0, l), String($0.raised), String($0.accepted), String($0.resolved), String($0.open)] }
        }
        section(
            l("诉求合计", "Demands"), counts + [l("解决用时中位数(天)", "median days to resolve")],
            [[String(demands.raised), String(demands.accepted), String(demands.resolved), String(demands.open),
              demands.medianDaysToResolve.map(Self.number) ?? ""]])
        section(l("诉求（按类别）", "Demands by category"), [l("类别", "category")] + counts, countRows(demands.byCategory))
        section(l("诉求（按网格）", "Demands by grid"), [l("网格", "grid")] + counts, countRows(demands.byGrid))
        section(
            l("最久未结的诉求", "Open longest"), [l("编号", "id"), l("诉求", "title"), l("网格", "grid"), l("提出日期", "raised"), l("天数", "days")],
            demands.oldestOpen.map { [$0.id, $0.title, $0.gridLabel, $0.raisedOn, String($0.daysOpen)] })
        section(
            l("入户走访", "Visits"), [l("网格员", "worker"), l("次数", "visits"), l("目标", "target"), l("达标", "met")],
            visits.byWorker.map { [$0.label, String($0.visits), String(visits.target), $0.metTarget ? l("是", "yes") : l("否", "no")] })
        section(
            l("微项目（按阶段）", "Projects by stage"), [l("阶段", "stage"), l("项目数", "projects")],
            projects.byStage.map { [l($0.label, $0.stage), String($0.projects)] })
        section(
            l("本月进展", "Progress this month"), [l("编号", "id"), l("项目名称", "title"), l("进展", "progress"), l("完成度", "percent")],
            projects.progress.map { [$0.project, $0.title, $0.text, $0.percent.map { "\($0)%" } ?? ""] })
        section(
            l("本月未报进展的项目", "No progress filed"), [l("编号", "id"), l("项目名称", "title"), l("阶段", "stage")],
            projects.withoutProgress.map { [$0.project, $0.title, ProjectStage(rawValue: $0.stage).map { l($0.label) } ?? $0.stage] })
        section(
            l("本月新增照片的项目", "Projects with new photos"),
            [l("编号", "id"), l("项目名称", "title"), l("实施前", "before"), l("实施中", "during"), l("完成后", "after")],
            projects.photos.map { [$0.project, $0.title, String($0.before.count), String($0.during.count), String($0.after.count)] })
        let sources = [l("政府", "government"), l("社会", "society"), l("居民", "residents"), l("合计", "total")]
        section(
            l("资金（元）", "Funding (yuan)"), [""] + sources + [l("年度承诺", "commitment")],
            [[l("本月", "this month")] + Self.amounts(funding.month) + [""],
             [l("本年累计", "year to date")] + Self.amounts(funding.yearToDate) + [String(funding.commitment)]])
        section(
            l("满意度", "Satisfaction"), [l("编号", "id"), l("项目名称", "title"), l("受访人数", "respondents"), l("满意人数", "satisfied"), l("满意率", "rate")],
            satisfaction.map { [$0.project, $0.title, String($0.respondents), String($0.satisfied), Self.percent($0.rate)] })
        return "\u{FEFF}" + rows.map { $0.map(SpreadsheetCell.csv).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    /// A category's label in the report's language; a grid's key.
    static func label(_ counts: DemandCounts, _ language: ReportLanguage) -> String {
        Category(rawValue: counts.key).map { language($0.label) } ?? counts.label
    }

    private static func amounts(_ funding: Funding) -> [String] {
        [funding.government, funding.society, funding.residents, funding.total].map(\.yuanText)
    }

    /// A figure as people read it: whole as digits, a fraction with one decimal.
    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }

    static func percent(_ share: Double) -> String {
        number((share * 1000).rounded() / 10) + "%"
    }
}
