import GridModel

/// What the worker's screen asks for a new record of one type, and what it sets when a field is
/// left empty, as `gridsync <type> add` does: a demand is raised and of normal urgency, a visit
/// is today's, by the replica's worker, routine; a project starts at the collect stage.
struct RecordForm {
    /// The form's heading.
    let heading: Label
    /// The fields asked, in order; multiline ones in a text area.
    let fields: [(name: String, multiline: Bool)]
    /// Values set when the form leaves the field empty.
    let defaults: [String: String]
    /// Where a save leads.
    let after: String

    /// The types with a form, in the order the screen offers them.
    static let types: [RecordType] = [.demand, .visit, .project]

    /// The form of `type`, if the screen has one, for `worker` on `today`.
    static func of(_ type: RecordType, worker: String, today: String) -> RecordForm? {
        switch type {
        case .demand:
            RecordForm(
                heading: Label("记录诉求", "Record a demand"),
                fields: [
                    ("title", false), ("category", false), ("urgency", false), ("compound", false),
                    ("building", false), ("description", true),
                ],
                defaults: ["status": DemandStatus.raised.key, "urgency": Urgency.normal.key],
                after: "/records/demand")
        case .visit:
            RecordForm(
                heading: Label("记录走访", "Record a visit"),
                fields: [
                    ("visited-on", false), ("purpose", false), ("compound", false), ("household", false),
                    ("observations", true),
                ],
                defaults: ["visited-on": today, "purpose": VisitPurpose.routine.key, "worker": worker], after: "/")
        case .project:
            RecordForm(
                heading: Label("发起微项目", "Start a micro-project"),
                fields: [
                    ("title", false), ("category", false), ("stage", false), ("compound", false),
                    ("proposer", false), ("summary", true),
                ],
                defaults: ["stage": ProjectStage.collect.key], after: "/records/project")
        case .community, .grid, .compound, .worker:
            nil
        }
    }
}
