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
/// document, and `dates`.
public struct DatedRecordDocument: Encodable, Sendable {
    /// The record.
    public let record: RecordDocument
    /// Its dates, if the store holds its ops.
    public let dates: RecordDates?

    /// Pairs a record with its dates.
    public init(_ record: RecordState, _ timeline: RecordTimeline?, text: RecordText) {
        self.record = RecordDocument(record)
        self.dates = timeline.map { RecordDates(record, $0, text: text) }
    }

    public func encode(to encoder: any Encoder) throws {
        try record.encode(to: encoder)
        var container = encoder.container(keyedBy: Key.self)
        try container.encodeIfPresent(dates, forKey: .dates)
    }

    private enum Key: String, CodingKey { case dates }
}
