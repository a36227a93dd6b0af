import GridModel

/// One change a person makes to one field of a record, before it becomes an op.
public struct Edit: Hashable, Sendable {
    /// The field changed.
    public let field: String
    /// What is done to it.
    public let payload: OpPayload

    /// Creates an edit.
    public init(_ field: String, _ payload: OpPayload) {
        self.field = field
        self.payload = payload
    }

    /// Sets a register field (a write that also settles any conflict on it).
    public static func assign(_ field: String, _ value: FieldValue) -> Edit { Edit(field, .assign(value)) }
    /// Sets a register field to a text value.
    public static func assign(_ field: String, _ text: String) -> Edit { Edit(field, .assign(.text(text))) }
    /// Adds an element to a set field.
    public static func add(_ field: String, _ element: String) -> Edit { Edit(field, .add(element)) }
    /// Removes an element from a set field.
    public static func remove(_ field: String, _ element: String) -> Edit { Edit(field, .remove(element)) }
    /// Changes a counter field.
    public static func change(_ field: String, by amount: Int64) -> Edit { Edit(field, .change(amount)) }
    /// Appends an entry to a log field.
    public static func append(_ field: String, _ entry: LogEntry) -> Edit { Edit(field, .append(entry)) }
    /// Deletes the record.
    public static let delete = Edit(RecordSchema.deletedField, .assign(.boolean(true)))
    /// Restores a deleted record.
    public static let restore = Edit(RecordSchema.deletedField, .assign(.boolean(false)))
}
