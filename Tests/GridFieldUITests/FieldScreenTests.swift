import Foundation
import GridFieldUI
import GridMerge
import GridModel
import GridStore
import GridTesting
import GridWeb
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// The grid worker's own screen, in process: only the address's key lets a browser in, and a
/// demand recorded through the form is checked as the command line checks it, refused in the
/// same words with nothing written, or saved and listed.
@Suite struct FieldScreenTests {
    /// A worker's replica of c01/g01 and its screen.
    static func withScreen(
        _ body: (SQLiteReplicaStore, String, Application<RouterResponder<BasicRequestContext>>) async throws -> Void
    ) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gridsync-ui-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try SQLiteReplicaStore.create(
            in: folder.path,
            identity: ReplicaIdentity(replica: .random(), worker: WorkerID("w001")!, scopes: [GridScope("c01/g01")!]))
        let key = FieldScreen.newKey()
        let screen = try FieldScreen(store: store, key: key)
        try await body(store, key, Application(router: screen.router()))
    }

    @Test func onlyTheAddresssKeyLetsABrowserIn() async throws {
        try await Self.withScreen { _, key, app in
            try await app.test(.router) { client in
                for uri in ["/", "/records/demand", "/new/demand", "/?key=not-the-key"] {
                    try await client.execute(uri: uri, method: .get) { #expect($0.status == .forbidden, "\(uri)") }
                }
                let cookie = try await client.execute(uri: "/?key=\(key)", method: .get) { response in
                    #expect(response.status == .seeOther && response.headers[.location] == "/")
                    let cookie = try #require(response.headers[.setCookie])
                    #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "\(cookie)")
                    return String(cookie.prefix { $0 != ";" })
                }
                try await client.execute(uri: "/", method: .get, headers: [.cookie: cookie]) { response in
                    #expect(response.status == .ok && String(buffer: response.body).contains("今天"))
                    #expect(
                        response.headers[HTTPField.Name("Content-Security-Policy")!]?.contains("default-src 'none'")
                            == true)
                }
                // A save without the form's token (another site's page posting here) is refused.
                let forged = try await Self.post(client, cookie: cookie, ["title": "x", "category": "other"])
                #expect(forged.status == .forbidden)
            }
        }
    }

    @Test func aDemandIsCheckedAsTheCommandLineChecksItThenSavedAndListed() async throws {
        try await Self.withScreen { store, key, app in
            try await app.test(.router) { client in
                let cookie = "gridsync_ui=\(key)"
                let form = try await client.execute(uri: "/new/demand", method: .get, headers: [.cookie: cookie]) {
                    String(buffer: $0.body)
                }
                let token = try #require(form.firstMatch(of: /name="csrf" value="([0-9a-f]+)"/).map { String($0.1) })
                #expect(
                    form.contains(#"<span class="required">诉求</span>"#) && form.contains(#"<select name="category">"#))

                // Without a title: the command line's words, the form kept as typed, nothing written.
                let refused = try await Self.post(
                    client, cookie: cookie, ["csrf": token, "category": "便民服务", "description": "三楼"])
                #expect(refused.status == .badRequest)
                #expect(refused.body.contains("a new demand needs title"), "\(refused.body)")
                #expect(refused.body.contains(#"<option value="convenience" selected>"#) && refused.body.contains("三楼"))
                #expect(try await store.records(RecordQuery(type: .demand)).isEmpty)

                let saved = try await Self.post(
                    client, cookie: cookie, ["csrf": token, "title": "<b>楼道灯</b>坏了", "category": "便民服务"])
                #expect(saved.status == .seeOther, "\(saved.body)")
                let demands = try await store.records(RecordQuery(type: .demand))
                #expect(demands.count == 1)
                #expect(demands.first?.value("category") == .text("convenience"))
                #expect(
                    demands.first?.value("status") == .text("raised")
                        && demands.first?.value("urgency") == .text("normal"))
                let list = try await client.execute(uri: "/records/demand", method: .get, headers: [.cookie: cookie]) {
                    String(buffer: $0.body)
                }
                #expect(list.contains("&lt;b&gt;楼道灯&lt;/b&gt;坏了") && !list.contains("<b>楼道灯"), "\(list)")
                let today = try await client.execute(uri: "/", method: .get, headers: [.cookie: cookie]) {
                    String(buffer: $0.body)
                }
                #expect(today.contains("&lt;b&gt;楼道灯&lt;/b&gt;坏了"), "\(today)")
            }
        }
    }

    /// A visit needs only what the worker saw: the day is today's, the worker the replica's,
    /// the purpose routine, unless chosen, as with `gridsync visit add`.
    @Test func aVisitTakesTodayAndTheReplicasWorkerUnlessGiven() async throws {
        try await Self.withScreen { store, key, app in
            try await app.test(.router) { client in
                let cookie = "gridsync_ui=\(key)"
                let form = try await client.execute(uri: "/new/visit", method: .get, headers: [.cookie: cookie]) {
                    String(buffer: $0.body)
                }
                let token = try #require(form.firstMatch(of: /name="csrf" value="([0-9a-f]+)"/).map { String($0.1) })
                let today = CalendarMonth.day(of: Date(), in: .current)
                #expect(form.contains(#"<input name="visited-on" value="\#(today)">"#), "\(form)")
                let badDay = try await Self.post(
                    client, "/new/visit", cookie: cookie,
                    ["csrf": token, "visited-on": "2026-13-40", "household": "3栋"])
                #expect(badDay.status == .badRequest && badDay.body.contains("visited-on"), "\(badDay.body)")
                #expect(try await store.records(RecordQuery(type: .visit)).isEmpty)
                let saved = try await Self.post(
                    client, "/new/visit", cookie: cookie, ["csrf": token, "household": "3栋2单元401"])
                #expect(saved.status == .seeOther, "\(saved.body)")
                let visit = try #require(try await store.records(RecordQuery(type: .visit)).first)
                #expect(visit.value("visited-on") == .text(today) && visit.value("worker") == .text("w001"))
                #expect(visit.value("purpose") == .text("routine"))
                let page = try await client.execute(uri: "/", method: .get, headers: [.cookie: cookie]) {
                    String(buffer: $0.body)
                }
                #expect(page.contains("3栋2单元401"), "\(page)")
                try await client.execute(uri: "/new/community", method: .get, headers: [.cookie: cookie]) {
                    #expect($0.status == .notFound, "the street's reference data has no form")
                }
            }
        }
    }

    struct Posted {
        let status: HTTPResponse.Status
        let body: String
    }

    /// POSTs the demand form.
    static func post(
        _ client: some TestClientProtocol, _ path: String = "/new/demand", cookie: String, _ fields: [String: String]
    ) async throws -> Posted {
        let body = fields.map { "\($0.key)=\(FormBody.encode($0.value))" }.joined(separator: "&")
        return try await client.execute(
            uri: path, method: .post,
            headers: [.contentType: "application/x-www-form-urlencoded", .cookie: cookie],
            body: ByteBuffer(string: body)
        ) { Posted(status: $0.status, body: String(buffer: $0.body)) }
    }
}
