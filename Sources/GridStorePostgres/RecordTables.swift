import Foundation
import GridMerge
import GridModel
import GridStore
import PostgresNIO

/// The records as typed tables for the office's statisticians: `demands`, `visits` and
/// `projects`, one row per record, with keys and their Chinese labels, the street's names,
/// dates as `date` and times as `timestamptz`, money in yuan as `numeric`.
///
/// The tables are derived, never written by anyone but a daemon's ``RecordPublisher``: the
/// op log is the truth, and each row is what the merge makes of it (the same values a laptop
/// shows). `record_tables` says how far through the log they are. `docs/SQL.md` documents
/// every column, with queries.
enum RecordTables {
    /// The frozen statements of the migration that makes the tables.
    static let migration: [String] = [
        """
        -- How far through the op log the record tables are: every op numbered at or below
        -- published_through is in them.
        CREATE TABLE record_tables (
            singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
            published_through bigint NOT NULL DEFAULT 0,
            published_at timestamptz
        )
        """,
        "INSERT INTO record_tables DEFAULT VALUES",
        """
        CREATE TABLE demands (
            id text PRIMARY KEY,
            community text NOT NULL, community_name text, grid text, grid_name text,
            compound text, compound_name text, building text,
            title text, description text,
            category text, category_label text, status text, status_label text, urgency text, urgency_label text,
            backers bigint NOT NULL, tags text[] NOT NULL,
            visit text, project text, notes text,
            created_at timestamptz NOT NULL, changed_at timestamptz NOT NULL, closed_at timestamptz,
            deleted boolean NOT NULL, conflicted_fields text[] NOT NULL
        )
        """,
        "CREATE INDEX demands_by_place ON demands (community, grid, compound)",
        "CREATE INDEX demands_by_created ON demands (created_at)",
        """
        CREATE TABLE visits (
            id text PRIMARY KEY,
            community text NOT NULL, community_name text, grid text, grid_name text,
            compound text, compound_name text, household text,
            visited_on date, worker text, worker_name text, purpose text, purpose_label text,
            observations text, demands text[] NOT NULL, notes text,
            created_at timestamptz NOT NULL, changed_at timestamptz NOT NULL,
            deleted boolean NOT NULL, conflicted_fields text[] NOT NULL
        )
        """,
        "CREATE INDEX visits_by_day ON visits (visited_on, community, grid)",
        """
        CREATE TABLE projects (
            id text PRIMARY KEY,
            community text NOT NULL, community_name text, grid text, grid_name text,
            compound text, compound_name text,
            title text, summary text, proposer text,
            category text, category_label text, stage text, stage_label text,
            stages jsonb NOT NULL, participants text[] NOT NULL, demands text[] NOT NULL,
            funding_government numeric(14, 2) NOT NULL, funding_society numeric(14, 2) NOT NULL,
            funding_residents numeric(14, 2) NOT NULL,
            surveyed_respondents bigint NOT NULL, surveyed_satisfied bigint NOT NULL,
            progress text, satisfaction text, notes text,
            created_at timestamptz NOT NULL, changed_at timestamptz NOT NULL,
            deleted boolean NOT NULL, conflicted_fields text[] NOT NULL
        )
        """,
        "CREATE INDEX projects_by_stage ON projects (stage, community)",
    ]

    /// The frozen statements of the migration that adds photos and places (gridsync/4): the
    /// place as stored (`latitude,longitude[,accuracy]`, WGS-84) and the photos' ids.
    static let photosAndPlaces: [String] = ["demands", "visits", "projects"].map { table in
        "ALTER TABLE \(table) ADD COLUMN place text, ADD COLUMN photos text[] NOT NULL DEFAULT '{}'"
    }

    /// The tables of the record types that have one.
    static let tables = ["demands", "visits", "projects"]

    /// The statement that inserts `record`'s row (the publisher deletes the rows of the
    /// records it writes first), or `nil` for the street's reference records, which have no table.
    static func insert(_ record: RecordState, _ timeline: RecordTimeline, text: RecordText) -> PostgresQuery? {
        let row = Row(record: record, text: text)
        let scope = record.scope
        let community = scope.community.rawValue
        let grid = scope.grid?.rawValue
        let communityName = text.names.name(.community, community)
        let gridName = grid.flatMap { text.names.name(.grid, $0) }
        let compound = row.key("compound")
        let compoundName = compound.flatMap { text.names.name(.compound, $0) }
        let created = Self.date(timeline.created)
        let changed = Self.date(timeline.changed)
        let conflicted = record.conflictedFields
        let id = record.id.description
        switch record.type {
        case .demand:
            let status = DemandStatus(rawValue: record.value("status").description)
            let closed = timeline.closed(status: status).map { Self.date($0.clock) }
            return """
                INSERT INTO demands VALUES (
                    \(id), \(community), \(communityName), \(grid), \(gridName),
                    \(compound), \(compoundName), \(row.key("building")),
                    \(row.key("title")), \(row.key("description")),
                    \(row.key("category")), \(row.label("category")), \(row.key("status")), \(row.label("status")),
                    \(row.key("urgency")), \(row.label("urgency")),
                    \(row.counter("backers")), \(row.elements("tags")),
                    \(row.key("visit")), \(row.key("project")), \(row.log(RecordSchema.notesField)),
                    \(created), \(changed), \(closed),
                    \(record.isDeleted), \(conflicted), \(row.key("place")), \(row.elements("photos")))
                """
        case .visit:
            let worker = row.key("worker")
            return """
                INSERT INTO visits VALUES (
                    \(id), \(community), \(communityName), \(grid), \(gridName),
                    \(compound), \(compoundName), \(row.key("household")),
                    \(row.key("visited-on"))::date, \(worker), \(worker.flatMap { text.names.name(.worker, $0) }),
                    \(row.key("purpose")), \(row.label("purpose")),
                    \(row.key("observations")), \(row.elements("demands")), \(row.log(RecordSchema.notesField)),
                    \(created), \(changed),
                    \(record.isDeleted), \(conflicted), \(row.key("place")), \(row.elements("photos")))
                """
        case .project:
            var stages: [String: String] = [:]
            for step in timeline.entered("stage") { stages[step.value] = text.date(of: step.clock) }
            let surveys = record.logs["satisfaction"]?.items.map(\.entry) ?? []
            func total(_ part: String) -> Int64 { surveys.reduce(0) { $0 + ($1[part]?.integer ?? 0) } }
            func yuan(_ source: FundingSource) -> String { record.funding(from: source).yuanText }
            return """
                INSERT INTO projects VALUES (
                    \(id), \(community), \(communityName), \(grid), \(gridName),
                    \(compound), \(compoundName),
                    \(row.key("title")), \(row.key("summary")), \(row.key("proposer")),
                    \(row.key("category")), \(row.label("category")), \(row.key("stage")), \(row.label("stage")),
                    \(Self.json(stages))::jsonb, \(row.elements("participants")), \(row.elements("demands")),
                    \(yuan(.government))::numeric, \(yuan(.society))::numeric, \(yuan(.residents))::numeric,
                    \(total("respondents")), \(total("satisfied")),
                    \(row.log("progress")), \(row.log("satisfaction")), \(row.log(RecordSchema.notesField)),
                    \(created), \(changed),
                    \(record.isDeleted), \(conflicted), \(row.key("place")), \(row.elements("photos")))
                """
        case .community, .grid, .compound, .worker:
            return nil
        }
    }

    /// A clock reading as a date for a `timestamptz` column.
    private static func date(_ clock: HybridTimestamp) -> Date {
        Date(timeIntervalSince1970: Double(clock.milliseconds) / 1000)
    }

    /// A JSON object with sorted keys.
    private static func json(_ object: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(object)) ?? Data("{}".utf8), as: UTF8.self)
    }

    /// One record's values as the tables hold them.
    private struct Row {
        let record: RecordState
        let text: RecordText

        /// A register's stored value (a key, a date, a text), or `nil` when not set.
        func key(_ field: String) -> String? {
            let value = record.value(field)
            return value == .null ? nil : value.description
        }

        /// A register's Chinese label, or `nil` when not set.
        func label(_ field: String) -> String? {
            guard let spec = record.type.schema[field], record.value(field) != .null else { return nil }
            return text.value(record.value(field), of: spec)
        }

        /// A set's elements.
        func elements(_ field: String) -> [String] {
            record.sets[field]?.elements ?? []
        }

        /// A counter's value.
        func counter(_ field: String) -> Int64 {
            record.counters[field]?.value ?? 0
        }

        /// A log's entries as dated sentences, one per line, or `nil` for none.
        func log(_ field: String) -> String? {
            guard let spec = record.type.schema[field], let log = record.logs[field], !log.items.isEmpty else {
                return nil
            }
            return text.entries(log, of: spec).joined(separator: "\n")
        }
    }
}
