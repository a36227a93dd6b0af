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
/// form to record a demand, the demands.
///
/// Only the laptop's own user gets in: the address `gridsync ui` prints carries a random key,
/// which the first request turns into a cookie (`HttpOnly`, `SameSite=Strict`); any other
/// request is refused, so another local user's browser cannot read or write this replica.
/// Every form carries a token too. A save is one transaction in the replica, checked by the
/// same rules as the command line's flags (``EditBuilder``), so a refusal reads the same.
public struct FieldScreen: Sendable {
    let store: any ReplicaStore
    let key: String
    let formToken: String
    let timeZone: TimeZone
    let templates: MustacheLibrary
    /// Syncs the laptop and returns the summary `gridsync sync` prints, or throws what it
    /// said when it failed; `nil` for no sync button.
    let sync: (@Sendable () async throws -> String)?

    /// The cookie that holds the key.
    static let cookie = "gridsync_ui"

    /// A screen of `store`, opened with `key` (``newKey()``), dates in `timeZone`, whose sync
    /// button calls `sync`.
    public init(
        store: any ReplicaStore, key: String, timeZone: TimeZone = .current,
        sync: (@Sendable () async throws -> String)? = nil
    ) throws {
        self.store = store
        self.key = key
        self.formToken = Self.newKey()
        self.timeZone = timeZone
        self.sync = sync
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
        // A type the screen has no form for (here, a community: no form) is not found.
        router.get("/new/:type") { request, context in
            let type = RecordType(rawValue: context.parameters.get("type") ?? "") ?? .community
            return try await page(request) { try await recordForm(type, $0, typed: FormBody(""), error: nil) }
        }
        router.post("/new/:type") { request, context in
            try await saveRecord(RecordType(rawValue: context.parameters.get("type") ?? "") ?? .community, request)
        }
        router.get("/demands") { request, _ in try await page(request) { try await demands($0) } }
        router.post("/sync") { request, _ in try await syncNow(request) }
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

    /// Whether two keys are equal, in a time that does not depend on where they differ.
    static func same(_ first: String, _ second: String) -> Bool {
        let (a, b) = (Array(first.utf8), Array(second.utf8))
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    // MARK: - Pages

    /// A rendered page: its title and body.
    struct Page {
        var title: String
        var body: String
        var status: HTTPResponse.Status = .ok
    }

    /// Serves a page to the laptop's user, in their language (`?lang=en`).
    func page(_ request: Request, _ build: (Words) async throws -> Page) async throws -> Response {
        if let refusal = refusal(request) { return refusal }
        let words = Words(request.uri.queryParameters["lang"].map(String.init))
        return html(try await build(words), words: words)
    }

    /// `page` inside the layout, as an HTML response that runs no script and loads nothing else.
    func html(_ page: Page, words: Words) -> Response {
        struct Layout {
            struct Navigation {
                let today, newDemand, newVisit, demands: String
            }
            let lang, title, body, worker: String
            let words: Navigation
        }
        let layout = Layout(
            lang: words.code, title: page.title, body: page.body, worker: store.identity.worker.rawValue,
            words: .init(
                today: words("今天", "Today"), newDemand: words("记录诉求", "New demand"),
                newVisit: words("记录走访", "New visit"), demands: words("诉求", "Demands")
            ))
        return Response(
            status: page.status,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                HTTPField.Name("Content-Security-Policy")!:
                    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
            ],
            body: .init(byteBuffer: ByteBuffer(string: templates.render(layout, withTemplate: "layout") ?? "")))
    }

    /// Today's work: what is not synced yet, open conflicts, and the demands recorded today.
    func today(_ words: Words) async throws -> Page {
        struct Context {
            struct Card {
                let value, label: String
            }
            struct Row {
                let type, title, place: String
            }
            let heading, recordedHeading, none: String
            let cards: [Card]
            let recorded: [Row]
            /// The sync button's words and the form token, when the screen can sync.
            let syncLabel: String?
            let formToken: String
        }
        let status = try await store.status()
        let day = CalendarMonth.day(of: Date(), in: timeZone)
        var query = RecordQuery(type: .demand)
        query.days = RecordQuery.DayRange(first: day, last: day, timeZone: timeZone)
        let recorded = try await store.records(query)
        query.type = .visit
        let visits = try await store.records(query)
        let names = try await store.streetNames()
        let context = Context(
            heading: words("今天 \(day)", "Today, \(day)"),
            recordedHeading: words("今天记录的诉求和走访", "Demands and visits recorded today"),
            none: words("还没有。", "None yet."),
            cards: [
                .init(value: String(recorded.count), label: words("今天记录的诉求", "demands today")),
                .init(value: String(visits.count), label: words("今天的走访", "visits today")),
                .init(value: String(status.unsyncedOpCount), label: words("未同步的修改", "changes not synced")),
                .init(value: String(status.conflictCount), label: words("冲突", "conflicts")),
            ],
            recorded: recorded.map {
                .init(type: words("诉求", "demand"), title: Labels.title($0), place: names.label(of: $0.scope))
            }
                + visits.map {
                    .init(
                        type: words("走访", "visit"), title: $0.value("household").text ?? "",
                        place: names.label(.compound, $0.value("compound").text ?? ""))
                }, syncLabel: sync == nil ? nil : words("同步", "Sync"), formToken: formToken)
        return Page(title: context.heading, body: templates.render(context, withTemplate: "today") ?? "")
    }

    /// One field of a form: its label, whether it is required, what was typed or chosen.
    struct FormField {
        struct Choice {
            let key, label: String
            let selected: Bool
        }
        let name, label, value: String
        let required, multiline: Bool
        let choices: [Choice]
    }

    /// What the form of a record type asks, and what it sets when left empty, as `gridsync
    /// <type> add` does.
    struct RecordForm {
        let heading: Label
        /// The fields asked, in order; multiline ones in a text area.
        let fields: [(name: String, multiline: Bool)]
        /// Values set when the form leaves the field empty.
        let defaults: [String: String]
        /// Where a save leads.
        let after: String

        /// The form of `type`, if the screen has one.
        static func of(_ type: RecordType, worker: String, today: String) -> RecordForm? {
            switch type {
            case .demand:
                RecordForm(
                    heading: Label("记录诉求", "Record a demand"),
                    fields: [
                        ("title", false), ("category", false), ("urgency", false), ("compound", false),
                        ("building", false), ("description", true),
                    ],
                    defaults: ["status": DemandStatus.raised.key, "urgency": Urgency.normal.key], after: "/demands")
            case .visit:
                RecordForm(
                    heading: Label("记录走访", "Record a visit"),
                    fields: [
                        ("visited-on", false), ("purpose", false), ("compound", false), ("household", false),
                        ("observations", true),
                    ],
                    defaults: ["visited-on": today, "purpose": VisitPurpose.routine.key, "worker": worker], after: "/")
            default:
                nil
            }
        }
    }

    /// The form of `type`'s record, with what was `typed` and the `error` that refused it, if any.
    func recordForm(_ type: RecordType, _ words: Words, typed: FormBody, error: String?) async throws -> Page {
        struct Context {
            let heading, type, formToken, save: String
            let error: String?
            let fields: [FormField]
        }
        let today = CalendarMonth.day(of: Date(), in: timeZone)
        guard let form = RecordForm.of(type, worker: store.identity.worker.rawValue, today: today) else {
            return Page(title: "GridSync", body: "<h1>404</h1>", status: .notFound)
        }
        let scope = try self.scope()
        let compounds = try await store.streetEntries(.compound).filter {
            scope.grid == nil || $0.parent == nil || $0.parent == scope.grid?.rawValue
        }
        let fields = form.fields.compactMap { field -> FormField? in
            guard let spec = type.schema[field.name], case .register(let domain) = spec.shape else { return nil }
            var value = typed[field.name] ?? form.defaults[field.name] ?? ""
            let choices: [(key: String, label: String)]
            switch domain {
            case .choice(let set):
                choices = set.choices.map { ($0.key, words($0.label.chinese, $0.label.english)) }
                // A choice typed by its label (as the command line takes it) is shown chosen.
                if let key = set.key(parsing: value) { value = key }
            case .compound:
                choices = compounds.map { ($0.key, $0.name ?? $0.key) }
            default:
                choices = []
            }
            return FormField(
                name: field.name, label: words(spec.label.chinese, spec.label.english), value: value,
                required: spec.isRequired, multiline: field.multiline,
                choices: choices.map { .init(key: $0.key, label: $0.label, selected: $0.key == value) })
        }
        let context = Context(
            heading: words(form.heading.chinese, form.heading.english), type: type.key, formToken: formToken,
            save: words("保存", "Save"), error: error, fields: fields)
        return Page(
            title: context.heading, body: templates.render(context, withTemplate: "record-form") ?? "",
            status: error == nil ? .ok : .badRequest)
    }

    /// Saves the form of `type` as one new record, or shows the form again with why not.
    func saveRecord(_ type: RecordType, _ request: Request) async throws -> Response {
        if let refusal = refusal(request) { return refusal }
        let words = Words(request.uri.queryParameters["lang"].map(String.init))
        let today = CalendarMonth.day(of: Date(), in: timeZone)
        let body = FormBody(String(buffer: try await request.body.collect(upTo: 256 * 1024)))
        guard let token = body["csrf"], Self.same(token, formToken),
            let form = RecordForm.of(type, worker: store.identity.worker.rawValue, today: today)
        else {
            return html(Page(title: "GridSync", body: "<h1>403</h1>", status: .forbidden), words: words)
        }
        do {
            var builder = EditBuilder(type)
            for name in Set(form.fields.map(\.name)).union(form.defaults.keys).sorted() {
                try builder.set(name, body[name] ?? form.defaults[name])
            }
            let scope = try self.scope()
            let edits = try await builder.edits(resolvingLinksIn: store, scope: scope)
            _ = try await store.write(RecordChange(record: RecordID(), target: .create(type, in: scope), edits: edits))
        } catch {
            return html(try await recordForm(type, words, typed: body, error: "\(error)"), words: words)
        }
        return .redirect(to: form.after, type: .normal)
    }

    /// Syncs the laptop as `gridsync sync` does and shows its summary, or why it failed.
    func syncNow(_ request: Request) async throws -> Response {
        if let refusal = refusal(request) { return refusal }
        let words = Words(request.uri.queryParameters["lang"].map(String.init))
        let form = FormBody(String(buffer: try await request.body.collect(upTo: 64 * 1024)))
        guard let sync, let token = form["csrf"], Self.same(token, formToken) else {
            return html(Page(title: "GridSync", body: "<h1>403</h1>", status: .forbidden), words: words)
        }
        struct Context {
            let heading, summary: String
            let failed: Bool
        }
        let context: Context
        do {
            context = Context(heading: words("同步完成", "Synced"), summary: try await sync(), failed: false)
        } catch {
            context = Context(heading: words("同步未完成", "The sync did not finish"), summary: "\(error)", failed: true)
        }
        return html(
            Page(
                title: context.heading, body: templates.render(context, withTemplate: "synced") ?? "",
                status: context.failed ? .badGateway : .ok), words: words)
    }

    /// The demands, newest first.
    func demands(_ words: Words) async throws -> Page {
        struct Context {
            struct Row {
                let cells: [String]
            }
            let heading: String
            let columns: [String]
            let rows: [Row]
        }
        var query = RecordQuery(type: .demand)
        query.limit = 100
        let text = RecordText(timeZone: timeZone, names: try await store.streetNames())
        let schema = RecordType.demand.schema
        let columns = ["title", "category", "status", "compound"]
        let context = Context(
            heading: words("诉求", "Demands"),
            columns: columns.map { words(schema[$0]!.label.chinese, schema[$0]!.label.english) },
            rows: try await store.records(query).map { record in
                .init(cells: columns.map { text.value(record.value($0), of: schema[$0]!) })
            })
        return Page(title: context.heading, body: templates.render(context, withTemplate: "demands") ?? "")
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
