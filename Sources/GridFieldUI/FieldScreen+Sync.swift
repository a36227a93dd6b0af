import Foundation
import GridWeb
import Hummingbird

/// The sync button: it starts a sync, whose page shows its progress (reloading each second)
/// and then the summary `gridsync sync` prints, or what it said when it failed.
extension FieldScreen {
    /// Starts a sync, unless one is running, and sends the browser to its page.
    func startSync(_ request: Request) async throws -> Response {
        if let refusal = refusal(request) { return refusal }
        let form = FormBody(String(buffer: try await request.body.collect(upTo: 64 * 1024)))
        guard let syncRun, carriesToken(form) else {
            return html(Page(title: "GridSync", body: "<h1>403</h1>", status: .forbidden), words: Self.words(request))
        }
        await syncRun.start()
        return .redirect(to: "/sync", type: .normal)
    }

    /// The sync's page: under way with what has moved so far, or ended with its summary.
    func syncPage(_ words: Words) async throws -> Page {
        struct Context {
            let heading, summary, back: String
            let failed: Bool
        }
        guard let syncRun else { return Self.notFound }
        let context: Context
        var reloads = false
        switch await syncRun.state {
        case .idle:
            context = Context(
                heading: words("还没有同步", "No sync yet"), summary: "", back: words("返回", "Back"), failed: false)
        case .running(let progress):
            reloads = true
            context = Context(
                heading: words("正在同步…", "Syncing…"),
                summary: words(
                    "已发送 \(progress.sent) 条修改，已收到 \(progress.received) 条",
                    "sent \(progress.sent) edits, received \(progress.received)"), back: words("返回", "Back"),
                failed: false)
        case .ended(let summary, let failed):
            context = Context(
                heading: failed ? words("同步未完成", "The sync did not finish") : words("同步完成", "Synced"),
                summary: summary, back: words("返回", "Back"), failed: failed)
        }
        var page = Page(title: context.heading, body: templates.render(context, withTemplate: "synced") ?? "")
        page.reloads = reloads
        return page
    }
}
