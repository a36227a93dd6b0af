/// One field of a record type: its name, its labels, how it merges and what it holds.
public struct FieldSpec: Hashable, Sendable {
    /// What the field holds, which also fixes how it merges.
    public enum Shape: Hashable, Sendable {
        /// A single value from a domain (multi-value register).
        case register(ValueDomain)
        /// A set of elements from a domain (add-wins observed-remove set).
        case set(element: ValueDomain)
        /// A running total; each change is a whole number in the range (PN-counter).
        case counter(change: ClosedRange<Int64>)
        /// A list of entries, each with the named parts given (append-only log).
        case log(entry: [FieldSpec])
    }

    /// The stable field name, in kebab-case (`visited-on`), as stored, sent and typed in flags.
    public let name: String
    /// The Chinese and English names shown to people.
    public let label: Label
    /// What the field holds.
    public let shape: Shape
    /// Whether a new record must give this field, and a register may never be cleared.
    public let isRequired: Bool
    /// For a part of a log entry: another whole-number part that this one may not exceed
    /// (satisfied residents cannot outnumber those asked).
    public let atMost: String?

    /// Creates a field.
    public init(_ name: String, _ label: Label, _ shape: Shape, required: Bool = false, atMost: String? = nil) {
        self.name = name
        self.label = label
        self.shape = shape
        self.isRequired = required
        self.atMost = atMost
    }

    /// How concurrent edits of this field merge.
    public var kind: MergeKind {
        switch shape {
        case .register: .register
        case .set: .set
        case .counter: .counter
        case .log: .log
        }
    }

    /// Checks a register value: canonical for the domain, and not `null` if the field is required.
    public func checkRegister(_ value: FieldValue) throws(ValidationError) {
        guard case .register(let domain) = shape else { throw wrongKind(expected: .register) }
        if value == .null {
            guard !isRequired else {
                throw ValidationError(.missingRequired, field: name, value: nil, allowed: domain.summary)
            }
            return
        }
        try domain.check(value, field: name)
    }

    /// Checks a set element.
    public func checkElement(_ element: String) throws(ValidationError) {
        guard case .set(let domain) = shape else { throw wrongKind(expected: .set) }
        try domain.check(.text(element), field: name)
    }

    /// Checks one change of a counter: in range and not zero.
    public func checkChange(_ change: Int64) throws(ValidationError) {
        guard case .counter(let range) = shape else { throw wrongKind(expected: .counter) }
        guard change != 0, range.contains(change) else {
            throw ValidationError(
                .outOfRange, field: name, value: String(change),
                allowed: "a change from \(range.lowerBound) to \(range.upperBound), not 0")
        }
    }

    /// Checks a log entry: every part is known and canonical, every required part is there.
    public func checkEntry(_ entry: LogEntry) throws(ValidationError) {
        guard case .log(let parts) = shape else { throw wrongKind(expected: .log) }
        for (name, value) in entry.sortedParts {
            guard let part = parts.first(where: { $0.name == name }) else {
                throw ValidationError(
                    .unknownField, field: self.name, value: name,
                    allowed: parts.map(\.name).joined(separator: ", "))
            }
            guard value != .null else {
                throw ValidationError(
                    .badFormat, field: "\(self.name).\(name)", value: "null", allowed: "leave the part out")
            }
            do {
                try part.checkRegister(value)
            } catch {
                throw ValidationError(
                    error.code, field: "\(self.name).\(name)", value: error.value, allowed: error.allowed)
            }
        }
        for part in parts where part.isRequired && entry[part.name] == nil {
            throw ValidationError(
                .missingRequired, field: "\(self.name).\(part.name)", value: nil,
                allowed: part.domainSummary)
        }
        for part in parts {
            guard let bound = part.atMost, let value = entry[part.name]?.integer,
                let limit = entry[bound]?.integer, value > limit
            else { continue }
            throw ValidationError(
                .outOfRange, field: "\(self.name).\(part.name)", value: String(value),
                allowed: "at most \(bound) (\(limit))")
        }
    }

    /// What the field accepts, in words.
    public var domainSummary: String {
        switch shape {
        case .register(let domain): domain.summary
        case .set(let element): "a set of \(element.summary)"
        case .counter: "a whole-number total"
        case .log(let parts): "entries with " + parts.map { "\($0.name) (\($0.domainSummary))" }.joined(separator: ", ")
        }
    }

    private func wrongKind(expected: MergeKind) -> ValidationError {
        ValidationError(.wrongKind, field: name, value: expected.rawValue, allowed: kind.rawValue)
    }
}
