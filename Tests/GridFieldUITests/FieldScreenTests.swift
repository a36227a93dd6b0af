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

/// The grid worker's own screen, in process: only the address's key lets a browser in; a
/// record made through a form is checked as the command line checks it, refused in the same
/// words with nothing written, or saved and listed; lists filter and search; a record's page
/// shows its history; the sync button shows the sync's progress and then its summary.
@Suite struct FieldScreenTests {
    /// A worker's replica of c01/g01 and its screen.
    static func withScreen(
        sync: FieldScreen.Sync? = nil,
        _ body: (SQLiteReplicaStore, String, Application<RouterResponder<BasicRequestContext>>) async throws -> Void
    ) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gridsync-ui-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try SQLiteReplicaStore.create(
            in: folder.path,
            identity: ReplicaIdentity(replica: .random(), worker: WorkerID("w001")!, scopes: [GridScope("c01/g01")!]))
        let key = FieldScreen.newKey()
        let files = FileStore(replicaFolder: folder.path, limits: FileLimits(fileBytes: 100_000))
        let screen = try FieldScreen(store: store, files: files, key: key, sync: sync)
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
                #expect(refused.body.contains("没有保存：请检查「诉求」。"), "\(refused.body)")
                #expect(refused.body.contains(#"<label class="refused"><span class="required">诉求</span>"#))
                #expect(refused.body.contains(#"<option value="convenience" selected>"#) && refused.body.contains("三楼"))
                #expect(try await store.records(RecordQuery(type: .demand)).isEmpty)

                // No resident backs a new demand: refused as the command line refuses --backers 0.
                let unbacked = try await Self.post(
                    client, cookie: cookie, ["csrf": token, "title": "楼道灯坏了", "category": "便民服务", "backers": "0"])
                #expect(
                    unbacked.status == .badRequest
                        && unbacked.body.contains("is not allowed (out-of-range): use 1 or more"))
                #expect(unbacked.body.contains("没有保存：请检查「支持居民数」。"), "\(unbacked.body)")
                #expect(try await store.records(RecordQuery(type: .demand)).isEmpty)

                let saved = try await Self.post(
                    client, cookie: cookie,
                    ["csrf": token, "title": "<b>楼道灯</b>坏了", "category": "便民服务", "backers": "12", "tags": "照明、 楼道,夜间"])
                #expect(saved.status == .seeOther, "\(saved.body)")
                let demands = try await store.records(RecordQuery(type: .demand))
                #expect(demands.count == 1)
                #expect(demands.first?.counters["backers"]?.value == 12)
                #expect(Set(demands.first?.sets["tags"]?.elements ?? []) == ["照明", "楼道", "夜间"])
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
                let offEarth = try await Self.post(
                    client, "/new/visit", cookie: cookie, ["csrf": token, "household": "3栋", "place": "139.9,116.4"])
                #expect(offEarth.status == .badRequest && offEarth.body.contains("没有保存：请检查「位置」。"), "\(offEarth.body)")
                #expect(try await store.records(RecordQuery(type: .visit)).isEmpty)
                #expect(try await store.records(RecordQuery(type: .visit)).isEmpty)
                let saved = try await Self.post(
                    client, "/new/visit", cookie: cookie,
                    ["csrf": token, "household": "3栋2单元401", "place": "39.9042， 116.4074， 8"])
                #expect(saved.status == .seeOther, "\(saved.body)")
                let visit = try #require(try await store.records(RecordQuery(type: .visit)).first)
                #expect(visit.value("visited-on") == .text(today) && visit.value("worker") == .text("w001"))
                #expect(visit.value("purpose") == .text("routine"))
                #expect(visit.value("place") == .text("39.904200,116.407400,8"))
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

    /// A project starts at the collect stage unless chosen, and takes only a project's
    /// categories, refused in the command line's words.
    @Test func aProjectStartsAtTheCollectStageAndTakesAProjectsCategory() async throws {
        try await Self.withScreen { store, key, app in
            try await app.test(.router) { client in
                let cookie = "gridsync_ui=\(key)"
                let form = try await Self.get(client, "/new/project", cookie: cookie)
                let token = try #require(form.firstMatch(of: /name="csrf" value="([0-9a-f]+)"/).map { String($0.1) })
                #expect(form.contains(#"<option value="collect" selected>"#), "\(form)")
                let refused = try await Self.post(
                    client, "/new/project", cookie: cookie, ["csrf": token, "title": "楼道微消防站", "category": "其他"])
                #expect(refused.status == .badRequest && refused.body.contains("category"), "\(refused.body)")
                #expect(try await store.records(RecordQuery(type: .project)).isEmpty)
                let saved = try await Self.post(
                    client, "/new/project", cookie: cookie,
                    ["csrf": token, "title": "楼道微消防站", "category": "消防安全", "proposer": "3栋居民"])
                #expect(saved.status == .seeOther, "\(saved.body)")
                let project = try #require(try await store.records(RecordQuery(type: .project)).first)
                #expect(project.value("stage") == .text("collect") && project.value("category") == .text("fire-safety"))
                #expect(try await Self.get(client, "/records/project", cookie: cookie).contains("楼道微消防站"))
            }
        }
    }

    /// The lists filter by category and status and search the free text; a record's page shows
    /// its fields and who changed what; an id that is not a record of this laptop is not found.
    @Test func listsFilterAndSearchAndARecordsPageShowsItsHistory() async throws {
        try await Self.withScreen { store, key, app in
            try await app.test(.router) { client in
                let cookie = "gridsync_ui=\(key)"
                let token = try #require(
                    try await Self.get(client, "/new/demand", cookie: cookie)
                        .firstMatch(of: /name="csrf" value="([0-9a-f]+)"/).map { String($0.1) })
                for (title, category, description) in [
                    ("楼道堆物清理", "消防安全", "三楼楼梯间堆满纸箱"), ("路灯不亮", "便民服务", "东门口"),
                    ("电动车楼道充电", "消防安全", "二单元"),
                ] {
                    let saved = try await Self.post(
                        client, cookie: cookie,
                        ["csrf": token, "title": title, "category": category, "description": description])
                    #expect(saved.status == .seeOther, "\(saved.body)")
                }
                let fire = try await Self.get(client, "/records/demand?category=fire-safety", cookie: cookie)
                #expect(fire.contains("楼道堆物清理") && fire.contains("电动车楼道充电") && !fire.contains("路灯不亮"))
                #expect(fire.contains(#"<option value="fire-safety" selected>"#))
                let searched = try await Self.get(client, "/records/demand?q=\(FormBody.encode("纸箱"))", cookie: cookie)
                #expect(searched.contains("楼道堆物清理") && !searched.contains("电动车楼道充电"), "\(searched)")
                #expect(
                    try await Self.get(client, "/records/demand?status=resolved", cookie: cookie).contains("楼道")
                        == false)
                #expect(!fire.contains(#"name="grid""#), "a grid's laptop has no grid to choose")

                let demand = try #require(
                    try await store.records(RecordQuery(type: .demand)).first { $0.value("title") == .text("路灯不亮") })
                let page = try await Self.get(client, "/record/\(demand.id)", cookie: cookie)
                #expect(page.contains("<h1>路灯不亮</h1>") && page.contains("东门口") && page.contains("修改记录"))
                #expect(page.contains("<td>w001</td>"), "the history names who wrote it: \(page)")
                try await client.execute(uri: "/record/\(RecordID())", method: .get, headers: [.cookie: cookie]) {
                    #expect($0.status == .notFound)
                }
                try await client.execute(uri: "/records/community", method: .get, headers: [.cookie: cookie]) {
                    #expect($0.status == .notFound)
                }
                // English when asked, and on the next pages too.
                let english = try await client.execute(
                    uri: "/records/demand?lang=en", method: .get, headers: [.cookie: cookie]
                ) { response in
                    #expect(String(buffer: response.body).contains("<h1>Demands</h1>"))
                    return try #require(response.headers[.setCookie]).prefix { $0 != ";" }
                }
                let next = try await Self.get(client, "/record/\(demand.id)", cookie: "\(cookie); \(english)")
                #expect(next.contains("History") && next.contains(#"<html lang="en">"#), "\(next)")
            }
        }
    }

    /// The button starts one sync: its page reloads while it runs, showing what has moved, and
    /// then shows the summary; pressing again meanwhile does not start a second one.
    @Test func theSyncPageShowsProgressThenTheSummary() async throws {
        let (reports, reporter) = AsyncStream.makeStream(of: (@Sendable (SyncRun.Progress) -> Void).self)
        let (release, released) = AsyncStream.makeStream(of: Void.self)
        let started = Counter()
        let sync: FieldScreen.Sync = { progress in
            await started.add()
            reporter.yield(progress)
            for await _ in release { break }
            return "synced with 127.0.0.1:7420: sent 3 edits, received 5; 0 new conflicts (0 open)"
        }
        try await Self.withScreen(sync: sync) { _, key, app in
            try await app.test(.router) { client in
                let cookie = "gridsync_ui=\(key)"
                #expect(try await Self.get(client, "/sync", cookie: cookie).contains("还没有同步"))
                let token = try #require(
                    try await Self.get(client, "/", cookie: cookie)
                        .firstMatch(of: /name="csrf" value="([0-9a-f]+)"/).map { String($0.1) })
                let pressed = try await Self.post(client, "/sync", cookie: cookie, ["csrf": token])
                #expect(pressed.status == .seeOther)
                var progress = reports.makeAsyncIterator()
                let report = try #require(await progress.next())
                report(SyncRun.Progress(sent: 3, received: 0))
                report(SyncRun.Progress(sent: 3, received: 2))
                var running = ""
                for _ in 0..<100 where !running.contains("已收到 2 条") {
                    try await Task.sleep(for: .milliseconds(10))
                    running = try await Self.get(client, "/sync", cookie: cookie)
                }
                #expect(running.contains("正在同步") && running.contains("已发送 3 条修改，已收到 2 条"), "\(running)")
                #expect(running.contains(#"<meta http-equiv="refresh" content="1">"#))
                _ = try await Self.post(client, "/sync", cookie: cookie, ["csrf": token])
                released.yield()
                var ended = running
                for _ in 0..<100 where !ended.contains("同步完成") {
                    try await Task.sleep(for: .milliseconds(10))
                    ended = try await Self.get(client, "/sync", cookie: cookie)
                }
                #expect(ended.contains("同步完成") && ended.contains("sent 3 edits, received 5"), "\(ended)")
                #expect(!ended.contains("http-equiv"))
                #expect(await started.value == 1, "a second press while one ran started another")
            }
        }
    }

    /// A photo chosen with the form's button is kept with the record, shown on its page from
    /// this laptop's files; one over the limit is refused on the page, and nothing is written.
    @Test func aPhotoChosenInTheFormIsKeptAndShown() async throws {
        try await Self.withScreen { store, key, app in
            try await app.test(.router) { client in
                let cookie = "gridsync_ui=\(key)"
                let form = try await Self.get(client, "/new/demand", cookie: cookie)
                #expect(form.contains(#"enctype="multipart/form-data""#) && form.contains(#"name="photo""#))
                let token = try #require(form.firstMatch(of: /name="csrf" value="([0-9a-f]+)"/).map { String($0.1) })
                let jpeg = Data([0xFF, 0xD8, 0xFF, 0xE0] + (0..<5_000).map { UInt8(truncatingIfNeeded: $0) })
                let fields = ["csrf": token, "title": "楼道堆满纸箱", "category": "消防安全"]
                let saved = try await Self.postMultipart(client, cookie: cookie, fields, photo: jpeg)
                #expect(saved.status == .seeOther, "\(saved.body)")
                let demand = try #require(try await store.records(RecordQuery(type: .demand)).first)
                let id = FileID(of: jpeg)
                #expect(demand.sets["photos"]?.elements == [id.rawValue])
                let page = try await Self.get(client, "/record/\(demand.id)", cookie: cookie)
                #expect(page.contains(#"<img src="/photo/\#(id.hex)""#), "\(page)")
                try await client.execute(uri: "/photo/\(id.hex)", method: .get, headers: [.cookie: cookie]) {
                    #expect($0.status == .ok && $0.headers[.contentType] == "image/jpeg")
                    #expect(Data(buffer: $0.body) == jpeg)
                }
                try await client.execute(uri: "/photo/\(id.hex)", method: .get) { #expect($0.status == .forbidden) }
                let unknown = String(repeating: "0", count: 64)
                try await client.execute(uri: "/photo/\(unknown)", method: .get, headers: [.cookie: cookie]) {
                    #expect($0.status == .notFound)
                }

                let big = try await Self.postMultipart(
                    client, cookie: cookie, fields, photo: Data(count: 100_001))
                #expect(big.status == .badRequest && big.body.contains("没有保存：请检查「照片」。"), "\(big.body)")
                #expect(big.body.contains("limit for one file"), "\(big.body)")
                #expect(try await store.records(RecordQuery(type: .demand)).count == 1)
            }
        }
    }

    /// POSTs the demand form as a browser does with a photo chosen: multipart/form-data.
    static func postMultipart(
        _ client: some TestClientProtocol, cookie: String, _ fields: [String: String], photo: Data
    ) async throws -> Posted {
        let boundary = "----gridsync-test-boundary"
        var body = Data()
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
            body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
        }
        body += Data(
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"楼道.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
                .utf8)
        body += photo + Data("\r\n--\(boundary)--\r\n".utf8)
        return try await client.execute(
            uri: "/new/demand", method: .post,
            headers: [.contentType: "multipart/form-data; boundary=\(boundary)", .cookie: cookie],
            body: ByteBuffer(bytes: body)
        ) { Posted(status: $0.status, body: String(buffer: $0.body)) }
    }

    /// Counts calls across tasks.
    actor Counter {
        private(set) var value = 0
        func add() { value += 1 }
    }

    /// GETs `path` with `cookie`: the body.
    static func get(_ client: some TestClientProtocol, _ path: String, cookie: String) async throws -> String {
        try await client.execute(uri: path, method: .get, headers: [.cookie: cookie]) { String(buffer: $0.body) }
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
