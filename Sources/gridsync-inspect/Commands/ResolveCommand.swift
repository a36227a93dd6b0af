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

    /// How the note of a resolution starts, so that `history` can find it.
    static let notePrefix = "解决冲突 resolved"

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
        let left: String?
    }

    struct Result: Encodable {
        let author: String
        let reason: String
        let dryRun: Bool
        let settled: [Settlement]
        let ops: [String]
    }

    func run() async throws {
        let inspected = try inspect.open()
        let (author, scopes) = try await decider(inspected)
        var plan: [RecordID: [Settlement]] = [:]
        var left: [Settlement] = []
        if let rule {
            for conflict in try await ConflictView.all(in: inspected.store, filter: filter) {
                let settlement = try await choose(conflict, rule: rule, accounts: inspected.accounts)
                if settlement.left == nil {
                    plan[RecordID(conflict.record)!, default: []].append(settlement)
                } else {
                    left.append(settlement)
                }
            }
        } else {
            let id = try await inspected.store.findRecord(record!, type: nil)
            plan[id] = [try await choose(in: inspected.store, id, field: field!)]
        }
        var ops: [String] = []
        if !dryRun {
            for (id, settlements) in plan.sorted(by: { $0.key.description < $1.key.description }) {
                let fields = settlements.map { "\($0.field) → \($0.label)" }.joined(separator: "; ")
                let note = LogEntry(["text": .text("\(Self.notePrefix) \(fields): \(reason)")])
                // The note first: settling `deleted` may delete the record, which takes no notes after.
                let change = RecordChange(
                    record: id, target: .edit,
                    edits: [.append("notes", note)] + settlements.map { .assign($0.field, $0.value) })
                ops += try await inspected.store.write(change, as: author, within: scopes).map(\.id.description)
            }
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
    private func choose(in store: SQLiteReplicaStore, _ id: RecordID, field: String) async throws -> Settlement {
        guard let state = try await store.record(id) else {
            throw StoreError(.unknownRecord, "no record \(id) in \(inspect.folder)")
        }
        guard let spec = state.type.schema[field] else {
            throw InspectError(
                .unknownField,
                "a \(state.type.key) has no field '\(field)': its fields are "
                    + state.type.schema.fields.map(\.name).joined(separator: ", "))
        }
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
            let match =
                Int(pick).flatMap { number in conflict.competing.first { $0.pick == number } }
                ?? conflict.competing.first {
                    $0.value.description == pick || $0.label == pick || $0.label.hasPrefix(pick + " ")
                }
            guard let match else {
                throw InspectError(
                    .badPick,
                    "--pick \(pick) is not one of the \(conflict.competing.count) competing values of \(field): give 1 to "
                        + "\(conflict.competing.count), as `gridsync-inspect show \(id.description.prefix(8))` numbers them, or use --value"
                )
            }
            chosen = match.value
        } else if case .register(let domain) = spec.shape {
            chosen = try domain.parse(value!, field: field)
        } else {
            chosen = .null
        }
        return Settlement(
            record: id.description, title: Labels.title(state), field: field, value: chosen,
            label: Labels.label(chosen, of: field, in: state.type), left: nil)
    }

    /// The settlement a rule gives for a conflict, or why it leaves it.
    private func choose(_ conflict: ConflictView, rule: String, accounts: AccountStore?) async throws -> Settlement {
        func settlement(_ competitor: Competitor?, left: String?) -> Settlement {
            Settlement(
                record: conflict.record, title: conflict.title, field: conflict.field,
                value: competitor?.value ?? .null, label: competitor?.label ?? "-", left: left)
        }
        if rule == "latest" { return settlement(conflict.competing.first, left: nil) }
        guard let accounts else {
            throw InspectError(
                .needsDaemon, "--rule office needs the daemon's accounts: run it on the daemon's data folder")
        }
        var office: [Competitor] = []
        for competitor in conflict.competing {
            if let worker = WorkerID(competitor.author), try await accounts.account(worker)?.role == .office {
                office.append(competitor)
            }
        }
        let distinct = Set(office.map(\.value))
        guard distinct.count == 1 else {
            return settlement(nil, left: office.isEmpty ? "no value by an office account" : "office accounts disagree")
        }
        return settlement(office[0], left: nil)
    }
}
