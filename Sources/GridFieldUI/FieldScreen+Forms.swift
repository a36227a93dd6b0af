import Foundation
import GridMerge
import GridModel
import GridStore
import GridWeb
import Hummingbird

/// The forms that record a demand, a visit or a project, and their saving.
extension FieldScreen {
    /// One field of a form: its label, whether it is required, what was typed or chosen.
    struct FormField {
        struct Choice {
            let key, label: String
            let selected: Bool
        }
        let name, label, value: String
        let required, multiline, isNumber: Bool
        /// A hint in the empty box (how to type several elements).
        let hint: String?
        /// Whether the last save was refused for this field.
        let refused: Bool
        let choices: [Choice]
    }

    /// Why a save was refused: the command line's own words, and the field they are about.
    struct Refusal {
        let message: String
        let field: String?

        init(_ error: any Error) {
            message = "\(error)"
            if let stored = error as? StoreError, [.fileTooLarge, .fileUnreadable].contains(stored.code) {
                field = "photos"
            } else {
                field = (error as? ValidationError)?.field ?? (error as? any CodedError)?.underlyingValidation?.field
            }
        }
    }

    /// The form of `type`'s record, with what was `typed` and the `refusal` of its save, if any.
    func recordForm(_ type: RecordType?, _ words: Words, typed: FormBody, refusal: Refusal?) async throws -> Page {
        struct Context {
            let heading, type, formToken, save: String
            /// What to check, in the page's language, and the command line's words for why.
            let refused, error: String?
            let fields: [FormField]
            /// The photo button's label, when the screen keeps photos.
            let photoLabel: String?
            let photoRefused: Bool
        }
        let today = CalendarMonth.day(of: Date(), in: timeZone)
        guard let type, let form = RecordForm.of(type, worker: store.identity.worker.rawValue, today: today) else {
            return Self.notFound
        }
        let compounds = try await compounds()
        let fields = form.fields.compactMap { field -> FormField? in
            guard let spec = type.schema[field.name] else { return nil }
            var value = typed[field.name] ?? form.defaults[field.name] ?? ""
            var choices: [(key: String, label: String)] = []
            switch spec.shape {
            case .register(.choice(let set)):
                choices = set.choices.map { ($0.key, words($0.label.chinese, $0.label.english)) }
                // A choice typed by its label (as the command line takes it) is shown chosen.
                if let key = set.key(parsing: value) { value = key }
            case .register(.compound):
                choices = compounds.map { ($0.key, $0.name ?? $0.key) }
            default:
                break
            }
            return FormField(
                name: field.name, label: words(spec.label.chinese, spec.label.english), value: value,
                required: spec.isRequired, multiline: field.input == .text, isNumber: field.input == .count,
                hint: field.input == .elements
                    ? words("多个用逗号或顿号分开", "several: separate with commas")
                    : spec.shape == .register(.place)
                        ? words("纬度,经度,精度(米)，如 39.9042,116.4074,8", "latitude,longitude,metres: 39.9042,116.4074,8")
                        : nil,
                refused: refusal?.field == field.name,
                choices: choices.map { .init(key: $0.key, label: $0.label, selected: $0.key == value) })
        }
        let refusedLabel =
            fields.first { $0.refused }?.label ?? (refusal?.field == "photos" ? words("照片", "Photos") : nil)
        let context = Context(
            heading: words(form.heading.chinese, form.heading.english), type: type.key, formToken: formToken,
            save: words("保存", "Save"),
            refused: refusal.map { _ in
                refusedLabel.map { words("没有保存：请检查「\($0)」。", "Not saved: check \($0).") }
                    ?? words("没有保存。", "Not saved.")
            }, error: refusal?.message, fields: fields,
            photoLabel: files == nil ? nil : words("照片", "Photos"), photoRefused: refusal?.field == "photos")
        return Page(
            title: context.heading, body: templates.render(context, withTemplate: "record-form") ?? "",
            status: refusal == nil ? .ok : .badRequest)
    }

    /// A form's fields and the photos chosen in it: a multipart form's (the record forms), or
    /// an URL-encoded one's (no photos); read up to `limit` bytes.
    static func form(of request: Request, upTo limit: Int) async throws -> (FormBody, [MultipartForm.File]) {
        let buffer = try await request.body.collect(upTo: limit)
        let contentType = request.headers[.contentType] ?? ""
        if let multipart = MultipartForm(Data(buffer: buffer), contentType: contentType) {
            return (multipart.fields, multipart.files.filter { $0.field == "photo" })
        }
        return (FormBody(String(buffer: buffer)), [])
    }

    /// Saves the form of `type` as one new record, or shows the form again with why not.
    func saveRecord(_ type: RecordType?, _ request: Request) async throws -> Response {
        if let refusal = refusal(request) { return refusal }
        let words = Self.words(request)
        let today = CalendarMonth.day(of: Date(), in: timeZone)
        let (body, photos) = try await Self.form(of: request, upTo: (files?.limits.fileBytes ?? 0) * 4 + 256 * 1024)
        guard carriesToken(body) else {
            return html(Page(title: "GridSync", body: "<h1>403</h1>", status: .forbidden), words: words)
        }
        guard let type, let form = RecordForm.of(type, worker: store.identity.worker.rawValue, today: today) else {
            return html(Self.notFound, words: words)
        }
        do {
            var builder = EditBuilder(type)
            for field in form.fields {
                let typed = body[field.name]
                switch field.input {
                case .line, .text:
                    try builder.set(field.name, typed ?? form.defaults[field.name])
                case .elements:
                    try builder.add(field.name, RecordForm.elements(typed))
                case .count:
                    let count = try typed.map { text in
                        guard let count = Int64(text) else {
                            throw ValidationError(.badFormat, field: field.name, value: text, allowed: "a whole number")
                        }
                        return count
                    }
                    try builder.start(field.name, at: count)
                }
            }
            for (name, value) in form.defaults.sorted(by: { $0.key < $1.key })
            where !form.fields.contains(where: { $0.name == name }) {
                try builder.set(name, value)
            }
            if let files, !photos.isEmpty {
                guard photos.count <= files.limits.filesPerRecord else {
                    throw ValidationError(
                        .outOfRange, field: "photos", value: "\(photos.count) photos",
                        allowed: "at most \(files.limits.filesPerRecord) photos a record")
                }
                try builder.add("photos", try photos.map { try files.add($0.data, named: $0.fileName).id.rawValue })
            }
            let scope = try self.scope()
            let edits = try await builder.edits(resolvingLinksIn: store, scope: scope)
            _ = try await store.write(RecordChange(record: RecordID(), target: .create(type, in: scope), edits: edits))
        } catch {
            return html(try await recordForm(type, words, typed: body, refusal: Refusal(error)), words: words)
        }
        return .redirect(to: form.after, type: .normal)
    }
}
