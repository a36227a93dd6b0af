/// Who pays for a micro-project: "government + society + residents".
public enum FundingSource: String, LabelledKey {
    /// The street's budget, paid mostly as rewards to projects that worked (以奖代补).
    case government
    /// Firms, shops and social organisations.
    case society
    /// Residents themselves.
    case residents

    public var label: Label {
        switch self {
        case .government: Label("政府", "government")
        case .society: Label("社会", "society")
        case .residents: Label("居民", "residents")
        }
    }

    /// The project counter field that holds the whole yuan raised from this source, as
    /// gridsync/2 recorded them; still read, no longer written.
    public var fieldName: String { "funding-\(rawValue)" }

    /// The project counter field that holds the fen raised from this source (gridsync/3):
    /// the amount of a source is both fields together.
    public var fenFieldName: String { "funding-\(rawValue)-fen" }
}
