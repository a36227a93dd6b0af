import ArgumentParser
import Foundation
import GridModel
import GridStore

/// The options of `report` in `gridsync` (an office laptop's replica) and `gridsync-inspect`
/// (the daemon's), and the report they print.
public struct ReportOptions: ParsableArguments {
    /// How a report is written.
    public enum Format: String, ExpressibleByArgument, CaseIterable, Sendable {
        case text, csv, json, html
    }

    @Option(help: ArgumentHelp("The month, YYYY-MM (default: this month).", valueName: "month"))
    public var month: String?

    @Option(help: ArgumentHelp("One community's key (default: the whole street).", valueName: "community"))
    public var community: String?

    @Option(help: "text (default), csv (for Excel and WPS), json, or html (a page with charts that prints on A4).")
    public var format: Format = .text

    @Option(
        help: ArgumentHelp(
            "The office's time zone, which days and months are counted in (default: the system's, or $TZ).",
            valueName: "zone"))
    public var timeZone: String?

    @Flag(help: "Write the report in English.")
    public var english = false

    @Option(help: ArgumentHelp("The visits each worker should make in the month (default 40).", valueName: "n"))
    public var visitTarget: Int = 40

    @Option(help: ArgumentHelp("The yuan the street commits to projects a year (default 500000).", valueName: "yuan"))
    public var commitment: Int64 = 500_000

    public init() {}

    /// Checks the options; a refusal honours `--format json` like every other.
    func check() throws {
        if let month, CalendarMonth(month) == nil {
            throw GridModel.ValidationError(
                .badFormat, field: "month", value: month, allowed: "a month written YYYY-MM")
        }
        if let community, CommunityID(community) == nil {
            throw GridModel.ValidationError(
                .badFormat, field: "community", value: community, allowed: "a community key (\(CommunityID.rule))")
        }
        if let timeZone, TimeZone(identifier: timeZone) == nil {
            throw GridModel.ValidationError(
                .badFormat, field: "time-zone", value: timeZone, allowed: "a time zone name, such as Asia/Shanghai")
        }
        guard (0...10_000).contains(visitTarget), commitment >= 0 else {
            throw GridModel.ValidationError(
                .outOfRange, field: "visit-target", value: String(visitTarget),
                allowed: "a target from 0 to 10000, and a commitment of at least 0 yuan")
        }
    }

    /// The report of `store`, written as asked; the HTML page carries the photos of `files` it shows.
    public func render(_ store: any ReplicaStore, files: FileStore? = nil) async throws -> String {
        try check()
        let zone = timeZone.flatMap(TimeZone.init(identifier:)) ?? .current
        let request = MonthlyReport.Request(
            month: month ?? CalendarMonth(containing: Date(), in: zone).description,
            communities: community.flatMap(CommunityID.init).map { [$0] } ?? [], visitTarget: visitTarget,
            yearlyCommitment: commitment,
            timeZone: zone)
        let report = try await store.monthlyReport(request)
        let language: ReportLanguage = english ? .english : .chinese
        switch format {
        case .text: return report.text(language)
        case .csv: return report.csv(language)
        case .json: return try OutputOptions.json(report)
        case .html: return report.html(language) { id in FileID(id).flatMap { files?.dataURL(of: $0) } }
        }
    }

    /// The help's examples, shared by both programs.
    public static func examples(_ program: String) -> String {
        """
        Examples:
          \(program) report --month 2026-11
          \(program) report --month 2026-11 --community c01
          \(program) report --month 2026-11 --format csv > 2026-11.csv
          \(program) report --month 2026-11 --format html > 2026-11.html
          \(program) report --month 2026-11 --format json --english
        """
    }
}
