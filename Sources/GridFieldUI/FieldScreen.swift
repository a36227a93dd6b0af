import Foundation
import GridMerge
import GridModel
import GridStore
import GridWeb
import HTTPTypes
import Hummingbird
import Mustache
import NIOCore

/// The grid worker's own screen (`gridsync ui`): the laptop's replica as a small web app on
/// the loopback address, for workers who are not command-line users. Pages: today's work, a
/// form for each record type, the lists with search and filters, a record's page with its
/// history, and a sync button that shows the sync's progress.
///
/// Only the laptop's own user gets in: the address `gridsync ui` prints carries a random key,
/// which the first request turns into a cookie (`HttpOnly`, `SameSite=Strict`); any other
/// request is refused, so another local user's browser cannot read or write this replica.
/// Every form carries a token too. A save is one transaction in the replica, checked by the
/// same rules as the command line's flags (``EditBuilder``), so a refusal reads the same.
public struct FieldScreen: Sendable {
    /// Syncs the laptop as `gridsync sync` does, telling `progress` how many edits it has
    /// sent and received so far, and returns the summary `gridsync sync` prints; throws what it
    /// said when it failed.
    public typealias Sync =
        @Sendable (_ progress: @escaping @Sendable (SyncRun.Progress) -> Void) async throws -> String

    let store: any ReplicaStore
    let key: String
    let formToken: String
    let timeZone: TimeZone
    let templates: MustacheLibrary
    /// The sync the button starts, if the screen has a sync button.
    let syncRun: SyncRun?
    /// The replica's photos, if the forms take photos and the record pages show them.
    let files: FileStore?

    /// The cookie that holds the key.
    static let cookie = "gridsync_ui"

    /// A screen of `store` and its photos in `files`, opened with `key` (``newKey()``), dates
    /// in `timeZone`, whose sync button calls `sync`.
    public init(
        store: any ReplicaStore, files: FileStore? = nil, key: String, timeZone: TimeZone = .current,
        sync: Sync? = nil
    ) throws {
        self.store = store
        self.files = files
        self.key = key
        self.formToken = Self.newKey()
        self.timeZone = timeZone
        self.syncRun = sync.map(SyncRun.init)
        templates = try FieldTemplates.library()
    }

    /// A random key: 256 bits, in hex.
    public static func newKey() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in String(format: "%016llx", generator.next() as UInt64) }.joined()
    }

    /// The screen's routes.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/") { request, _ in try await page(request) { try await today($0) } }
        router.get("/new/:type") { request, context in
            try await page(request) { words in
                try await recordForm(
                    RecordType(rawValue: context.parameters.get("type") ?? ""), words, typed: FormBody(""), refusal: nil
                )
            }
        }
        router.post("/new/:type") { request, context in
            try await saveRecord(RecordType(rawValue: context.parameters.get("type") ?? ""), request)
        }
        router.get("/records/:type") { request, context in
            try await page(request) { try await list(context.parameters.get("type") ?? "", request, $0) }
        }
        router.get("/record/:id") { request, context in
            try await page(request) { try await recordPage(context.parameters.get("id") ?? "", $0) }
        }
        router.get("/photo/:hex") { request, context in try photo(context.parameters.get("hex") ?? "", request) }
        router.post("/sync") { request, _ in try await startSync(request) }
        router.get("/sync") { request, _ in try await page(request) { try await syncPage($0) } }
        return router
    }

    // MARK: - Access

    /// `nil` if the request may go on (its cookie holds the key); else the answer: a request
    /// with the key in its address gets the cookie and is sent on, any other one is refused.
    func refusal(_ request: Request) -> Response? {
        if let held = request.cookies[Self.cookie]?.value, Self.same(held, key) { return nil }
        if let given = request.uri.queryParameters["key"].map(String.init), Self.same(given, key) {
            var response = Response.redirect(to: request.uri.path, type: .normal)
            response.setCookie(Cookie(name: Self.cookie, value: key, path: "/", secure: false, sameSite: .strict))
            return response
        }
        return html(
            Page(
                title: "GridSync",
                body: "<h1>请打开 gridsync ui 给出的地址</h1><p>Open the address that <code>gridsync ui</code> printed.</p>",
                status: .forbidden), words: Words(nil))
    }

    /// Whether a form's token is this screen's.
    func carriesToken(_ form: FormBody) -> Bool {
        form["csrf"].map { Self.same($0, formToken) } ?? false
    }

    /// Whether two keys are equal, in a time that does not depend on where they differ.
    static func same(_ first: String, _ second: String) -> Bool {
        let (a, b) = (Array(first.utf8), Array(second.utf8))
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    // MARK: - Pages

    /// A rendered page: its title and body, and whether the browser reloads it each second
    /// (while a sync runs).
    struct Page {
        var title: String
        var body: String
        var status: HTTPResponse.Status = .ok
        var reloads = false
    }

    /// The page of anything not found.
    static let notFound = Page(title: "GridSync", body: "<h1>404</h1>", status: .notFound)

    /// The cookie that keeps the language chosen.
    static let languageCookie = "gridsync_ui_lang"

    /// The request's language: `?lang=en` or `?lang=zh`, else the one chosen before, else Chinese.
    static func words(_ request: Request) -> Words {
        Words(request.uri.queryParameters["lang"].map(String.init) ?? request.cookies[languageCookie]?.value)
    }

    /// Serves a page to the laptop's user, in their language (kept for the next pages when chosen).
    func page(_ request: Request, _ build: (Words) async throws -> Page) async throws -> Response {
        if let refusal = refusal(request) { return refusal }
        let words = Self.words(request)
        var response = html(try await build(words), words: words)
        if request.uri.queryParameters["lang"] != nil {
            response.setCookie(
                Cookie(name: Self.languageCookie, value: words.code, path: "/", secure: false, sameSite: .strict))
        }
        return response
    }

    /// `page` inside the layout, as an HTML response that runs no script and loads nothing else.
    func html(_ page: Page, words: Words) -> Response {
        struct Layout {
            struct Navigation {
                let today, newDemand, newVisit, newProject, demands, visits, projects: String
            }
            let lang, title, body, worker: String
            let reloads: Bool
            let words: Navigation
        }
        let layout = Layout(
            lang: words.code, title: page.title, body: page.body, worker: store.identity.worker.rawValue,
            reloads: page.reloads,
            words: .init(
                today: words("今天", "Today"), newDemand: words("记录诉求", "New demand"),
                newVisit: words("记录走访", "New visit"), newProject: words("发起项目", "New project"),
                demands: words("诉求", "Demands"), visits: words("走访", "Visits"), projects: words("项目", "Projects")
            ))
        return Response(
            status: page.status,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                HTTPField.Name("Content-Security-Policy")!:
                    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'",
                HTTPField.Name("X-Content-Type-Options")!: "nosniff",
            ],
            body: .init(byteBuffer: ByteBuffer(string: templates.render(layout, withTemplate: "layout") ?? "")))
    }

    /// A list of one type's records, with search and filters; compounds offered by name.
    func list(_ typeKey: String, _ request: Request, _ words: Words) async throws -> Page {
        guard let type = RecordType(rawValue: typeKey),
            let list = try await RecordList.read(
                type, query: FormBody(request.uri.query ?? ""), from: store,
                for: .laptop(store.identity.scopes), compounds: try await compounds(), timeZone: timeZone,
                words: words)
        else { return Self.notFound }
        return Page(title: list.heading, body: templates.render(list, withTemplate: "records") ?? "")
    }

    /// A record's page: its fields, links and history.
    func recordPage(_ id: String, _ words: Words) async throws -> Page {
        guard
            let view = try await RecordView.read(
                id, from: store, for: .laptop(store.identity.scopes), timeZone: timeZone, words: words),
            let recordID = RecordID(view.id), let record = try await store.record(recordID)
        else { return Self.notFound }
        return Page(
            title: view.title,
            body: (templates.render(view, withTemplate: "record") ?? "") + photos(of: record, words))
    }

    /// The record's photos, as pictures when this laptop holds them.
    func photos(of record: RecordState, _ words: Words) -> String {
        guard let files, let photos = RecordPhotos.of(record, in: files, words: words) else { return "" }
        return templates.render(photos, withTemplate: "photos") ?? ""
    }

    /// A photo this laptop holds, by the hexadecimal digits of its id.
    func photo(_ hex: String, _ request: Request) throws -> Response {
        if let refusal = refusal(request) { return refusal }
        guard let files, let response = PhotoFile.response(hex, in: files) else {
            return html(Self.notFound, words: Self.words(request))
        }
        return response
    }

    /// The compounds of the replica's grids, for pickers by name.
    func compounds() async throws -> [StreetEntry] {
        let grids = Set(store.identity.scopes.compactMap { $0.grid?.rawValue })
        return try await store.streetEntries(.compound).filter { entry in
            grids.isEmpty || entry.parent.map(grids.contains) ?? true
        }
    }

    /// Where a new record goes: the replica's one scope (a worker's grid, an office's community).
    func scope() throws -> GridScope {
        guard let scope = store.identity.scopes.first, store.identity.scopes.count == 1 else {
            throw FieldScreenError(
                "this replica works in several grids (\(store.identity.scopes.map(\.description).joined(separator: ", "))): "
                    + "record with `gridsync demand add --grid …` for now")
        }
        return scope
    }
}

/// Why the worker's screen cannot do what was asked.
struct FieldScreenError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
