import GridMerge
import GridModel

/// Turns what a person typed (a command's flags, a form's fields) into the edits of one
/// record, checked against its schema, so that a typo in any value is refused, in the same
/// words wherever it was typed, before anything is written.
public struct EditBuilder: Sendable {
    /// A link to another record, named by id or id prefix, found in the replica before writing.
    private struct Link: Sendable {
        let field: String
        let text: String
        let type: RecordType
        let isSet: Bool
    }

    /// An entry of the street's lists (a compound, a worker), named by key or name, found in
    /// the replica before writing.
    private struct StreetName: Sendable {
        let field: String
        let text: String
        let domain: ValueDomain
        let type: RecordType
    }

    public let type: RecordType
    public private(set) var edits: [Edit] = []
    private var links: [Link] = []
    private var streetNames: [StreetName] = []

    /// Whether no flag asked for a change.
    public var isEmpty: Bool { edits.isEmpty && links.isEmpty && streetNames.isEmpty }

    /// Whether a flag gave `field` a value.
    public func gives(_ field: String) -> Bool {
        edits.contains { $0.field == field } || links.contains { $0.field == field }
            || streetNames.contains { $0.field == field }
    }

    public init(_ type: RecordType) {
        self.type = type
    }

    /// Sets a register field from typed text (labels become keys); `nil` leaves it alone.
    public mutating func set(_ field: String, _ text: String?) throws {
        guard let text else { return }
        guard case .register(let domain) = try type.schema.field(field).shape else {
            preconditionFailure("\(field) is not a register")
        }
        if let listed = domain.streetType {
            streetNames.append(StreetName(field: field, text: text, domain: domain, type: listed))
        } else {
            edits.append(.assign(field, try domain.parse(text, field: field)))
        }
    }

    /// Clears optional register fields.
    public mutating func clear(_ fields: [String]) throws {
        for field in fields {
            let spec = try type.schema.field(field)
            try spec.checkRegister(.null)
            edits.append(.assign(field, .null))
        }
    }

    /// Adds elements to a set field.
    public mutating func add(_ field: String, _ elements: [String]) throws {
        edits += try parsedElements(field, elements).map { .add(field, $0) }
    }

    /// Removes elements from a set field.
    public mutating func remove(_ field: String, _ elements: [String]) throws {
        edits += try parsedElements(field, elements).map { .remove(field, $0) }
    }

    /// Typed set elements, checked and made canonical by the set's element domain.
    private func parsedElements(_ field: String, _ elements: [String]) throws -> [String] {
        guard case .set(let domain) = try type.schema.field(field).shape else {
            preconditionFailure("\(field) is not a set")
        }
        return try elements.map { try domain.parse($0, field: field).description }
    }

    /// Links a register field to another record, named by id or id prefix; `nil` leaves it alone.
    public mutating func link(_ field: String, _ text: String?) throws {
        guard let text else { return }
        guard case .register(.record(let target)) = try type.schema.field(field).shape else {
            preconditionFailure("\(field) does not link records")
        }
        links.append(Link(field: field, text: text, type: target, isSet: false))
    }

    /// Adds links to other records, named by id or id prefix, to a set field.
    public mutating func link(_ field: String, adding texts: [String]) throws {
        guard case .set(.record(let target)) = try type.schema.field(field).shape else {
            preconditionFailure("\(field) does not link records")
        }
        links += texts.map { Link(field: field, text: $0, type: target, isSet: true) }
    }

    /// The edits, with every link resolved to a record of the right type in `store`.
    ///
    /// A compound named by a record of the field must lie in the record's grid (`scope`), when
    /// the street's lists say where it lies.
    public func edits(resolvingLinksIn store: any ReplicaStore, scope: GridScope? = nil) async throws -> [Edit] {
        var edits = self.edits
        for name in streetNames {
            let entries = try await store.streetEntries(name.type)
            let key = try entries.key(naming: name.text, type: name.type, domain: name.domain, field: name.field)
            if name.type == .compound, !type.isReference, let scope, let grid = scope.grid,
                let entry = entries.first(where: { $0.key == key }), let lies = entry.parent, lies != grid.rawValue
            {
                let here = entries.filter { $0.parent == grid.rawValue }.prefix(5).map(\.description)
                throw GridModel.ValidationError(
                    .outOfRange, field: name.field, value: name.text,
                    allowed: "a compound of \(scope) (\(entry.description) lies in grid \(lies))"
                        + (here.isEmpty ? "" : ": " + here.joined(separator: ", ") + (here.count == 5 ? ", …" : "")))
            }
            edits.append(.assign(name.field, .text(key)))
        }
        for link in links {
            let id = try await store.findRecord(link.text, type: link.type).description
            edits.append(link.isSet ? .add(link.field, id) : .assign(link.field, id))
        }
        return edits
    }

    /// Changes a counter field; `nil` leaves it alone, and zero is refused.
    public mutating func change(_ field: String, by amount: Int64?) throws {
        guard let amount else { return }
        try type.schema.field(field).checkChange(amount)
        edits.append(.change(field, by: amount))
    }

    /// Starts a new record's counter at `amount`; `nil` leaves it at zero. A count a record
    /// starts with (the residents backing a new demand) is 1 or more.
    public mutating func start(_ field: String, at amount: Int64?) throws {
        guard let amount else { return }
        guard amount > 0 else {
            throw ValidationError(.outOfRange, field: field, value: String(amount), allowed: "1 or more, or nothing")
        }
        try change(field, by: amount)
    }

    /// Appends an entry to a log field from typed parts (`nil` parts are left out).
    public mutating func append(_ field: String, _ parts: [String: String?]) throws {
        guard case .log(let specs) = try type.schema.field(field).shape else {
            preconditionFailure("\(field) is not a log")
        }
        var entry: [String: FieldValue] = [:]
        for spec in specs {
            guard let text = parts[spec.name] ?? nil, case .register(let domain) = spec.shape else { continue }
            entry[spec.name] = try domain.parse(text, field: "\(field).\(spec.name)")
        }
        let logEntry = LogEntry(entry)
        try type.schema.field(field).checkEntry(logEntry)
        edits.append(.append(field, logEntry))
    }
}
