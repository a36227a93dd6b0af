import Foundation
import GridMerge
import GridModel
import GridStore
import Logging
import PostgresNIO

/// Keeps the record tables (``RecordTables``) up with the op log in PostgreSQL: the daemons
/// of one database take turns, one at a time, and each round writes the rows of the records
/// edited since the last.
///
/// A round holds the row of `record_tables` (`FOR UPDATE SKIP LOCKED`): a daemon that finds
/// it held skips the round, and a daemon killed mid-round leaves the tables as they were (its
/// transaction rolls back) for the next daemon to take up. The rows come from the daemon's
/// mirror (``PostgresMirror``), caught up inside the round, so every op numbered at or below
/// the `published_through` the round writes is in them.
public struct RecordPublisher: Sendable {
    /// What one round did.
    public struct Round: Hashable, Sendable {
        /// The log's local sequences the round took in.
        public var through: Int64
        /// Rows written (records of the three tables edited since the last round).
        public var rows: Int
        /// Whether the round reached the log's head; if not, the next goes on at once.
        public var reachedHead = true
    }

    /// The mirror the rows come from.
    public let mirror: PostgresMirror
    /// The office's time zone, for the dates in log entries and the `stages` of projects.
    public var timeZone: TimeZone

    /// How often the log is looked at.
    public static let poll = Duration.seconds(1)
    /// How long after a failed round the next is tried.
    static let retry = Duration.seconds(2)
    /// The most records whose rows one statement deletes.
    static let slice = 1_000
    /// The most ops of the log one round takes in: a first round on a year of a district
    /// goes in several, each a transaction of bounded length.
    static let roundOps: Int64 = 50_000
    /// How long a round may take before it is given up (and rolled back).
    static let patience = Patience(limit: .seconds(600))

    /// Creates the publisher of `mirror`'s database.
    public init(mirror: PostgresMirror, timeZone: TimeZone = .current) {
        self.mirror = mirror
        self.timeZone = timeZone
    }

    /// Brings the tables up to the log's head (or ``roundOps`` further, if the log is further
    /// ahead), unless another daemon is doing so.
    ///
    /// - Returns: what was written, or `nil` if another daemon holds the tables.
    public func publish() async throws -> Round? {
        let mirror = self.mirror
        let timeZone = self.timeZone
        let pool = mirror.server.pool
        let logger = pool.logger
        return try await pool.withConnection(patience: Self.patience) { connection in
            try await connection.withTransaction(logger: logger) { connection in
                let held = try await connection.query(
                    "SELECT published_through FROM record_tables FOR UPDATE SKIP LOCKED", logger: logger
                ).collect()
                guard let published = try held.first?.decode(Int64.self) else { return nil }
                let through = try await mirror.catchUp(through: published + Self.roundOps)
                guard through > published else { return Round(through: published, rows: 0) }
                let edited = try await mirror.replica.records(
                    withIDs: Array(try await mirror.server.recordsEdited(in: (published + 1)...through)))
                // A renamed compound, grid, community or worker changes the names in every row
                // that shows it: the rows are all written again (the street's lists change rarely).
                let records =
                    edited.contains { $0.type.isReference }
                    ? try await mirror.replica.allRecords().filter { !$0.type.isReference }
                    : edited.filter { !$0.type.isReference }
                let timelines = try await mirror.replica.timelines(of: records.map(\.id))
                let text = RecordText(timeZone: timeZone, names: try await mirror.replica.streetNames())
                let ids = records.map(\.id.description)
                for start in stride(from: 0, to: ids.count, by: Self.slice) {
                    let slice = Array(ids[start..<min(start + Self.slice, ids.count)])
                    for table in RecordTables.tables {
                        try await connection.query(
                            "DELETE FROM \(unescaped: table) WHERE id = ANY(\(slice))", logger: logger)
                    }
                }
                for record in records {
                    guard let timeline = timelines[record.id],
                        let insert = RecordTables.insert(record, timeline, text: text)
                    else { continue }
                    try await connection.query(insert, logger: logger)
                }
                try await connection.query(
                    "UPDATE record_tables SET published_through = \(through), published_at = now()", logger: logger)
                return Round(through: through, rows: records.count, reachedHead: through < published + Self.roundOps)
            }
        }
    }

    /// Publishes every ``poll`` until the task is cancelled, then once more (a daemon shutting
    /// down leaves the tables up to date with what it took in), telling `report` what each
    /// round did or why it failed (the next is tried a moment later: syncs go on meanwhile).
    public func run(report: @Sendable (Result<Round?, any Error>) -> Void = { _ in }) async {
        while !Task.isCancelled {
            do {
                // Decisions taken in this daemon's console that the database could not take then.
                try await mirror.send()
                let round = try await publish()
                report(.success(round))
                // A log further ahead than one round takes goes on at once.
                if round?.reachedHead == false { continue }
                try? await Task.sleep(for: Self.poll)
            } catch  where Task.isCancelled {
                break
            } catch {
                report(.failure(PostgresServerStore.storeError(error)))
                try? await Task.sleep(for: Self.retry)
            }
        }
        // The last round runs outside the cancelled task, whose queries would be cancelled too.
        let last = Task { try await publish() }
        report(await last.result.mapError { PostgresServerStore.storeError($0) })
    }
}
