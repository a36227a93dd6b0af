/// What a demand is about, and what a micro-project does: the five categories of the street's
/// micro-projects, plus `other` for demands that fit none of them.
public enum Category: String, LabelledKey {
    /// Fire safety: volunteer patrols, small fire stations, gas-safety education, hazard clean-ups.
    case fireSafety = "fire-safety"
    /// Convenience services: markets, shop safety, clearing stairwells, repair and home services.
    case convenience
    /// Public security: civility patrols, objects thrown from high windows, dog-keeping.
    case publicSecurity = "public-security"
    /// Environment: clean-ups of neglected corners, adopt-a-plot greening, waste sorting.
    case environment
    /// Democratic consultation: parking rules, street-shop rules, three-party councils.
    case consultation
    /// A demand that fits none of the five project categories. Projects never use it.
    case other

    public var label: Label {
        switch self {
        case .fireSafety: Label("消防安全", "fire safety")
        case .convenience: Label("便民服务", "convenience services")
        case .publicSecurity: Label("社会治安", "public security")
        case .environment: Label("环境美化", "environment")
        case .consultation: Label("民主协商", "democratic consultation")
        case .other: Label("其他", "other")
        }
    }

    /// The five categories a micro-project may have.
    public static let projectCategories: ChoiceSet = ChoiceSet(Category.self, excluding: [.other])
}
