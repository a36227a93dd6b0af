import Foundation
import GridAccounts
import GridConsole
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

/// The office's console in process: signing in (and being refused and locked out), every
/// page behind the session, a worker's HTML shown as text, one community's office kept out
/// of another's records, filters, and a conflict settled through the form as
/// `gridsync-inspect resolve` settles it.
@Suite struct ConsoleTests {
    @Test func officeStaffSignInSeeTheirRecordsAndSettleAConflict() async throws {
        try await ConsoleStreet.with { street in
            try await street.app.test(.router) { client in
                // Not signed in: every page sends to the sign-in page.
                for path in [
                    "/", "/records/demand", "/conflicts", "/devices", "/report", "/report/file?format=csv",
                    "/record/\(street.stairs)",
                ] {
                    try await client.execute(uri: path, method: .get) { response in
                        #expect(response.status == .seeOther && response.headers[.location] == "/sign-in", "\(path)")
                    }
                }
                let cookie = try await ConsoleStreet.signIn(client, "office-1", ConsoleStreet.password)
                let overview = try await ConsoleStreet.get(client, "/", cookie: cookie)
                #expect(overview.contains("概览") && overview.contains("待决定的冲突"))

                // The list, filtered; a worker's HTML in a title is text.
                let demands = try await ConsoleStreet.get(client, "/records/demand", cookie: cookie)
                #expect(demands.contains("楼道堆物清理") && demands.contains("路灯不亮"))
                #expect(demands.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !demands.contains("<script>alert"))
                let resolved = try await ConsoleStreet.get(client, "/records/demand?status=resolved", cookie: cookie)
                #expect(resolved.contains("路灯不亮") && !resolved.contains("&lt;script&gt;"))
                // Choices are picked from lists, the one filtered on selected; dates from a date field.
                #expect(
                    resolved.contains(#"<select name="category">"#) && resolved.contains(#"<select name="status">"#))
                #expect(resolved.contains(#"<option value="resolved" selected>"#), "\(resolved)")
                #expect(resolved.contains(#"<input name="from" value="" type="date">"#))
                let searched = try await ConsoleStreet.get(
                    client, "/records/demand?q=\(FormBody.encode("路灯"))", cookie: cookie)
                #expect(searched.contains("路灯不亮") && !searched.contains("楼道堆物清理"))

                // A record's page: fields, history with who changed what.
                let record = try await ConsoleStreet.get(client, "/record/\(street.stairs)", cookie: cookie)
                #expect(record.contains("楼道堆物清理") && record.contains("修改记录") && record.contains("w001"))
                // The project that names it, found from the demand's side.
                #expect(record.contains("相关记录") && record.contains("楼道清理行动"), "\(record)")

                // The conflict, settled through its form with the session's token.
                let conflicts = try await ConsoleStreet.get(client, "/conflicts", cookie: cookie)
                let token = try #require(conflicts.firstMatch(of: /name="csrf" value="([^"]+)"/).map { String($0.1) })
                #expect(conflicts.contains("已受理") && conflicts.contains("已解决"))
                let forged = try await ConsoleStreet.post(
                    client, "/conflicts/settle", cookie: cookie,
                    ["csrf": "not-the-token", "record": street.stairs, "field": "status", "pick": "2", "reason": "x"])
                #expect(forged.status == .forbidden)
                let noReason = try await ConsoleStreet.post(
                    client, "/conflicts/settle", cookie: cookie,
                    ["csrf": token, "record": street.stairs, "field": "status", "pick": "2"])
                #expect(noReason.status == .badRequest)
                #expect(try await street.store.record(RecordID(street.stairs)!)?.conflictedFields == ["status"])
                let settled = try await ConsoleStreet.post(
                    client, "/conflicts/settle", cookie: cookie,
                    [
                        "csrf": token, "record": street.stairs, "field": "status", "value": "resolved",
                        "reason": "居民确认已解决",
                    ])
                #expect(settled.status == .ok, "\(settled.body)")
                let state = try #require(try await street.store.record(RecordID(street.stairs)!))
                #expect(state.conflictedFields.isEmpty && state.value("status") == .text("resolved"))
                let note = state.logs[RecordSchema.notesField]?.items.last?.entry["text"]?.text ?? ""
                #expect(note.hasPrefix(ResolutionNote.prefix) && note.hasSuffix("居民确认已解决"), "\(note)")
                #expect(
                    try await street.store.history(of: RecordID(street.stairs)!).last?.author == WorkerID("office-1"))

                // Another site's sign-out (without the form's token) signs no one out.
                let forgedOut = try await ConsoleStreet.post(client, "/sign-out", cookie: cookie, ["csrf": "x"])
                #expect(forgedOut.status == .forbidden && forgedOut.setCookie == nil)
                _ = try await ConsoleStreet.get(client, "/", cookie: cookie)
                // Signed out, the cookie opens nothing.
                _ = try await ConsoleStreet.post(client, "/sign-out", cookie: cookie, ["csrf": token])
                try await client.execute(uri: "/", method: .get, headers: [.cookie: cookie]) { response in
                    #expect(response.status == .seeOther)
                }
            }
        }
    }

    /// The monthly report: its figures on a page with a form for the month and the community,
    /// and links to the whole report to print and to the CSV for spreadsheets; an office asks
    /// only for its own communities' reports.
    @Test func theMonthlyReportIsAPageWithItsFiguresAndItsFiles() async throws {
        try await ConsoleStreet.with { street in
            try await street.app.test(.router) { client in
                let cookie = try await ConsoleStreet.signIn(client, "office-1", ConsoleStreet.password)
                let month = CalendarMonth(containing: Date(), in: .current).description
                let expected = try await street.store.monthlyReport(
                    .init(month: month, communities: [CommunityID("c01")!], timeZone: .current))
                let page = try await ConsoleStreet.get(client, "/report", cookie: cookie)
                #expect(page.contains("两会一报 月度报告 \(month)") && page.contains(#"<input name="month" type="month""#))
                #expect(page.contains("<th>提出</th><td>\(expected.demands.raised)</td>"), "\(page)")
                #expect(page.contains("<th>月底未结</th><td>\(expected.demands.open)</td>"), "\(page)")
                let csvLink = "/report/file?month=\(month)&amp;community=c01&amp;format=csv"
                #expect(page.contains(csvLink) && page.contains("format=html"), "\(page)")

                try await client.execute(
                    uri: "/report/file?month=\(month)&community=c01&format=csv", method: .get,
                    headers: [.cookie: cookie]
                ) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType] == "text/csv; charset=utf-8")
                    #expect(response.headers[HTTPField.Name("Content-Disposition")!]?.contains("report-c01-") == true)
                    #expect(String(buffer: response.body) == expected.csv(.chinese))
                }
                let printable = try await ConsoleStreet.get(
                    client, "/report/file?month=\(month)&community=c01&format=html", cookie: cookie)
                // The project's photo, from the console's own photo route, which checks the session.
                #expect(printable == expected.html(.chinese) { "/photo/\($0.dropFirst(7))" })
                #expect(printable.contains(#"<img src="/photo/\#(street.photo.hex)" alt="实施前">"#), "\(printable)")
                // Another community's report, or a month that is not one, is refused.
                for query in ["month=\(month)&community=c02", "month=2026-13x&community=c01"] {
                    try await client.execute(uri: "/report?" + query, method: .get, headers: [.cookie: cookie]) {
                        #expect($0.status == .badRequest, "\(query)")
                    }
                    try await client.execute(
                        uri: "/report/file?" + query + "&format=csv", method: .get, headers: [.cookie: cookie]
                    ) {
                        #expect($0.status == .badRequest && $0.headers[.contentType]?.hasPrefix("text/html") == true)
                    }
                }
            }
        }
    }

    /// The laptops' page and the overview say how far behind each laptop is: the ops of its
    /// grid stored after what it last pulled, but its own (counted here from the log itself).
    @Test func theLaptopsPageAndTheOverviewSayHowFarBehindALaptopIs() async throws {
        try await ConsoleStreet.with { street in
            let behind = try await street.store.ops(after: 2, limit: 1000).filter {
                $0.scope.description == "c01/g01" && $0.id.replica != ReplicaID(rawValue: 0x51)
            }.count
            #expect(behind > 0)
            try await street.app.test(.router) { client in
                let cookie = try await ConsoleStreet.signIn(client, "office-1", ConsoleStreet.password)
                let devices = try await ConsoleStreet.get(client, "/devices", cookie: cookie)
                #expect(devices.contains("<td>w001</td>") && devices.contains("<td>\(behind)</td>"), "\(devices)")
                let overview = try await ConsoleStreet.get(client, "/", cookie: cookie)
                #expect(overview.contains("落后较多的笔记本"), "\(overview)")
                #expect(
                    overview.contains(/<tr><td>w001<\/td><td>[0-9a-f]{8}<\/td><td>[^<]+<\/td><td>\d+<\/td><\/tr>/),
                    "\(overview)")
                // Another community's office does not see c01's laptops.
                let other = try await ConsoleStreet.signIn(client, "office-2", ConsoleStreet.password)
                #expect(!(try await ConsoleStreet.get(client, "/devices", cookie: other)).contains("w001"))
            }
        }
    }

    /// On PostgreSQL, a decision is written to the daemon's mirror and then sent to the
    /// database. With the database out of reach just then, the decision is kept, and the page
    /// says it goes out shortly (the mirror sends it with its next round).
    @Test func aDecisionTheDatabaseCannotTakeYetIsKeptAndSaidSo() async throws {
        struct Unreachable: Error {}
        try await ConsoleStreet.with(sendDecisions: { throw Unreachable() }) { street in
            try await street.app.test(.router) { client in
                let cookie = try await ConsoleStreet.signIn(client, "office-1", ConsoleStreet.password)
                let conflicts = try await ConsoleStreet.get(client, "/conflicts", cookie: cookie)
                let token = try #require(conflicts.firstMatch(of: /name="csrf" value="([^"]+)"/).map { String($0.1) })
                let settled = try await ConsoleStreet.post(
                    client, "/conflicts/settle", cookie: cookie,
                    ["csrf": token, "record": street.stairs, "field": "status", "pick": "1", "reason": "以现场为准"])
                #expect(settled.status == .ok, "\(settled.body)")
                #expect(settled.body.contains("决定已保存，稍后自动发出"), "\(settled.body)")
                let state = try #require(try await street.store.record(RecordID(street.stairs)!))
                #expect(state.conflictedFields.isEmpty)
            }
        }
    }

    @Test func anOfficeOfOneCommunityCannotOpenAnothersRecords() async throws {
        try await ConsoleStreet.with { street in
            try await street.app.test(.router) { client in
                let cookie = try await ConsoleStreet.signIn(client, "office-2", ConsoleStreet.password)
                try await client.execute(uri: "/record/\(street.stairs)", method: .get, headers: [.cookie: cookie]) {
                    response in
                    #expect(response.status == .notFound)
                    #expect(!String(buffer: response.body).contains("楼道堆物清理"))
                }
                let demands = try await ConsoleStreet.get(client, "/records/demand", cookie: cookie)
                #expect(!demands.contains("楼道堆物清理") && demands.contains("c02 的诉求"))
                let conflicts = try await ConsoleStreet.get(client, "/conflicts", cookie: cookie)
                #expect(!conflicts.contains("楼道堆物清理"))
                let token = try #require(conflicts.firstMatch(of: /name="csrf" value="([^"]+)"/).map { String($0.1) })
                let settled = try await ConsoleStreet.post(
                    client, "/conflicts/settle", cookie: cookie,
                    ["csrf": token, "record": street.stairs, "field": "status", "pick": "1", "reason": "越权"])
                #expect(settled.status == .badRequest)
                #expect(try await street.store.record(RecordID(street.stairs)!)?.conflictedFields == ["status"])
            }
        }
    }

    /// A record's photos show under it, served from the daemon's files to its community's
    /// office only.
    @Test func aRecordsPhotosShowToItsCommunitysOfficeOnly() async throws {
        try await ConsoleStreet.with { street in
            try await street.app.test(.router) { client in
                let cookie = try await ConsoleStreet.signIn(client, "office-1", ConsoleStreet.password)
                let page = try await ConsoleStreet.get(client, "/record/\(street.stairs)", cookie: cookie)
                #expect(page.contains(#"<img src="/photo/\#(street.photo.hex)""#), "\(page)")
                try await client.execute(uri: "/photo/\(street.photo.hex)", method: .get, headers: [.cookie: cookie]) {
                    #expect($0.status == .ok && $0.headers[.contentType] == "image/jpeg")
                    #expect(Data(buffer: $0.body) == ConsoleStreet.photoBytes)
                }
                let other = try await ConsoleStreet.signIn(client, "office-2", ConsoleStreet.password)
                try await client.execute(uri: "/photo/\(street.photo.hex)", method: .get, headers: [.cookie: other]) {
                    #expect($0.status == .notFound, "another community's office saw the photo")
                }
                try await client.execute(uri: "/photo/\(street.photo.hex)", method: .get) {
                    #expect($0.status != .ok, "a photo without signing in")
                }
            }
        }
    }

    @Test func anOfficeAddsAndRevokesWorkersOfItsCommunitiesOnly() async throws {
        try await ConsoleStreet.with { street in
            try await street.app.test(.router) { client in
                let cookie = try await ConsoleStreet.signIn(client, "office-1", ConsoleStreet.password)
                let page = try await ConsoleStreet.get(client, "/accounts", cookie: cookie)
                let token = try #require(page.firstMatch(of: /name="csrf" value="([^"]+)"/).map { String($0.1) })
                #expect(page.contains("w001") && !page.contains("office-2"), "only c01's accounts")

                // A new worker of c01: its token shown once, with the fingerprint, and working.
                let added = try await ConsoleStreet.post(
                    client, "/accounts/add", cookie: cookie, ["csrf": token, "worker": "w009", "grids": "c01/g02"])
                let shown = try #require(added.body.firstMatch(of: /<code>(gst_[^<]+)<\/code>/).map { String($0.1) })
                #expect(added.body.contains("sha256:0123"))
                let laptop = ReplicaID(rawValue: 0x99)
                #expect(
                    try await street.accounts.authorize(replica: laptop, token: shown).scopes == [GridScope("c01/g02")!]
                )
                #expect(try await ConsoleStreet.get(client, "/accounts", cookie: cookie).contains(shown) == false)

                // Outside its communities, or without the form's token: refused, nothing made.
                let outside = try await ConsoleStreet.post(
                    client, "/accounts/add", cookie: cookie, ["csrf": token, "worker": "w010", "grids": "c02/g05"])
                #expect(outside.status == .badRequest && outside.body.contains("只能在您的社区内"))
                let forged = try await ConsoleStreet.post(
                    client, "/accounts/add", cookie: cookie, ["csrf": "x", "worker": "w011", "grids": "c01/g01"])
                #expect(forged.status == .forbidden)
                #expect(try await street.accounts.account(WorkerID("w010")!) == nil)
                #expect(try await street.accounts.account(WorkerID("w011")!) == nil)

                // Revoked: the token stops working.
                _ = try await ConsoleStreet.post(
                    client, "/accounts/revoke", cookie: cookie, ["csrf": token, "worker": "w009"])
                #expect(try await street.accounts.account(WorkerID("w009")!)?.revokedAt != nil)
                await #expect(throws: AccountError.self) {
                    try await street.accounts.authorize(replica: laptop, token: shown)
                }
            }
            try await street.app.test(.router) { client in
                // Another community's office cannot revoke a worker of c01.
                let cookie = try await ConsoleStreet.signIn(client, "office-2", ConsoleStreet.password)
                let token = try #require(
                    try await ConsoleStreet.get(client, "/accounts", cookie: cookie)
                        .firstMatch(of: /name="csrf" value="([^"]+)"/).map { String($0.1) })
                let refused = try await ConsoleStreet.post(
                    client, "/accounts/revoke", cookie: cookie, ["csrf": token, "worker": "w001"])
                #expect(refused.status == .badRequest)
                #expect(try await street.accounts.account(WorkerID("w001")!)?.revokedAt == nil)
            }
        }
    }

    @Test func aTokenRevokedOnTheServerEndsTheAccountsSessions() async throws {
        try await ConsoleStreet.with { street in
            try await street.app.test(.router) { client in
                let cookie = try await ConsoleStreet.signIn(client, "office-1", ConsoleStreet.password)
                _ = try await ConsoleStreet.get(client, "/", cookie: cookie)
                _ = try await street.accounts.revoke(worker: WorkerID("office-1")!)
                try await client.execute(uri: "/conflicts", method: .get, headers: [.cookie: cookie]) { response in
                    #expect(response.status == .seeOther && response.headers[.location] == "/sign-in")
                }
                let again = try await ConsoleStreet.post(
                    client, "/sign-in", cookie: nil, ["worker": "office-1", "password": ConsoleStreet.password])
                #expect(again.status == .unauthorized)
            }
        }
    }

    @Test func wrongPasswordsAreRefusedAndRepeatedOnesLockTheAccount() async throws {
        try await ConsoleStreet.with { street in
            try await street.app.test(.router) { client in
                for (worker, password) in [
                    ("office-1", "wrong password"), ("nobody", ConsoleStreet.password),
                    ("w001", ConsoleStreet.password),
                ] {
                    let refused = try await ConsoleStreet.post(
                        client, "/sign-in", cookie: nil, ["worker": worker, "password": password])
                    #expect(refused.status == .unauthorized && refused.body.contains("账号或密码不对"), "\(worker)")
                    #expect(refused.setCookie == nil)
                }
                for _ in 0..<4 {
                    _ = try await ConsoleStreet.post(
                        client, "/sign-in", cookie: nil, ["worker": "office-1", "password": "still wrong"])
                }
                let locked = try await ConsoleStreet.post(
                    client, "/sign-in", cookie: nil, ["worker": "office-1", "password": ConsoleStreet.password])
                #expect(locked.status == .tooManyRequests && locked.body.contains("分钟后再试"), "\(locked.body)")
                #expect(locked.setCookie == nil)
                // Another office account is not locked by the first one's failures.
                _ = try await ConsoleStreet.signIn(client, "office-2", ConsoleStreet.password)
            }
        }
    }
}

/// A street for the console: a daemon replica with demands of two communities, a conflict,
/// and office accounts of each community with passwords.
struct ConsoleStreet {
    static let password = "桂花巷 十二号 院子"

    let store: SQLiteReplicaStore
    let accounts: AccountStore
    let app: Application<RouterResponder<ConsoleContext>>
    let stairs: String
    /// The photo a laptop sent of the stairs, which the daemon holds.
    let photo: FileID
    static let photoBytes = Data([0xFF, 0xD8, 0xFF, 0xE0] + Array("楼道照片".utf8))

    /// Runs `body` with a new street; `sendDecisions` stands for sending the console's
    /// decisions on (to PostgreSQL, when the daemon keeps a mirror of its op log).
    static func with(
        sendDecisions: @escaping @Sendable () async throws -> Void = {}, _ body: (ConsoleStreet) async throws -> Void
    ) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "gridsync-console-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try SQLiteReplicaStore.create(
            in: folder.path,
            identity: ReplicaIdentity(replica: .random(), worker: WorkerID("gridsyncd")!, scopes: []))
        let accounts = try AccountStore.open(in: folder.path)
        for (worker, community) in [("office-1", "c01"), ("office-2", "c02")] {
            _ = try await accounts.add(worker: WorkerID(worker)!, role: .office, scopes: [GridScope(community)!])
            try await accounts.setPassword(of: WorkerID(worker)!, to: PasswordHash(password: password))
        }
        let (_, token) = try await accounts.add(
            worker: WorkerID("w001")!, role: .worker, scopes: [GridScope("c01/g01")!])

        // Two laptops of c01/g01 disagree on the stairs' status; a title carries HTML.
        let clock = HybridClock(wallClock: SystemWallClock())
        var first = Replica(id: ReplicaID(rawValue: 0x51), author: WorkerID("w001")!, clock: clock)
        var second = Replica(id: ReplicaID(rawValue: 0x52), author: WorkerID("w002")!, clock: clock)
        var rng = SeededGenerator(seed: 0x636f_6e73)
        func demand(_ laptop: inout Replica, _ title: String, in scope: String) throws -> RecordID {
            let id = RecordID(using: &rng)
            try laptop.create(
                .demand, id: id, in: GridScope(scope)!,
                [
                    .assign("title", .text(title)), .assign("category", "fire-safety"), .assign("status", "raised"),
                    .assign("urgency", "normal"),
                ])
            return id
        }
        let stairs = try demand(&first, "楼道堆物清理", in: "c01/g01")
        let files = FileStore(replicaFolder: folder.path)
        let photo = try files.add(photoBytes, named: "楼道.jpg").id
        _ = try first.edit(stairs, .add("photos", photo.rawValue))
        let lamp = try demand(&first, "路灯不亮", in: "c01/g01")
        _ = try demand(&first, "<script>alert(1)</script>", in: "c01/g01")
        _ = try demand(&first, "c02 的诉求", in: "c02/g05")
        // A project answers the stairs.
        try first.create(
            .project, id: RecordID(using: &rng), in: GridScope("c01/g01")!,
            [
                .assign("title", .text("楼道清理行动")), .assign("category", "fire-safety"), .assign("stage", "design"),
                .add("demands", stairs.description), .add("photos", photo.rawValue),
            ])
        _ = try first.edit(lamp, .assign("status", "resolved"))
        for op in first.ops { _ = try second.receive(op) }
        _ = try first.edit(stairs, .assign("status", "accepted"))
        _ = try second.edit(stairs, .assign("status", "resolved"))
        _ = try await store.ingest(first.ops + second.ops.filter { $0.id.replica == second.id })
        // w001's laptop synced once, early: it pulled the log's first two ops.
        _ = try await accounts.authorize(replica: first.id, token: token)
        try await accounts.recordSync(
            of: first.id, ending: "bye", pushed: 0, pulled: 2, pulledThrough: 2, givenBack: 0, recovered: 0)

        var settings = Console.Settings()
        settings.secure = false
        settings.fingerprint = "sha256:0123"
        // On this small street, one op not received is "far behind".
        settings.farBehind = 0
        let console = try Console(
            records: .init(store: store, files: files, sendDecisions: sendDecisions), accounts: accounts,
            settings: settings)
        try await body(
            ConsoleStreet(
                store: store, accounts: accounts, app: Application(router: console.router()),
                stairs: stairs.description, photo: photo))
    }

    /// Signs in and returns the session's cookie, `name=value`.
    static func signIn(_ client: some TestClientProtocol, _ worker: String, _ password: String) async throws -> String {
        let response = try await post(client, "/sign-in", cookie: nil, ["worker": worker, "password": password])
        #expect(response.status == .seeOther, "\(response.body)")
        let cookie = try #require(response.setCookie, "no session cookie")
        #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
        return String(cookie.prefix { $0 != ";" })
    }

    /// The body of a GET that must succeed.
    static func get(_ client: some TestClientProtocol, _ path: String, cookie: String) async throws -> String {
        try await client.execute(uri: path, method: .get, headers: [.cookie: cookie]) { response in
            #expect(response.status == .ok, "\(path): \(response.status)")
            #expect(response.headers[Console.contentSecurityPolicy]?.contains("default-src 'none'") == true)
            return String(buffer: response.body)
        }
    }

    struct Posted {
        let status: HTTPResponse.Status
        let body: String
        let setCookie: String?
    }

    /// POSTs a form.
    static func post(
        _ client: some TestClientProtocol, _ path: String, cookie: String?, _ fields: [String: String]
    ) async throws -> Posted {
        let body = fields.map { "\($0.key)=\(FormBody.encode($0.value))" }.joined(separator: "&")
        var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        if let cookie { headers[.cookie] = cookie }
        return try await client.execute(
            uri: path, method: .post, headers: headers, body: ByteBuffer(string: body)
        ) { response in
            Posted(
                status: response.status, body: String(buffer: response.body), setCookie: response.headers[.setCookie])
        }
    }
}
