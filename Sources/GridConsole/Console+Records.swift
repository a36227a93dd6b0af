import Foundation
import GridModel
import GridStore
import GridWeb
import Hummingbird

/// The lists of demands, visits and projects, and a record's page: the pages the worker's own
/// screen shows too (``RecordList``, ``RecordView``), here of the session's communities.
extension Console {
    /// A list of one type's records in the session's communities.
    func list(_ typeKey: String, request: Request, _ session: ConsoleSessions.Session, _ words: Words) async throws
        -> Page
    {
        guard let type = RecordType(rawValue: typeKey),
            let list = try await RecordList.read(
                type, query: FormBody(request.uri.query ?? ""), from: records.store,
                for: RecordReader(scopes: session.scopes), timeZone: settings.timeZone, words: words)
        else {
            return message(
                words("没有这类记录", "No such records"), words("请从上方菜单选择。", "Choose from the menu above."),
                error: true, status: .notFound, words: words)
        }
        return Page(title: list.heading, body: render("records", list))
    }

    /// The page of record `text` (its id), if it is in the session's communities: a record of
    /// another community is not found, whether or not it exists.
    func recordPage(_ text: String, _ session: ConsoleSessions.Session, _ words: Words) async throws -> Page {
        guard
            let view = try await RecordView.read(
                text, from: records.store, for: RecordReader(scopes: session.scopes), timeZone: settings.timeZone,
                words: words)
        else {
            return message(
                words("找不到这条记录", "No such record"),
                words("没有这条记录，或它不在您的社区。", "There is no such record, or it is not in your communities."),
                error: true, status: .notFound, words: words)
        }
        var body = render("record", view)
        if let files = records.files, let id = RecordID(view.id), let record = try await records.store.record(id),
            let photos = RecordPhotos.of(record, in: files, words: words)
        {
            body += render("photos", photos)
        }
        return Page(title: view.title, body: body)
    }

    /// A photo the daemon holds, to a session that may read a record naming it; any other is
    /// not found, whether or not it exists.
    func photo(_ hex: String, _ request: Request) async throws -> Response {
        guard let session = try await session(of: request) else { return .redirect(to: "/sign-in") }
        guard let files = records.files, let id = FileID("sha256:" + hex),
            try await records.store.records(naming: id).contains(where: { session.scopes.covers($0.scope) }),
            let response = PhotoFile.response(hex, in: files)
        else {
            return html(
                message(
                    "找不到这张照片", "There is no such photo, or it is not in your communities.", error: true,
                    status: .notFound, words: Words(nil)), session: session, words: Words(nil))
        }
        return response
    }
}
