import Foundation
import GridMerge
import GridModel
import GridStore
import GridStorePostgres
import GridTesting
import PostgresNIO
import Testing

/// The record tables for SQL readers, written by daemons taking turns from their own mirrors,
/// against an independent oracle: the merge of every op pushed, in memory (GridMerge's
/// `ReplicaState`), and the schema's own labels.
@Suite(.enabled(if: PostgresTestDatabase.available, "GRIDSYNC_TEST_POSTGRES is not set"))
struct RecordTablesTests {
    @Test func tablesHoldWhatTheMergeMakesOfTheLogWhicheverDaemonWritesThem() async throws {
        try await withTemporaryFolder { folder in
            try await PostgresTestDatabase.with { database in
                try await database.withDaemons(2) { daemons in
                    var publishers: [RecordPublisher] = []
                    for (index, daemon) in daemons.enumerated() {
                        let mirror = try await PostgresMirror.open(following: daemon, in: "\(folder)/\(index)")
                        publishers.append(
                            RecordPublisher(mirror: mirror, timeZone: TimeZone(identifier: "Asia/Shanghai")!))
                    }
                    let generator = EditGenerator()
                    let grids = generator.street.grids.map(\.scope)
                    var rng = SeededGenerator(seed: 0x7461_626c)
                    // Two laptops of one grid that share what they hold (so they edit the same records
                    // concurrently), and one in each of two other grids.
                    let places = [grids[0], grids[0], grids[1], grids[2]]
                    var laptops = places.indices.map { index in
                        Replica(
                            id: ReplicaID(rawValue: 0x7a00 + UInt64(index)), author: generator.street.workers[index].id,
                            clock: HybridClock(wallClock: SystemWallClock()))
                    }
                    var sent = Array(repeating: 0, count: laptops.count)
                    var merged = ReplicaState()
                    var written = 0
                    for round in 0..<14 {
                        for index in laptops.indices {
                            try Self.work(&laptops[index], in: places[index], generator: generator, using: &rng)
                        }
                        if round % 3 == 1 {
                            for op in laptops[0].ops { _ = try laptops[1].receive(op) }
                            for op in laptops[1].ops { _ = try laptops[0].receive(op) }
                        }
                        for index in laptops.indices {
                            let own = laptops[index].ops.filter { $0.id.replica == laptops[index].id }
                            let new = Array(own[sent[index]...])
                            sent[index] = own.count
                            _ = try await daemons.randomElement(using: &rng)!.admit(new, pushedBy: laptops[index].id)
                            for op in new { _ = try merged.apply(op) }
                        }
                        // Either daemon writes the tables, or both try at once: one at a time writes.
                        if round % 4 == 3 {
                            let (one, other) = (publishers[0], publishers[1])
                            async let first = one.publish()
                            async let second = other.publish()
                            let rounds = try await [first, second]
                            #expect(rounds.contains { $0 != nil }, "one of the two daemons writes")
                            written += rounds.compactMap { $0?.rows }.reduce(0, +)
                        } else {
                            written += try await publishers.randomElement(using: &rng)!.publish()?.rows ?? 0
                        }
                    }
                    // The two laptops of one grid change one record's line at once: a conflict the tables show.
                    let shared = laptops[0].state.records.values
                        .filter { !$0.isDeleted && $0.scope == places[0] && laptops[1].state.records[$0.id] != nil }
                        .min { $0.id < $1.id }
                    if let shared {
                        let field = shared.type == .visit ? "household" : "title"
                        for (index, text) in [(0, "东门楼道"), (1, "西门楼道")] {
                            let op = try laptops[index].edit(shared.id, .assign(field, .text(text)))
                            _ = try await daemons[index].admit([op], pushedBy: laptops[index].id)
                            _ = try merged.apply(op)
                        }
                    }
                    let last = try #require(try await publishers[1].publish())
                    #expect(last.through == (try await daemons[0].logHead()))
                    #expect(written > 0)
                    let rows = try await Self.rows(database)
                    try Self.expect(rows, equal: merged)
                    #expect(merged.conflicts.count > 0, "the laptops sharing a grid made conflicts")
                }
            }
        }
    }

    @Test func aMirrorOfAnotherServerIsPutAsideAndANewOneFollows() async throws {
        try await withTemporaryFolder { folder in
            let generator = EditGenerator()
            var rng = SeededGenerator(seed: 0x6173_6964)
            var laptop = Self.laptop(0x7b01, of: generator)
            for _ in 0..<5 {
                try Self.work(&laptop, in: generator.street.grids[0].scope, generator: generator, using: &rng)
            }
            let firstServer = try await PostgresTestDatabase.with { database in
                try await database.withDaemons(1) { daemons in
                    _ = try await daemons[0].admit(laptop.ops, pushedBy: laptop.id)
                    let mirror = try await PostgresMirror.open(following: daemons[0], in: folder)
                    #expect(try await mirror.catchUp() == Int64(laptop.ops.count))
                    #expect(try await mirror.replica.allRecords().count == laptop.state.records.count)
                    return daemons[0].identity.replica
                }
            }
            // Another database (a district's, or this one rebuilt): the cache follows it from scratch.
            try await PostgresTestDatabase.with { database in
                try await database.withDaemons(1) { daemons in
                    #expect(daemons[0].identity.replica != firstServer)
                    _ = try await daemons[0].admit(Array(laptop.ops.prefix(2)), pushedBy: laptop.id)
                    let mirror = try await PostgresMirror.open(following: daemons[0], in: folder)
                    #expect(try await mirror.catchUp() == 2)
                    #expect(try await mirror.replica.status().opCount == 2)
                    let aside = try FileManager.default.contentsOfDirectory(atPath: folder)
                        .filter { $0.contains("followed-another-server") }
                    #expect(aside.contains { $0.hasPrefix(SQLiteReplicaStore.fileName + ".") }, "kept aside: \(aside)")
                }
            }
        }
    }

    @Test func aLogPutBackWithoutNoticeIsRefusedUntilAnnouncedAsRestored() async throws {
        try await withTemporaryFolder { folder in
            try await PostgresTestDatabase.with { database in
                let generator = EditGenerator()
                var rng = SeededGenerator(seed: 0x6261_636b)
                var laptop = Self.laptop(0x7e01, of: generator)
                try Self.work(&laptop, in: generator.street.grids[0].scope, generator: generator, using: &rng)
                try await PostgresTestDatabase.withClient(database.address) { client in
                    let server = try await PostgresServerStore.open(client: client, worker: WorkerID("gridsyncd")!)
                    _ = try await server.admit(laptop.ops, pushedBy: laptop.id)
                    try await PostgresMirror.open(following: server, in: folder).catchUp()
                    // Last night's dump, without the last op.
                    _ = try await client.query(
                        "DELETE FROM ops WHERE local_sequence = (SELECT last FROM op_log_head)")
                    _ = try await client.query("UPDATE op_log_head SET last = last - 1")
                    await #expect {
                        _ = try await PostgresMirror.open(following: server, in: folder)
                    } throws: { error in
                        (error as? StoreError)?.code == .logWentBack
                    }
                    // Announced, the log is another server's: the mirror starts again beside the old one.
                    let restored = try await PostgresServerStore.continueAfterRestore(client: client, as: .random())
                    #expect(restored.lineage.first == server.identity.replica && restored.restoredAt != nil)
                    let mirror = try await PostgresMirror.open(
                        following: try await PostgresServerStore.openExisting(client: client), in: folder)
                    #expect(try await mirror.catchUp() == Int64(laptop.ops.count - 1))
                }
            }
        }
    }

    @Test func aDecisionTakenInAMirrorReachesTheLogAsALaptopsPushWould() async throws {
        try await PostgresTestDatabase.with { database in
            try await database.withDaemons(1) { daemons in
                try await withTemporaryFolder { folder in
                    let generator = EditGenerator()
                    var rng = SeededGenerator(seed: 0x6465_6369)
                    let grid = generator.street.grids[0].scope
                    var laptop = Self.laptop(0x7c01, of: generator)
                    let id = RecordID(using: &rng)
                    try laptop.create(.demand, id: id, in: grid, generator.newRecord(.demand, in: grid, using: &rng))
                    _ = try await daemons[0].admit(laptop.ops, pushedBy: laptop.id)
                    let mirror = try await PostgresMirror.open(following: daemons[0], in: folder)
                    try await mirror.catchUp()
                    let office = WorkerID("office-1")!
                    let written = try await mirror.replica.write(
                        RecordChange(record: id, target: .edit, edits: [.assign("status", "accepted")]), as: office,
                        within: [GridScope(community: grid.community)])
                    #expect(try await mirror.send() == written.count)
                    #expect(try await mirror.send() == 0, "sent once")
                    // The laptop's next pull holds the office's decision, written by the mirror's id.
                    let batch = try await daemons[0].batch(
                        after: 0, limit: 100, scopes: [grid], writers: .allBut(laptop.id))
                    #expect(batch.ops == written)
                    #expect(
                        batch.ops.allSatisfy { $0.id.replica == mirror.replica.identity.replica && $0.author == office }
                    )
                }
            }
        }
    }

    @Test func aRenamedCompoundIsRenamedInEveryRowThatShowsIt() async throws {
        try await PostgresTestDatabase.with { database in
            try await database.withDaemons(1) { daemons in
                try await withTemporaryFolder { folder in
                    let publisher = RecordPublisher(
                        mirror: try await PostgresMirror.open(following: daemons[0], in: folder))
                    let generator = EditGenerator()
                    var rng = SeededGenerator(seed: 0x6e61_6d65)
                    let grid = generator.street.grids[0].scope
                    var office = Self.laptop(0x7d01, of: generator)
                    let key = "k901"
                    let compound = RecordID(reference: .compound, key: key)
                    try office.create(
                        .compound, id: compound, in: grid,
                        [
                            .assign("key", .text(key)), .assign("grid", .text(grid.grid!.rawValue)),
                            .assign("name", "纺织厂宿舍"), .assign("property-management", .boolean(false)),
                        ])
                    let demand = RecordID(using: &rng)
                    try office.create(
                        .demand, id: demand, in: grid,
                        generator.newRecord(.demand, in: grid, using: &rng) + [.assign("compound", .text(key))])
                    _ = try await daemons[0].admit(office.ops, pushedBy: office.id)
                    _ = try await publisher.publish()
                    #expect(
                        try await Self.rows(database)["demands"]?[demand.description]?["compound_name"] as? String
                            == "纺织厂宿舍")
                    // The office renames the compound; the demand itself is not edited.
                    let sent = office.ops.count
                    _ = try office.edit(compound, .assign("name", "纺织厂宿舍（南院）"))
                    _ = try await daemons[0].admit(Array(office.ops[sent...]), pushedBy: office.id)
                    _ = try await publisher.publish()
                    #expect(
                        try await Self.rows(database)["demands"]?[demand.description]?["compound_name"] as? String
                            == "纺织厂宿舍（南院）")
                }
            }
        }
    }

    // MARK: - Helpers

    /// A laptop of the street's first worker, writing as replica `id`, on this machine's clock.
    static func laptop(_ id: UInt64, of generator: EditGenerator) -> Replica {
        Replica(
            id: ReplicaID(rawValue: id), author: generator.street.workers[0].id,
            clock: HybridClock(wallClock: SystemWallClock()))
    }

    /// A few edits by `laptop` in `grid`: new records of the field's types, edits of any merge
    /// kind, now and then a deletion.
    static func work(
        _ laptop: inout Replica, in grid: GridScope, generator: EditGenerator, using rng: inout SeededGenerator
    ) throws {
        for _ in 0..<Int.random(in: 1...6, using: &rng) {
            let live = laptop.state.records.values.filter { !$0.isDeleted && $0.scope == grid }
                .sorted { $0.id < $1.id }
            if live.isEmpty || Int.random(in: 0..<3, using: &rng) == 0 {
                let type = EditGenerator.fieldTypes.randomElement(using: &rng)!
                try laptop.create(
                    type, id: RecordID(using: &rng), in: grid, generator.newRecord(type, in: grid, using: &rng))
            } else if let record = live.randomElement(using: &rng) {
                if Int.random(in: 0..<12, using: &rng) == 0 {
                    _ = try laptop.edit(record.id, .assign(RecordSchema.deletedField, .boolean(true)))
                } else if let edit = generator.edit(of: record, using: &rng) {
                    _ = try laptop.edit(record.id, edit)
                }
            }
        }
    }

    /// Every row of the three tables as JSON objects, by table and id.
    static func rows(_ database: PostgresTestDatabase) async throws -> [String: [String: [String: Any]]] {
        let texts = try await PostgresTestDatabase.withClient(database.address) { client in
            var tables: [String: [String: String]] = [:]
            for table in ["demands", "visits", "projects"] {
                let rows = try await client.query(
                    PostgresQuery(unsafeSQL: "SELECT id, row_to_json(t)::text FROM \(table) t"))
                for try await (id, json) in rows.decode((String, String).self) {
                    tables[table, default: [:]][id] = json
                }
            }
            return tables
        }
        return try texts.mapValues { rows in
            try rows.mapValues { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:] }
        }
    }

    /// Checks every table row against the merged record of its id, field by field from the
    /// schema: registers as stored with the Chinese labels of choices, sets, counters, the
    /// deletion and the fields in conflict; and that every record has its row.
    static func expect(_ tables: [String: [String: [String: Any]]], equal merged: ReplicaState) throws {
        let records = merged.records.values.filter { !$0.type.isReference }
        #expect(tables.values.map(\.count).reduce(0, +) == records.count, "one row per record")
        for record in records {
            let table = "\(record.type.key)s"
            guard let row = tables[table]?[record.id.description] else {
                Issue.record("\(table) has no row for \(record.id)")
                continue
            }
            #expect(row["community"] as? String == record.scope.community.rawValue)
            #expect(row["grid"] as? String == record.scope.grid?.rawValue)
            #expect(row["deleted"] as? Bool == record.isDeleted, "\(record.id) deleted")
            #expect(
                Set(row["conflicted_fields"] as? [String] ?? []) == Set(record.conflictedFields),
                "\(record.id) conflicts")
            for field in record.type.schema.fields where field.name != RecordSchema.deletedField {
                let column = field.name.replacingOccurrences(of: "-", with: "_")
                switch field.shape {
                case .register(let domain):
                    let value = record.value(field.name)
                    #expect(
                        row[column] as? String == (value == .null ? nil : value.description),
                        "\(table).\(column) of \(record.id)")
                    if case .choice(let choices) = domain {
                        let label = choices.choices.first { $0.key == value.text }?.label.chinese
                        #expect(row[column + "_label"] as? String == label, "\(table).\(column)_label")
                    }
                case .set:
                    #expect(
                        (row[column] as? [String] ?? []).sorted()
                            == (record.sets[field.name]?.elements ?? []).sorted(), "\(table).\(column)")
                case .counter where field.name == "backers":
                    #expect(
                        (row[column] as? NSNumber)?.int64Value == record.counters[field.name]?.value ?? 0,
                        "\(table).\(column)")
                case .counter, .log:
                    break
                }
            }
            if record.type == .project {
                let yuan = NSDecimalNumber(string: record.funding(from: .government).yuanText)
                #expect((row["funding_government"] as? NSNumber)?.decimalValue == yuan.decimalValue)
            }
        }
    }
}
