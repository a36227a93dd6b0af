import Foundation
import GridMerge
import GridModel
import GridStore
import GridWeb
import Hummingbird

/// The conflicts of the session's communities, and settling one through its form.
extension Console {
    struct ConflictsContext {
        struct Item {
            let record, title, field, fieldLabel, place, formToken: String
            let competing: [Competing]
            let valueLabel, reasonLabel, settleLabel: String
        }
        struct Competing {
            let pick: Int
            let label, author, replica, time, replaced, replacedLabel: String
            let shown: Bool
        }
        let heading: String
        let error: String?
        let done: String?
        let none: String
        let items: [Item]
    }

    func conflicts(_ session: ConsoleSessions.Session, _ words: Words) async throws -> Page {
        try await conflictsPage(session, words, error: nil, done: nil)
    }

    /// Every open conflict the session may settle, each with its competing values side by
    /// side and a form to settle it.
    func conflictsPage(_ session: ConsoleSessions.Session, _ words: Words, error: String?, done: String?) async throws
        -> Page
    {
        let store = records.store
        let names = try await store.streetNames()
        var items: [ConflictsContext.Item] = []
        for record in try await store.conflictedRecords() where session.scopes.covers(record.scope) {
            let history = try await store.history(of: record.id)
            for field in record.conflictedFields {
                let competing = Competitor.all(of: field, in: record, history: history)
                items.append(
                    .init(
                        record: record.id.description, title: RecordWords.title(record), field: field,
                        fieldLabel: record.type.schema[field].map { words($0.label.chinese, $0.label.english) }
                            ?? field,
                        place: names.label(of: record.scope), formToken: session.formToken,
                        competing: competing.map { competitor in
                            .init(
                                pick: competitor.pick,
                                label: Labels.label(
                                    competitor.value, of: field, in: record.type, language: words.language),
                                author: competitor.author,
                                replica: String(competitor.replica.prefix(8)), time: Labels.shortTime(competitor.clock),
                                replaced: competitor.replaced.map {
                                    Labels.label($0, of: field, in: record.type, language: words.language)
                                }
                                .joined(separator: " + "),
                                replacedLabel: words("取代：", "over:"), shown: competitor.pick == 1)
                        },
                        valueLabel: words("或填写新值", "or a new value"), reasonLabel: words("理由（必填）", "Reason (required)"),
                        settleLabel: words("决定", "Settle")))
            }
        }
        let context = ConflictsContext(
            heading: words("冲突", "Conflicts"), error: error, done: done,
            none: words("没有待决定的冲突。", "No open conflicts."), items: items)
        return Page(
            title: context.heading, body: render("conflicts", context), status: error == nil ? .ok : .badRequest)
    }

    /// Settles one conflict from its form: the competing value picked, or a new one, with a
    /// reason: the change `gridsync-inspect resolve` writes, as the signed-in office account.
    func settle(_ request: Request) async throws -> Response {
        try await posted(request, back: "/conflicts") { session, form, words in
            try await settle(form, session: session, words: words)
        }
    }

    /// Settles what `form` asks, for `session`.
    private func settle(_ form: FormBody, session: ConsoleSessions.Session, words: Words) async throws -> Response {
        func failed(_ text: String) async throws -> Response {
            html(try await conflictsPage(session, words, error: text, done: nil), session: session, words: words)
        }
        guard let reason = form["reason"] else {
            return try await failed(
                words("请填写理由：它会记入记录的备注和修改记录。", "Give a reason: it goes into the record's notes and history."))
        }
        guard let id = form["record"].flatMap(RecordID.init), let field = form["field"],
            let record = try await records.store.record(id), session.scopes.covers(record.scope),
            record.registers[field]?.isConflicted == true, let spec = record.type.schema[field],
            case .register(let domain) = spec.shape
        else {
            return try await failed(words("这个冲突已经不存在（可能已被决定）。", "This conflict is gone (it may have been settled)."))
        }
        let value: FieldValue
        if let typed = form["value"] {
            do {
                value = try domain.parse(typed, field: field)
            } catch {
                return try await failed("\(error)")
            }
        } else {
            let competing = Competitor.all(of: field, in: record, history: try await records.store.history(of: id))
            guard let pick = form["pick"].flatMap(Int.init), let chosen = competing.first(where: { $0.pick == pick })
            else {
                return try await failed(words("请选择一个值，或填写新值。", "Pick one of the values, or enter a new one."))
            }
            value = chosen.value
        }
        let label = Labels.label(value, of: field, in: record.type)
        let change = ResolutionNote.change(settling: [(field, value, label)], of: id, reason: reason)
        _ = try await records.store.write(change, as: session.worker, within: session.scopes)
        var later = ""
        do {
            try await records.sendDecisions()
        } catch {
            // Kept in the daemon's replica, it goes out with the next round (see RecordPublisher).
            later = words(
                "（数据库暂时不可用：决定已保存，稍后自动发出。）",
                " (The database cannot be reached just now: the decision is kept and goes out shortly.)")
        }
        return html(
            try await conflictsPage(
                session, words, error: nil,
                done: words(
                    "已决定：\(RecordWords.title(record)) 的 \(spec.label.chinese) 为 \(label)。各笔记本下次同步时收到。"
                        + later,
                    "Settled: \(spec.label.english) of \(RecordWords.title(record)) is \(label). "
                        + "Every laptop receives it at its next sync." + later)),
            session: session, words: words)
    }
}
