import GridMerge
import GridModel

/// A record's dates as `show --json` and `list --json` write them: when it was made and last
/// changed, each status or stage it was given, and for a demand, when it was closed. Times are
/// ISO 8601 in the office's time zone.
public struct RecordDates: Encodable, Sendable {
    /// One status or stage given.
    public struct Step: Encodable, Sendable {
        /// `status` or `stage`.
        public let field: String
        /// Its key.
        public let value: String
        /// Its Chinese label.
        public let label: String
        /// When.
        public let at: String
        /// By whom.
        public let author: String
    }

    /// When the record was made.
    public let created: String
    /// When it last changed.
    public let changed: String
    /// Each status or stage given, oldest first.
    public let steps: [Step]
    /// When a demand was closed (resolved, closed or declined), if it is.
    public let closed: String?

    /// The dates of `record` from its timeline, in `text`'s time zone.
    public init(_ record: RecordState, _ timeline: RecordTimeline, text: RecordText) {
        created = text.iso(of: timeline.created)
        changed = text.iso(of: timeline.changed)
        steps = timeline.steps.map { step in
            Step(
                field: step.field, value: step.value,
                label: record.type.schema.label(of: .text(step.value), field: step.field)?.chinese ?? step.value,
                at: text.iso(of: step.clock), author: step.author.rawValue)
        }
        closed = timeline.closed(status: DemandStatus(rawValue: record.value("status").description)).map {
            text.iso(of: $0.clock)
        }
    }
}

/// A record with its dates, as `show --json` and `list --json` write it: the record's
/// document, `dates`, and for `show`, `linked`: the records that name it.
public struct DatedRecordDocument: Encodable, Sendable {
    /// Another record that names this one in a field.
    public struct Link: Encodable, Sendable {
        /// Its type's key.
        public let type: String
        /// Its id.
        public let id: String
        /// The field that names this record.
        public let field: String
        /// Its title, or a visit's date.
        public let title: String

        /// The link from `other` to the record `id`.
        public init(from other: RecordState, to id: RecordID) {
            type = other.type.key
            self.id = other.id.description
            field =
                other.type.schema.fields.first { field in
                    other.value(field.name) == .text(id.description)
                        || other.sets[field.name]?.elements.contains(id.description) == true
                }?.name ?? ""
            title = other.type == .visit ? other.value("visited-on").description : other.value("title").description
        }
    }

    /// The record.
    public let record: RecordDocument
    /// Its dates, if the store holds its ops.
    public let dates: RecordDates?
    /// The records that name it, for `show`.
    public let linked: [Link]?

    /// Pairs a record with its dates and the records that name it.
    public init(_ record: RecordState, _ timeline: RecordTimeline?, text: RecordText, linked: [RecordState]? = nil) {
        self.record = RecordDocument(record)
        self.dates = timeline.map { RecordDates(record, $0, text: text) }
        self.linked = linked?.map { Link(from: $0, to: record.id) }
    }

    public func encode(to encoder: any Encoder) throws {
        try record.encode(to: encoder)
        var container = encoder.container(keyedBy: Key.self)
        try container.encodeIfPresent(dates, forKey: .dates)
        try container.encodeIfPresent(linked, forKey: .linked)
    }

    private enum Key: String, CodingKey { case dates, linked }
}
