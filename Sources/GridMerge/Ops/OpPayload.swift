import GridModel

/// What an op does to its field, one case per merge kind.
public enum OpPayload: Hashable, Sendable {
    /// Writes a register; the op's parents are the heads it replaces.
    case assign(FieldValue)
    /// Adds an element to a set. The op's id tags this addition.
    case add(String)
    /// Removes an element from a set: the additions named in the op's parents, and only those.
    case remove(String)
    /// Changes a counter by a non-zero amount.
    case change(Int64)
    /// Appends an entry to a log.
    case append(LogEntry)

    /// The merge kind this payload belongs to.
    public var kind: MergeKind {
        switch self {
        case .assign: .register
        case .add, .remove: .set
        case .change: .counter
        case .append: .log
        }
    }

    /// Checks that the payload fits `field` of `type`: the field exists, is of this merge
    /// kind, and every value is canonical and allowed.
    public func validate(field: String, of type: RecordType) throws(MergeError) {
        do {
            let spec = try type.schema.field(field)
            switch self {
            case .assign(let value): try spec.checkRegister(value)
            case .add(let element), .remove(let element): try spec.checkElement(element)
            case .change(let change): try spec.checkChange(change)
            case .append(let entry): try spec.checkEntry(entry)
            }
        } catch {
            throw MergeError(.invalidOp, error.description, validation: error)
        }
    }
}
