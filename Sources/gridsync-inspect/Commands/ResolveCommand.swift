import ArgumentParser
import Foundation
import GridAccounts
import GridCommandLine
import GridMerge
import GridModel
import GridStore

/// `gridsync-inspect resolve`.
struct ResolveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve",
        abstract: "Settle a conflict: pick one competing value, or enter a new one, with a reason.",
        discussion: """
            The resolution is an edit by an office account (--as), written over every competing value, with the \
            reason added to the record's notes; every laptop receives it at its next sync. If someone edits the \
            same field offline meanwhile, that is a new conflict, shown as such. On a field replica (--data of \
            a laptop) the edit is that replica's worker's.

            --rule settles every conflict the filters select: `latest` keeps the value shown now (the latest), \
            `office` keeps the value an office account wrote (conflicts without exactly one are left). Try it \
            with --dry-run first.

            Examples:
              gridsync-inspect resolve 3f2a9c1e status --pick 2 --reason "居民确认已解决" --as office-1
              gridsync-inspect resolve 3f2a9c1e title --value "楼道堆物清理（3栋）" --reason "合并两种写法" --as office-1
              gridsync-inspect resolve --rule office --community c01 --reason "以社区意见为准" --as office-1 --dry-run
            """)

    @OptionGroup var inspect: InspectOptions
    @Argument(help: ArgumentHelp("The record: its id or its first 4 or more characters.", valueName: "record"))
    var record: String?
    @Argument(help: ArgumentHelp("The field in conflict.", valueName: "field")) var field: String?
    @Option(
        help: ArgumentHelp(
            "The competing value to keep: its number in `show` or `conflicts`, or the value.", valueName: "#|value"))
    var pick: String?
    @Option(help: ArgumentHelp("A new value instead of any competing one.", valueName: "value")) var value: String?
    @Option(help: ArgumentHelp("Settle every selected conflict by a rule: latest or office.", valueName: "rule"))
    var rule: String?
    @Option(help: ArgumentHelp("Why: kept in the record's notes and shown by `history`.", valueName: "text"))
    var reason: String
    @Option(
        name: .customLong("as"),
        help: ArgumentHelp("The office account that decides (required on the daemon).", valueName: "worker"))
    var author: String?
    @Flag(help: "With --rule: show what would be settled, and write nothing.") var dryRun = false
    @OptionGroup var filter: ConflictFilter
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ValidationError("--reason is empty: say why, for the record's history")
        }
        let choices = [pick, value, rule].compactMap { $0 }.count
        guard choices == 1 else {
            throw ValidationError("give exactly one of --pick, --value or --rule")
        }
        if let rule {
            guard rule == "latest" || rule == "office" else {
                throw ValidationError("--rule '\(rule)' is not a rule: give latest or office")
            }
            guard record == nil, field == nil else {
                throw ValidationError(
                    "--rule settles many conflicts: select them with --community, --grid, --type, --field, --author, --since or --until, not a record"
                )
            }
        } else {
            let filters = [
                filter.community, filter.grid, filter.type, filter.field, filter.author, filter.since, filter.until,
            ]
            guard filters.allSatisfy({ $0 == nil }) else {
                throw ValidationError(
                    "the filters (--community, --grid, --type, --field, --author, --since, --until) go with --rule")
            }
            guard record != nil, field != nil else {
                throw ValidationError(
                    "name the record and the field: resolve <record> <field> --pick <#> --reason <why>")
            }
            guard !dryRun else { throw ValidationError("--dry-run goes with --rule") }
        }
        if let author, WorkerID(author) == nil {
            throw ValidationError("--as '\(author)' is not a worker key: \(WorkerID.rule)")
        }
    }

    /// One settled field.
    struct Settlement: Encodable {
        let record: String
        let title: String
        let field: String
        let value: FieldValue
        let label: String
        /// Why a conflict the rule selected was left, if it was.
        var left: String?

        /// This settlement, left for `reason`.
        func leaving(_ reason: String) -> Settlement {
            var left = self
            left.left = reason
            return left
        }
    }

    struct Result: Encodable {
        let author: String
        let reason: String
        let dryRun: Bool
        let settled: [Settlement]
        let ops: [String]
    }

    func run() async throws {
        let inspected = try await inspect.open(writing: !dryRun)
        let (author, scopes) = try await decider(inspected)
        var plan: [RecordID: [Settlement]] = [:]
        var left: [Settlement] = []
        if let rule {
            let offices = rule == "office" ? try await Self.officeWorkers(in: inspected.accounts) : []
            for conflict in try await ConflictView.all(in: inspected.store, filter: filter) {
                let settlement = choose(conflict, rule: rule, offices: offices)
                if settlement.left == nil {
                    plan[conflict.record, default: []].append(settlement)
                } else {
                    left.append(settlement)
                }
            }
        } else {
            let id = try await inspected.store.findRecord(record!, type: nil)
            plan[id] = [try await choose(in: inspected.store, id, field: field!)]
        }
        // What the decider may not write, or cannot while the record stays deleted, is left.
        for (id, settlements) in plan {
            guard let state = try await inspected.store.record(id) else { continue }
            let restores = settlements.contains { $0.field == RecordSchema.deletedField && $0.value == .boolean(false) }
            let blocked: [Settlement]
            let why: String
            if !scopes.covers(state.scope) {
                (blocked, why) = (settlements, "\(state.scope) is outside \(author)'s scopes")
            } else if state.isDeleted, !restores {
                (blocked, why) = (
                    settlements.filter { $0.field != RecordSchema.deletedField },
                    "the record is deleted: settle its `deleted` first"
                )
            } else {
                continue
            }
            guard !blocked.isEmpty else { continue }
            guard rule != nil else {
                throw InspectError(.notAllowed, "cannot settle \(field!) of \(id.description.prefix(8)): \(why)")
            }
            left += blocked.map { $0.leaving(why) }
            let kept = settlements.filter { settlement in !blocked.contains { $0.field == settlement.field } }
            plan[id] = kept.isEmpty ? nil : kept
        }
        var ops: [String] = []
        if !dryRun {
            for (id, settlements) in plan.sorted(by: { $0.key.description < $1.key.description }) {
                let change = ResolutionNote.change(
                    settling: settlements.map { ($0.field, $0.value, $0.label) }, of: id, reason: reason)
                ops += try await inspected.store.write(change, as: author, within: scopes).map(\.id.description)
            }
            try await inspected.sendDecisions()
        }
        let settled = plan.values.flatMap { $0 }.sorted { ($0.record, $0.field) < ($1.record, $1.field) }
        if output.json {
            return print(
                try OutputOptions.json(
                    Result(author: author.rawValue, reason: reason, dryRun: dryRun, settled: settled + left, ops: ops)))
        }
        var table = TextTable(headers: ["记录 record", "标题 title", "字段 field", "取值 value", ""])
        table.rows =
            settled.map {
                [String($0.record.prefix(8)), TextTable.truncated($0.title, to: 20), $0.field, $0.label, ""]
            }
            + left.map {
                [
                    String($0.record.prefix(8)), TextTable.truncated($0.title, to: 20), $0.field, "-",
                    "left: \($0.left!)",
                ]
            }
        print(table.render())
        if dryRun {
            print(
                "\nDry run: nothing written. \(settled.count) field\(settled.count == 1 ? "" : "s") would be settled by \(author)."
            )
        } else {
            print(
                "\nSettled \(settled.count) field\(settled.count == 1 ? "" : "s") as \(author): \(reason)\n"
                    + "Every laptop receives the decision at its next sync.")
        }
    }

    /// The competing value `pick` names: its number, or exactly its value, one of its labels,
    /// or its op id. A pick that names several values, or none, is refused.
    static func match(_ pick: String, among competing: [Competitor], field: String, record: RecordID) throws
        -> Competitor
    {
        let byValue = competing.filter { competitor in
            var names = [competitor.value.description, competitor.op, competitor.label]
            names += competitor.label.split(separator: " ").map(String.init)
            if case .boolean(let deleted) = competitor.value { names.append(deleted ? "deleted" : "kept") }
            return names.contains(pick)
        }
        let byNumber = Int(pick).flatMap { number in competing.first { $0.pick == number } }
        let matches = Set((byValue + (byNumber.map { [$0] } ?? [])).map(\.pick))
        guard matches.count == 1, let match = competing.first(where: { $0.pick == matches.first }) else {
            let how =
                "give its number (1 to \(competing.count), as `gridsync-inspect show \(record.description.prefix(8))` "
                + "lists them), its value or its op id"
            throw InspectError(
                .badPick,
                matches.isEmpty
                    ? "--pick \(pick) is not one of the \(competing.count) competing values of \(field): \(how), or use --value"
                    : "--pick \(pick) names \(matches.count) of the competing values of \(field): \(how)")
        }
        return match
    }

    /// Who decides, and the scopes they may write.
    private func decider(_ inspected: Inspected) async throws -> (WorkerID, [GridScope]) {
        let identity = inspected.store.identity
        guard let accounts = inspected.accounts else {
            // A field replica: its own worker decides, within its own grids.
            if let author, author != identity.worker.rawValue {
                throw InspectError(
                    .notAllowed,
                    "this replica records for \(identity.worker), not \(author): resolve as \(identity.worker), or on the daemon's folder"
                )
            }
            return (identity.worker, identity.scopes)
        }
        guard let author, let worker = WorkerID(author) else {
            throw InspectError(
                .notAllowed, "say which office account decides: --as office-1 (see `gridsyncd worker list`)")
        }
        guard let account = try await accounts.account(worker), account.revokedAt == nil else {
            throw InspectError(.notAllowed, "\(worker) has no working account: see `gridsyncd worker list`")
        }
        guard account.role == .office else {
            throw InspectError(.notAllowed, "\(worker) is a grid worker: conflicts are settled by an office account")
        }
        return (worker, account.scopes)
    }

    /// The settlement `--pick` or `--value` asks for.
    private func choose(in store: any ReplicaStore, _ id: RecordID, field: String) async throws -> Settlement {
        guard let state = try await store.record(id) else {
            throw StoreError(.unknownRecord, "no record \(id) in \(inspect.place)")
        }
        let spec = try state.type.schema.field(field)
        guard spec.kind == .register else {
            throw InspectError(
                .noConflict, "\(field) is a \(spec.kind) field: it merges without conflicts, nothing to settle")
        }
        let conflict = ConflictView(state, field: field, history: try await store.history(of: id))
        guard !conflict.competing.isEmpty else {
            throw InspectError(
                .noConflict,
                "\(field) of \(id.description.prefix(8)) is not in conflict (it is \(Labels.label(state.value(field), of: field, in: state.type))): nothing to settle"
            )
        }
        let chosen: FieldValue
        if let pick {
            chosen = try Self.match(pick, among: conflict.competing, field: field, record: id).value
        } else {
            guard case .register(let domain) = spec.shape else {
                throw InspectError(.noConflict, "\(field) takes no value")
            }
            chosen = try domain.parse(value!, field: field)
        }
        return Settlement(
            record: id.description, title: Labels.title(state), field: field, value: chosen,
            label: Labels.label(chosen, of: field, in: state.type), left: nil)
    }

    /// The workers of the daemon's office accounts, for `--rule office`.
    private static func officeWorkers(in accounts: (any AccountBook)?) async throws -> Set<WorkerID> {
        guard let accounts else {
            throw InspectError(
                .needsDaemon, "--rule office needs the daemon's accounts: run it on the daemon's data folder")
        }
        return Set(try await accounts.list().filter { $0.role == .office }.map(\.worker))
    }

    /// The settlement a rule gives for a conflict, or why it leaves it.
    private func choose(_ conflict: ConflictView, rule: String, offices: Set<WorkerID>) -> Settlement {
        func settlement(_ competitor: Competitor?, left: String?) -> Settlement {
            Settlement(
                record: conflict.record.description, title: conflict.title, field: conflict.field,
                value: competitor?.value ?? .null, label: competitor?.label ?? "-", left: left)
        }
        if rule == "latest" { return settlement(conflict.competing.first, left: nil) }
        let office = conflict.competing.filter { WorkerID($0.author).map(offices.contains) ?? false }
        let distinct = Set(office.map(\.value))
        guard distinct.count == 1 else {
            return settlement(nil, left: office.isEmpty ? "no value by an office account" : "office accounts disagree")
        }
        return settlement(office[0], left: nil)
    }
}
