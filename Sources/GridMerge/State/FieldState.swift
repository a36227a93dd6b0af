/// The merged state of one field, of the field's merge kind.
public enum FieldState: Hashable, Sendable {
    /// A multi-value register.
    case register(RegisterState)
    /// An add-wins observed-remove set.
    case set(ObservedRemoveSet)
    /// A PN-counter.
    case counter(PNCounter)
    /// An append-only log.
    case log(AppendLog)

    /// The register, if this is a register field.
    public var register: RegisterState? {
        if case .register(let register) = self { register } else { nil }
    }

    /// The set, if this is a set field.
    public var set: ObservedRemoveSet? {
        if case .set(let set) = self { set } else { nil }
    }

    /// The counter, if this is a counter field.
    public var counter: PNCounter? {
        if case .counter(let counter) = self { counter } else { nil }
    }

    /// The log, if this is a log field.
    public var log: AppendLog? {
        if case .log(let log) = self { log } else { nil }
    }
}
