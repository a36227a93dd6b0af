/// The fields of one record type and how each merges.
///
/// Every schema has the register ``deletedField``: deleting a record is a write to it, so
/// that a delete made while someone else edits the record offline is a visible conflict
/// rather than a silent loss.
public struct RecordSchema: Hashable, Sendable {
    /// The record type this schema describes.
    public let type: RecordType
    /// Every field, in the order forms and exports show them; ``deletedField`` comes last.
    public let fields: [FieldSpec]
    private let index: [String: Int]

    /// The name of the register that marks a record deleted.
    public static let deletedField = "deleted"
    /// The log of notes every record type has.
    public static let notesField = "notes"

    /// Creates a schema from the type's own fields; the `deleted` register is added.
    public init(type: RecordType, fields: [FieldSpec]) {
        precondition(!fields.contains { $0.name == Self.deletedField }, "'deleted' is added by RecordSchema")
        self.type = type
        // Required, so that it can never be cleared to null; new records need not give it.
        self.fields =
            fields + [FieldSpec(Self.deletedField, Label("已删除", "deleted"), .register(.boolean), required: true)]
        var index: [String: Int] = [:]
        for (position, field) in self.fields.enumerated() {
            precondition(
                index.updateValue(position, forKey: field.name) == nil, "field \(field.name) is declared twice")
        }
        self.index = index
    }

    /// The field with this name, or `nil`.
    public subscript(name: String) -> FieldSpec? {
        index[name].map { fields[$0] }
    }

    /// The field with this name, or an error that lists the fields there are.
    public func field(_ name: String) throws(ValidationError) -> FieldSpec {
        guard let field = self[name] else {
            throw ValidationError(
                .unknownField, field: type.key, value: name,
                allowed: fields.map(\.name).joined(separator: ", "))
        }
        return field
    }

    /// The fields a new record must give (`deleted` starts as not deleted without being given).
    public var requiredFields: [FieldSpec] { fields.filter { $0.isRequired && $0.name != Self.deletedField } }

    /// The register fields, whose concurrent writes can conflict.
    public var registerFields: [FieldSpec] { fields.filter { $0.kind == .register } }
}

extension RecordSchema {
    /// Text of one line, such as a title or an address: at most 80 characters.
    static let line = ValueDomain.text(maxLength: 80, multiline: false)
    /// Longer text, such as a description or a note: at most 2,000 characters.
    static let paragraph = ValueDomain.text(maxLength: 2_000, multiline: true)
    /// A tag or a participant's name: at most 40 characters.
    static let tag = ValueDomain.text(maxLength: 40, multiline: false)
    /// Photos: the files attached to a visit, a demand or a project, by content. A set, so a
    /// photo attached on one laptop and detached on another stays (add wins).
    static let photos = FieldSpec("photos", Label("照片", "photos"), .set(element: .file))
    /// Where a visit, a demand or a project is: a register, like the other fields.
    static let place = FieldSpec("place", Label("位置", "place"), .register(.place))
    /// A note: the log every record type has.
    static let notes = FieldSpec(
        "notes", Label("备注", "notes"),
        .log(entry: [FieldSpec("text", Label("内容", "text"), .register(paragraph), required: true)]))
}

extension RecordSchema {
    /// The label people read for a stored value of `field`: a choice's label (Chinese, then
    /// English with `english`), or the value itself.
    public func label(of value: FieldValue, field: String) -> Label? {
        guard case .text(let key) = value, case .register(.choice(let choices)) = self[field]?.shape else { return nil }
        return choices.choices.first { $0.key == key }?.label
    }
}
