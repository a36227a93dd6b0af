import Foundation
import GridModel

extension MonthlyReport {
    /// The report as one self-contained HTML page for the office: its figures, tables and SVG charts, with no script,
    /// no network and no file beside it, laid out to print on A4 (one column, tables that do not split a row, each
    /// section starting where it fits). `photo` gives the `src` of a photo by its file id (`sha256:…`): a `data:`
    /// URL for a page on its own, the console's address for its own page, `nil` for one not held; each project
    /// that gained photos shows its latest from before its work and its latest from after (or during) it.
    public func html(_ language: ReportLanguage = .chinese, photo: (String) -> String? = { _ in nil }) -> String {
        let l = language
        let scopeName = scope == "street" ? l("全街道", "the whole street") : l("社区 ", "community ") + scopeLabel
        let title = l("两会一报 月度报告 \(month)（\(scopeName)）", "Monthly report \(month) (\(scopeName))")
        var page = HTMLPage()
        page.raw("<h1>\(HTMLText.escape(title))</h1>")
        page.raw(
            "<p class=\"meta\">"
                + HTMLText.escape(
                    l(
                        "按 \(timeZone) 时间统计。数字取自同步到此副本的全部记录。",
                        "Counted in \(timeZone) time, from every record synced to this replica."))
                + "</p>")
        demandSection(&page, l)
        visitSection(&page, l)
        projectSection(&page, l, photo: photo)
        fundingSection(&page, l)
        satisfactionSection(&page, l)
        return page.document(title: title, language: l)
    }

    private func demandSection(_ page: inout HTMLPage, _ l: ReportLanguage) {
        page.section(l("一、居民诉求", "1. Residents' demands"))
        page.figures([
            (l("本月提出", "raised"), String(demands.raised)),
            (l("受理", "accepted"), String(demands.accepted)),
            (l("解决", "resolved"), String(demands.resolved)),
            (l("月末未结", "open at month end"), String(demands.open)),
            (
                l("解决用时中位数", "median days to resolve"),
                demands.medianDaysToResolve.map { Self.number($0) + l(" 天", " days") } ?? "—"
            ),
        ])
        let series = [
            ReportChart.Series(name: l("提出", "raised"), color: "#4e79a7"),
            ReportChart.Series(name: l("解决", "resolved"), color: "#59a14f"),
            ReportChart.Series(name: l("月末未结", "open"), color: "#e15759"),
        ]
        func values(_ counts: DemandCounts) -> [Double] {
            [Double(counts.raised), Double(counts.resolved), Double(counts.open)]
        }
        if !demands.byCategory.isEmpty {
            page.subheading(l("按类别", "By category"))
            page.raw(
                ReportChart(
                    title: l("诉求按类别", "Demands by category"), series: series,
                    rows: demands.byCategory.map { .init(label: Self.label($0, l), values: values($0)) }
                ).svg)
        }
        let counts = [l("提出", "raised"), l("受理", "accepted"), l("解决", "resolved"), l("月末未结", "open")]
        if !demands.byGrid.isEmpty {
            page.subheading(l("按网格", "By grid"))
            page.table(
                [l("网格", "grid")] + counts,
                demands.byGrid.map { [$0.label] + [$0.raised, $0.accepted, $0.resolved, $0.open].map(String.init) },
                numeric: 1...4, columns: 2)
        }
        if !demands.oldestOpen.isEmpty {
            page.subheading(l("最久未结", "Open longest"))
            page.table(
                [l("提出日期", "raised"), l("诉求", "title"), l("网格", "grid"), l("已开天数", "days open")],
                demands.oldestOpen.map { [$0.raisedOn, $0.title, $0.gridLabel, String($0.daysOpen)] }, numeric: 3...3)
        }
    }

    private func visitSection(_ page: inout HTMLPage, _ l: ReportLanguage) {
        page.section(l("二、入户走访", "2. Visits"))
        let met = visits.byWorker.filter(\.metTarget).count
        page.figures([
            (l("走访次数", "visits"), String(visits.total)),
            (l("每人目标", "target each"), String(visits.target)),
            (l("达标人数", "workers at target"), "\(met) / \(visits.byWorker.count)"),
        ])
        guard !visits.byWorker.isEmpty else { return }
        page.table(
            [l("网格员", "worker"), l("次数", "visits"), l("达标", "at target")],
            visits.byWorker.map { [$0.label, String($0.visits), $0.metTarget ? l("是", "yes") : l("否", "no")] },
            numeric: 1...1, columns: 3)
    }

    private func projectSection(_ page: inout HTMLPage, _ l: ReportLanguage, photo: (String) -> String?) {
        page.section(l("三、微项目", "3. Micro-projects"))
        page.raw(
            ReportChart(
                title: l("微项目按阶段", "Projects by stage"),
                series: [ReportChart.Series(name: l("项目数", "projects"), color: "#4e79a7")],
                rows: projects.byStage.map { .init(label: l($0.label, $0.stage), values: [Double($0.projects)]) }
            ).svg)
        page.subheading(l("本月进展", "Progress this month"))
        if projects.progress.isEmpty {
            page.paragraph(l("本月没有项目报进展。", "No project filed progress this month."))
        } else {
            page.table(
                [l("项目名称", "title"), l("进展", "progress"), l("完成度", "done")],
                projects.progress.map { [$0.title, $0.text, $0.percent.map { "\($0)%" } ?? ""] }, numeric: 2...2)
        }
        if !projects.withoutProgress.isEmpty {
            page.subheading(l("本月未报进展的项目", "No progress filed this month"))
            page.table(
                [l("项目名称", "title"), l("阶段", "stage")],
                projects.withoutProgress.map {
                    [$0.title, ProjectStage(rawValue: $0.stage).map { l($0.label) } ?? $0.stage]
                })
        }
        guard !projects.photos.isEmpty else { return }
        page.subheading(l("本月新增照片的项目（实施前后）", "Projects with new photos this month (before and after)"))
        for project in projects.photos {
            let counts = [
                (l("实施前", "before"), project.before), (l("实施中", "during"), project.during),
                (l("完成后", "after"), project.after),
            ]
            page.paragraph(
                project.title + l("：", ": ")
                    + counts.map { "\($0.0) \($0.1.count)" + l(" 张", "") }.joined(separator: l("，", ", ")))
            let shown = [
                project.before.last.map { (l("实施前", "before"), $0) },
                (project.after.last ?? project.during.last).map {
                    (project.after.isEmpty ? l("实施中", "during") : l("完成后", "after"), $0)
                },
            ].compactMap { $0 }.compactMap { caption, file in photo(file).map { (caption, $0) } }
            guard !shown.isEmpty else { continue }
            page.raw(
                "<div class=\"photos\">"
                    + shown.map { caption, source in
                        "<figure><img src=\"\(HTMLText.escape(source))\" alt=\"\(HTMLText.escape(caption))\">"
                            + "<figcaption>\(HTMLText.escape(caption))</figcaption></figure>"
                    }.joined() + "</div>")
        }
    }

    private func fundingSection(_ page: inout HTMLPage, _ l: ReportLanguage) {
        page.section(l("四、资金（元）", "4. Funding (yuan)"))
        // The chart draws yuan; its labels show them as the table does.
        let yuan = { (value: Double) in Money(fen: Int64((value * 100).rounded())).groupedYuanText }
        let sources: [(String, String, KeyPath<Funding, Money>)] = [
            (l("政府", "government"), "#4e79a7", \.government),
            (l("社会", "society"), "#f28e2b", \.society),
            (l("居民", "residents"), "#76b7b2", \.residents),
        ]
        page.raw(
            ReportChart(
                title: l("资金来源", "Funding by source"),
                series: sources.map { ReportChart.Series(name: $0.0, color: $0.1, format: yuan) },
                rows: [
                    .init(
                        label: l("本月", "this month"),
                        values: sources.map { Double(funding.month[keyPath: $0.2].fen) / 100 }),
                    .init(
                        label: l("本年累计", "year to date"),
                        values: sources.map { Double(funding.yearToDate[keyPath: $0.2].fen) / 100 }),
                ],
                marker: funding.commitment > 0
                    ? (
                        Double(funding.commitment),
                        l("年度承诺 ", "yearly commitment ") + Money(yuan: funding.commitment).groupedYuanText
                    )
                    : nil
            ).svg)
        page.table(
            ["", l("政府", "government"), l("社会", "society"), l("居民", "residents"), l("合计", "total")],
            [(l("本月", "this month"), funding.month), (l("本年累计", "year to date"), funding.yearToDate)].map {
                [$0.0] + [$0.1.government, $0.1.society, $0.1.residents, $0.1.total].map(\.groupedYuanText)
            }, numeric: 1...4)
        page.paragraph(
            l(
                "政府资金占年度承诺 \(Money(yuan: funding.commitment).groupedYuanText) 元的 "
                    + "\(Self.percent(funding.commitmentShare))。",
                "Government funding is \(Self.percent(funding.commitmentShare)) of the yearly "
                    + "\(Money(yuan: funding.commitment).groupedYuanText) yuan."))
    }

    private func satisfactionSection(_ page: inout HTMLPage, _ l: ReportLanguage) {
        page.section(l("五、满意度", "5. Satisfaction"))
        guard !satisfaction.isEmpty else {
            page.paragraph(l("尚无满意度评估。", "No satisfaction survey yet."))
            return
        }
        page.raw(
            ReportChart(
                title: l("满意率", "Satisfaction rate"),
                series: [
                    ReportChart.Series(name: l("满意率", "rate"), color: "#59a14f") { Self.percent($0 / 100) }
                ],
                rows: satisfaction.map { .init(label: $0.title, values: [$0.rate * 100]) }, scale: 100
            ).svg)
        page.table(
            [l("项目名称", "title"), l("受访人数", "respondents"), l("满意人数", "satisfied"), l("满意率", "rate")],
            satisfaction.map { [$0.title, String($0.respondents), String($0.satisfied), Self.percent($0.rate)] },
            numeric: 1...3)
    }
}

/// An HTML page built section by section, every text escaped as it is added.
private struct HTMLPage {
    private var body: [String] = []

    mutating func raw(_ html: String) { body.append(html) }

    mutating func section(_ title: String) {
        body.append("<h2>\(HTMLText.escape(title))</h2>")
    }

    mutating func subheading(_ title: String) {
        body.append("<h3>\(HTMLText.escape(title))</h3>")
    }

    mutating func paragraph(_ text: String) {
        body.append("<p>\(HTMLText.escape(text))</p>")
    }

    /// Headline figures, side by side.
    mutating func figures(_ figures: [(label: String, value: String)]) {
        body.append(
            "<div class=\"figures\">"
                + figures.map {
                    "<div class=\"figure\"><span class=\"value\">\(HTMLText.escape($0.value))</span>"
                        + "<span class=\"name\">\(HTMLText.escape($0.label))</span></div>"
                }.joined() + "</div>")
    }

    /// A table; the columns in `numeric` are right-aligned, and `columns` > 1 flows a long, narrow table into that
    /// many columns on the page.
    mutating func table(_ header: [String], _ rows: [[String]], numeric: ClosedRange<Int>? = nil, columns: Int = 1) {
        func cell(_ tag: String, _ text: String, _ index: Int) -> String {
            let numberClass = numeric?.contains(index) == true ? " class=\"number\"" : ""
            return "<\(tag)\(numberClass)>\(HTMLText.escape(text))</\(tag)>"
        }
        let head = "<thead><tr>" + header.enumerated().map { cell("th", $1, $0) }.joined() + "</tr></thead>"
        let rowsHTML = rows.map { "<tr>" + $0.enumerated().map { cell("td", $1, $0) }.joined() + "</tr>" }
        if columns > 1, rows.count > 12 {
            let perColumn = (rows.count + columns - 1) / columns
            let parts = stride(from: 0, to: rowsHTML.count, by: perColumn).map {
                "<table>\(head)<tbody>" + rowsHTML[$0..<min($0 + perColumn, rowsHTML.count)].joined()
                    + "</tbody></table>"
            }
            body.append("<div class=\"columns\">" + parts.joined() + "</div>")
        } else {
            body.append("<table>\(head)<tbody>" + rowsHTML.joined() + "</tbody></table>")
        }
    }

    /// The whole document: the page's styles, for the screen and for A4 paper, and the body.
    func document(title: String, language: ReportLanguage) -> String {
        """
        <!DOCTYPE html>
        <html lang="\(language == .chinese ? "zh-CN" : "en")">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(HTMLText.escape(title))</title>
        <style>
        @page { size: A4; margin: 14mm 14mm 16mm; }
        * { box-sizing: border-box; }
        body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif;
          font-size: 10.5pt; line-height: 1.45; color: #1f2328; margin: 0 auto; padding: 12px; max-width: 182mm; }
        h1 { font-size: 16pt; margin: 0 0 4px; }
        h2 { font-size: 13pt; margin: 18px 0 6px; padding-bottom: 3px; border-bottom: 2px solid #4e79a7;
          break-after: avoid; }
        h3 { font-size: 11pt; margin: 12px 0 4px; break-after: avoid; }
        p { margin: 4px 0; }
        .meta { color: #57606a; font-size: 9pt; }
        .figures { display: flex; flex-wrap: wrap; gap: 6px; margin: 6px 0 8px; }
        .figure { flex: 1 1 0; min-width: 26mm; border: 1px solid #d0d7de; border-radius: 4px; padding: 4px 6px; }
        .figure .value { display: block; font-size: 14pt; font-weight: 600; }
        .figure .name { display: block; font-size: 8.5pt; color: #57606a; }
        table { border-collapse: collapse; width: 100%; margin: 4px 0 8px; font-size: 9.5pt; }
        th, td { border: 1px solid #d0d7de; padding: 2px 5px; text-align: left; vertical-align: top;
          overflow-wrap: anywhere; }
        th { background: #f3f5f7; font-weight: 600; }
        td.number, th.number { text-align: right; white-space: nowrap; }
        tr { break-inside: avoid; }
        thead { display: table-header-group; }
        .columns { display: flex; gap: 8px; align-items: flex-start; }
        .columns table { flex: 1 1 0; min-width: 0; }
        .photos { display: flex; gap: 8px; margin: 4px 0 10px; break-inside: avoid; }
        .photos figure { flex: 1 1 0; margin: 0; min-width: 0; }
        .photos img { display: block; width: 100%; max-height: 70mm; object-fit: contain; background: #f3f5f7; }
        .photos figcaption { font-size: 9pt; color: #57606a; text-align: center; }
        svg.chart { display: block; max-width: 100%; height: auto; margin: 4px 0 8px; break-inside: avoid; }
        svg.chart text { font-family: inherit; font-size: 11px; fill: #1f2328; }
        svg.chart text.value, svg.chart text.legend { font-size: 10px; fill: #57606a; }
        svg.chart line.marker { stroke: #1f2328; stroke-width: 1; stroke-dasharray: 4 3; }
        @media print { body { padding: 0; max-width: none; } }
        </style>
        </head>
        <body>
        \(body.joined(separator: "\n"))
        </body>
        </html>

        """
    }
}
