import GridModel

/// What the worker's screen asks for a new record of one type, and what it sets when a field is
/// left empty, as `gridsync <type> add` does: a demand is raised and of normal urgency, a visit
/// is today's, by the replica's worker, routine; a project starts at the collect stage.
struct RecordForm {
    /// The form's heading.
    let heading: Label
    /// How a field is typed in.
    enum Input {
        /// A line, or a list to pick from (a choice, a compound).
        case line
        /// Several lines, in a text area.
        case text
        /// Elements of a set, separated by commas or 、.
        case elements
        /// A whole number a counter starts at.
        case count
    }

    /// The fields asked, in order.
    let fields: [(name: String, input: Input)]
    /// Values set when the form leaves the field empty.
    let defaults: [String: String]
    /// Where a save leads.
    let after: String

    /// The elements typed in a set's box: separated by commas (either width), 、 or spaces.
    static func elements(_ text: String?) -> [String] {
        (text ?? "").split { ",，、 ".contains($0) }.map(String.init)
    }

    /// The types with a form, in the order the screen offers them.
    static let types: [RecordType] = [.demand, .visit, .project]

    /// The form of `type`, if the screen has one, for `worker` on `today`.
    static func of(_ type: RecordType, worker: String, today: String) -> RecordForm? {
        switch type {
        case .demand:
            RecordForm(
                heading: Label("记录诉求", "Record a demand"),
                fields: [
                    ("title", .line), ("category", .line), ("status", .line), ("urgency", .line),
                    ("compound", .line), ("building", .line), ("place", .line), ("backers", .count),
                    ("tags", .elements), ("description", .text),
                ],
                defaults: ["status": DemandStatus.raised.key, "urgency": Urgency.normal.key],
                after: "/records/demand")
        case .visit:
            RecordForm(
                heading: Label("记录走访", "Record a visit"),
                fields: [
                    ("visited-on", .line), ("purpose", .line), ("compound", .line), ("household", .line),
                    ("place", .line), ("observations", .text),
                ],
                defaults: ["visited-on": today, "purpose": VisitPurpose.routine.key, "worker": worker], after: "/")
        case .project:
            RecordForm(
                heading: Label("发起微项目", "Start a micro-project"),
                fields: [
                    ("title", .line), ("category", .line), ("stage", .line), ("compound", .line),
                    ("proposer", .line), ("participants", .elements), ("place", .line), ("summary", .text),
                ],
                defaults: ["stage": ProjectStage.collect.key], after: "/records/project")
        case .community, .grid, .compound, .worker:
            nil
        }
    }
}
