import Foundation
import GridAccounts
import GridModel
import GridStore
import GridWeb
import Hummingbird

/// The street's lists and the accounts of the session's communities: compounds and workers
/// by name, every account with its laptops, a form to add a worker (its token and the
/// daemon's certificate fingerprint shown once) and one to revoke a token.
extension Console {
    struct AccountsContext {
        struct Row {
            let cells: [String]
            let worker: String
            let revocable: Bool
        }
        struct Entry {
            let key: String
            let name: String
            let parent: String
        }
        let heading, formToken: String
        let error: String?
        let added: Added?
        let columns: [String]
        let rows: [Row]
        let compoundsHeading, workersHeading: String
        let compounds: [Entry]
        let workers: [Entry]
        let addHeading, workerLabel, gridsLabel, roleLabel, addLabel, revokeLabel, gridsHint: String
    }

    /// What adding a worker shows, once.
    struct Added {
        let heading: String
        let token: String
        let fingerprint: String?
        let howTo: String
    }

    func accountsPage(
        _ session: ConsoleSessions.Session, _ words: Words, error: String? = nil, added: Added? = nil
    ) async throws -> Page {
        let store = records.store
        let visible = try await accounts.list().filter { account in
            account.scopes.contains { session.scopes.covers($0) }
        }
        func entries(_ type: RecordType) async throws -> [AccountsContext.Entry] {
            try await store.streetEntries(type).map {
                .init(key: $0.key, name: $0.name ?? "", parent: $0.parent ?? "")
            }
        }
        let context = AccountsContext(
            heading: words("账号与街道名录", "Accounts and the street's lists"), formToken: session.formToken,
            error: error, added: added,
            columns: [
                words("账号", "Account"), words("角色", "Role"), words("范围", "Scopes"), words("令牌", "Token"),
                words("笔记本", "Laptops"),
            ],
            rows: visible.map { account in
                .init(
                    cells: [
                        account.worker.rawValue,
                        account.role == .office ? words("办公室", "office") : words("网格员", "grid worker"),
                        account.scopes.map(\.description).joined(separator: " "),
                        account.revokedAt == nil
                            ? account.tokenHint + "…"
                            : words("已吊销 ", "revoked ") + Labels.shortTime(iso: account.revokedAt!),
                        String(account.replicas.count),
                    ],
                    worker: account.worker.rawValue,
                    revocable: account.revokedAt == nil && account.worker != session.worker
                        && account.scopes.allSatisfy { session.scopes.covers($0) })
            },
            compoundsHeading: words("小区", "Compounds"), workersHeading: words("网格员", "Grid workers"),
            compounds: try await entries(.compound), workers: try await entries(.worker),
            addHeading: words("新增账号", "Add an account"), workerLabel: words("账号（如 w012）", "Account (e.g. w012)"),
            gridsLabel: words("网格（空格分隔）", "Grids (space-separated)"), roleLabel: words("办公室账号", "Office account"),
            addLabel: words("新增并显示令牌", "Add, and show its token"), revokeLabel: words("吊销令牌", "Revoke token"),
            gridsHint: words(
                "如 c01/g01 c01/g02；办公室账号填社区，如 c01",
                "e.g. c01/g01 c01/g02; an office account takes communities, e.g. c01"))
        return Page(title: context.heading, body: render("accounts", context), status: error == nil ? .ok : .badRequest)
    }

    /// Adds an account within the session's communities and shows its token once.
    func addAccount(_ request: Request) async throws -> Response {
        try await accountsForm(request) { session, form, words in
            guard let worker = form["worker"].flatMap(WorkerID.init) else {
                return try await accountsPage(
                    session, words,
                    error: words("账号写作 w012 这样的字母数字。", "Write the account like w012.") + " \(WorkerID.rule)")
            }
            let texts = (form["grids"] ?? "").split(whereSeparator: { $0 == " " || $0 == "," || $0 == "，" }).map(
                String.init)
            let scopes = texts.compactMap(GridScope.init)
            guard !scopes.isEmpty, scopes.count == texts.count else {
                return try await accountsPage(
                    session, words, error: words("请填写网格，如 c01/g01。", "Give the grids, such as c01/g01."))
            }
            guard scopes.allSatisfy({ session.scopes.covers($0) }) else {
                return try await accountsPage(
                    session, words, error: words("只能在您的社区内新增账号。", "Accounts can be added in your communities only."))
            }
            let role: WorkerRole = form["office"] == "on" ? .office : .worker
            do {
                let (_, token) = try await accounts.add(worker: worker, role: role, scopes: scopes)
                return try await accountsPage(
                    session, words,
                    added: Added(
                        heading: words("\(worker) 的令牌（只显示这一次）", "The token of \(worker) (shown this once)"),
                        token: token, fingerprint: settings.fingerprint,
                        howTo: words(
                            "交给网格员：gridsync init --worker \(worker) --grid \(texts[0])，然后 gridsync sync 时粘贴令牌。",
                            "Give it to the worker: gridsync init --worker \(worker) --grid \(texts[0]), then paste the token at gridsync sync."
                        )))
            } catch let error as AccountError {
                return try await accountsPage(session, words, error: error.message)
            }
        }
    }

    /// Revokes a token of an account within the session's communities (not the session's own).
    func revokeAccount(_ request: Request) async throws -> Response {
        try await accountsForm(request) { session, form, words in
            guard let worker = form["worker"].flatMap(WorkerID.init), worker != session.worker,
                let account = try await accounts.account(worker),
                account.scopes.allSatisfy({ session.scopes.covers($0) })
            else {
                return try await accountsPage(
                    session, words, error: words("不能吊销这个账号。", "This account cannot be revoked here."))
            }
            do {
                _ = try await accounts.revoke(worker: worker)
                await sessions.end(worker: worker)
                return try await accountsPage(session, words)
            } catch let error as AccountError {
                return try await accountsPage(session, words, error: error.message)
            }
        }
    }

    /// Runs a form of the accounts page with a checked session.
    private func accountsForm(
        _ request: Request, _ body: (ConsoleSessions.Session, FormBody, Words) async throws -> Page
    ) async throws -> Response {
        try await posted(request, back: "/accounts") { session, form, words in
            html(try await body(session, form, words), session: session, words: words)
        }
    }
}
