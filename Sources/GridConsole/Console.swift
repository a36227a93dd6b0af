import Foundation
import GridAccounts
import GridMerge
import GridModel
import GridStore
import GridWeb
import HTTPTypes
import Hummingbird
import Mustache
import NIOCore

/// The office's web console: office staff sign in with a password (`gridsyncd worker
/// passwd`) and see their communities' records, conflicts, laptops and monthly report, and
/// settle conflicts with the same edit `gridsync-inspect resolve` writes.
///
/// It reads the daemon's own replica (a folder's SQLite store, or the mirror of PostgreSQL's
/// op log), so it works on either store. Sessions live in memory, in a cookie that scripts
/// cannot read (`HttpOnly`, `SameSite=Strict`, `Secure` over TLS); every form carries the
/// session's form token; repeated failed sign-ins lock the account, and the address, for a
/// while (``SignInGuard``). Every value is escaped by the templates.
public struct Console: Sendable {
    /// Where the records are, and how a decision written there reaches the laptops.
    public struct Records: Sendable {
        /// The replica read and written.
        public let store: any ReplicaStore
        /// The op log laptops pull from, whose positions say how far behind each laptop is:
        /// the replica itself, or PostgreSQL's log that the replica mirrors.
        public let log: any ServerStore
        /// Called after a decision is written: sends it on (the mirror of PostgreSQL's op log
        /// sends it to the database); nothing for a folder's store, which the daemon serves.
        public let sendDecisions: @Sendable () async throws -> Void
        /// The photos laptops sent the daemon, shown under the records that name them.
        public let files: FileStore?

        /// Reads and writes `store`, whose laptops pull from `log` (`store` itself if `nil`);
        /// `sendDecisions` after each decision; shows the photos in `files`.
        public init(
            store: any ReplicaStore, log: (any ServerStore)? = nil, files: FileStore? = nil,
            sendDecisions: @escaping @Sendable () async throws -> Void = {}
        ) {
            self.store = store
            self.log = log ?? store
            self.files = files
            self.sendDecisions = sendDecisions
        }
    }

    /// What the console may be told.
    public struct Settings: Sendable {
        /// Whether it is served over TLS: cookies are then `Secure`.
        public var secure = true
        /// The office's time zone, for dates and months.
        public var timeZone = TimeZone.current
        /// Laptops silent longer than this many days are listed on the overview.
        public var silentDays = 7
        /// Laptops that have not received more than this many ops are listed on the overview
        /// (a grid's laptop receives a few dozen on an ordinary day).
        public var farBehind = 500
        /// The fingerprint of the daemon's certificate, shown with a new worker's token.
        public var fingerprint: String?

        /// The default settings.
        public init() {}
    }

    let records: Records
    let accounts: any AccountBook
    let settings: Settings
    let sessions = ConsoleSessions()
    let signIns = SignInGuard()
    let figures = FiguresCache<MonthlyReport>()
    let backlogs = FiguresCache<[ReplicaID: Int]>()
    let templates: MustacheLibrary

    /// The session cookie's name.
    static let sessionCookie = "gridsync_console"
    /// The language cookie's name.
    static let languageCookie = "gridsync_lang"
    /// The header that forbids scripts, framing and any source but this one.
    public static let contentSecurityPolicy = HTTPField.Name("Content-Security-Policy")!

    /// A console over `records`, with `accounts` for signing in.
    public init(records: Records, accounts: any AccountBook, settings: Settings = Settings()) throws {
        self.records = records
        self.accounts = accounts
        self.settings = settings
        templates = try ConsoleTemplates.library()
    }

    /// The console's routes.
    public func router() -> Router<ConsoleContext> {
        let router = Router(context: ConsoleContext.self)
        router.get("/sign-in") { request, _ in signInPage(request) }
        router.post("/sign-in") { request, context in try await signIn(request, context: context) }
        router.post("/sign-out") { request, _ in try await signOut(request) }
        router.get("/") { request, _ in try await page(request) { try await overview($0, $1) } }
        router.get("/records/:type") { request, context in
            let type = context.parameters.get("type") ?? ""
            return try await page(request) { try await list(type, request: request, $0, $1) }
        }
        router.get("/record/:id") { request, context in
            let id = context.parameters.get("id") ?? ""
            return try await page(request) { try await recordPage(id, $0, $1) }
        }
        router.get("/photo/:hex") { request, context in try await photo(context.parameters.get("hex") ?? "", request) }
        router.get("/conflicts") { request, _ in try await page(request) { try await conflicts($0, $1) } }
        router.post("/conflicts/settle") { request, _ in try await settle(request) }
        router.get("/devices") { request, _ in try await page(request) { try await devices($0, $1) } }
        router.get("/report") { request, _ in try await page(request) { try await reportPage(request, $0, $1) } }
        router.get("/report/file") { request, _ in try await reportFile(request) }
        router.get("/accounts") { request, _ in try await page(request) { try await accountsPage($0, $1) } }
        router.post("/accounts/add") { request, _ in try await addAccount(request) }
        router.post("/accounts/revoke") { request, _ in try await revokeAccount(request) }
        return router
    }

    // MARK: - Pages

    /// A rendered page: its title and body.
    struct Page {
        var title: String
        var body: String
        var status: HTTPResponse.Status = .ok
    }

    /// Serves a page to a signed-in person (else sends them to sign in), in their language.
    func page(_ request: Request, _ build: (ConsoleSessions.Session, Words) async throws -> Page) async throws
        -> Response
    {
        let words = Words(
            request.uri.queryParameters["lang"].map(String.init) ?? request.cookies[Self.languageCookie]?.value)
        guard let session = try await session(of: request) else {
            return .redirect(to: "/sign-in")
        }
        var response = html(try await build(session, words), session: session, words: words)
        if let language = request.uri.queryParameters["lang"] {
            response.setCookie(
                Cookie(
                    name: Self.languageCookie, value: Words(String(language)).code, path: "/",
                    secure: settings.secure, sameSite: .strict))
        }
        return response
    }

    /// The session a request's cookie names, if it is current and its account still works (a
    /// token revoked with `gridsyncd worker revoke` ends the account's sessions too).
    func session(of request: Request) async throws -> ConsoleSessions.Session? {
        guard let id = request.cookies[Self.sessionCookie]?.value, let session = await sessions.session(id) else {
            return nil
        }
        guard let account = try await accounts.account(session.worker), account.revokedAt == nil else {
            await sessions.end(worker: session.worker)
            return nil
        }
        return session
    }

    /// `page` inside the layout, as an HTML response that is never cached nor framed and runs no script.
    func html(_ page: Page, session: ConsoleSessions.Session?, words: Words) -> Response {
        let layout = Layout(
            lang: words.code, title: page.title, body: page.body, signedIn: session != nil,
            worker: session?.worker.rawValue ?? "", formToken: session?.formToken ?? "",
            otherLanguage: words.isEnglish ? "zh" : "en", otherLanguageName: words.isEnglish ? "中文" : "English",
            words: Layout.Navigation(words))
        let text = templates.render(layout, withTemplate: "layout") ?? ""
        return Response(
            status: page.status,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                Self.contentSecurityPolicy:
                    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'",
                HTTPField.Name("X-Content-Type-Options")!: "nosniff",
            ],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// Renders `template` with `context`.
    func render(_ template: String, _ context: Any) -> String {
        templates.render(context, withTemplate: template) ?? ""
    }

    /// A page with one message, an error or not.
    func message(
        _ heading: String, _ text: String, error: Bool, status: HTTPResponse.Status, back: String? = nil, words: Words
    )
        -> Page
    {
        Page(
            title: heading,
            body: render(
                "message",
                MessageContext(heading: heading, text: text, isError: error, back: back, backLabel: words("返回", "Back"))
            ),
            status: status)
    }

    /// What the layout shows.
    struct Layout {
        struct Navigation {
            let overview, demands, visits, projects, conflicts, devices, report, accounts, signOut: String
            init(_ words: Words) {
                overview = words("概览", "Overview")
                demands = words("居民诉求", "Demands")
                visits = words("入户走访", "Visits")
                projects = words("微项目", "Projects")
                conflicts = words("冲突", "Conflicts")
                devices = words("设备", "Laptops")
                report = words("月度报告", "Monthly report")
                accounts = words("账号", "Accounts")
                signOut = words("退出", "Sign out")
            }
        }
        let lang: String
        let title: String
        let body: String
        let signedIn: Bool
        let worker: String
        let formToken: String
        let otherLanguage: String
        let otherLanguageName: String
        let words: Navigation
    }

    struct MessageContext {
        let heading: String
        let text: String
        let isError: Bool
        let back: String?
        let backLabel: String
    }

    // MARK: - Forms

    /// The fields of a POST's form body (at most 64 KiB).
    func form(_ request: Request) async throws -> FormBody {
        let buffer = try await request.body.collect(upTo: 64 * 1024)
        return FormBody(String(buffer: buffer))
    }

    /// Runs `body` with a POST's form and session once the form carries that session's form
    /// token. Without a session the POST goes to sign in; with another token (a form from an
    /// older session, or from another site) it is refused, and nothing is done.
    func posted(
        _ request: Request, back: String,
        _ body: (ConsoleSessions.Session, FormBody, Words) async throws -> Response
    ) async throws -> Response {
        let words = Words(request.cookies[Self.languageCookie]?.value)
        let form = try await form(request)
        guard let session = try await session(of: request) else { return .redirect(to: "/sign-in") }
        guard let token = form["csrf"], Self.equal(token, session.formToken) else {
            return html(
                message(
                    words("表单已过期", "The form has expired"),
                    words("请重新打开页面再提交。", "Open the page again and resend."), error: true,
                    status: .forbidden, back: back, words: words),
                session: session, words: words)
        }
        return try await body(session, form, words)
    }

    /// Compares two strings in time independent of where they differ.
    static func equal(_ a: String, _ b: String) -> Bool {
        let (x, y) = (Array(a.utf8), Array(b.utf8))
        return x.count == y.count && zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
