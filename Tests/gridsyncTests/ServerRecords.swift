import Foundation
import Testing

/// The daemon's records and op history, read with the real `gridsync` and `gridsync-inspect`: what every laptop
/// must end up agreeing with, and where every value a worker typed must still be found.
struct ServerRecords {
    let daemon: DaemonProcess

    /// The daemon's export of the records in `scope` (a grid, or a community with its grids), sorted.
    func export(scope: String) throws -> [String] {
        try SyncEndToEndTests.export(daemon, scope: scope)
    }

    /// Expects every laptop's export to equal, byte for byte, the daemon's records of its scope.
    func expectConverged(_ laptops: [FieldLaptop], sourceLocation: SourceLocation = #_sourceLocation) throws {
        for laptop in laptops {
            let expected = try export(scope: laptop.scope)
            let exported = try laptop.export()
            #expect(!expected.isEmpty, "the daemon holds no record of \(laptop.scope)", sourceLocation: sourceLocation)
            let difference = "laptop \(exported.joined(separator: "\n"))\ndaemon \(expected.joined(separator: "\n"))"
            #expect(
                exported == expected, "\(laptop.name)'s laptop differs from the daemon:\n\(difference)",
                sourceLocation: sourceLocation)
        }
    }

    /// The daemon's document of one record.
    func record(_ id: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        let line = try #require(
            try export(scope: "").first { $0.contains("\"id\":\"\(id)\"") }, "the daemon has no record \(id)",
            sourceLocation: sourceLocation)
        return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    /// The ids of the daemon's records whose title is `title`.
    func records(titled title: String) throws -> [String] {
        try export(scope: "").compactMap { line in
            let document = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return (document?["values"] as? [String: Any])?["title"] as? String == title
                ? document?["id"] as? String : nil
        }
    }

    /// Every version of the record's fields (or of `field`) on the daemon, oldest first: `gridsync-inspect history`.
    func versions(of id: String, field: String? = nil) throws -> [[String: Any]] {
        let result = try InspectTests.inspect(daemon, ["history", id] + (field.map { [$0] } ?? []) + ["--json"])
        let histories = try #require(InspectTests.json(result) as? [[String: Any]])
        return histories.flatMap { ($0["versions"] as? [[String: Any]]) ?? [] }
    }

    /// Expects `value`, typed by a worker into `field` of record `id`, to be kept on the daemon: as the value
    /// shown, as a competing value of a conflict, as an entry of a log, or in the field's history. Choices are
    /// given by key (`in-progress`), as they are stored.
    func expectKept(
        _ value: String, in field: String, of id: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        try expectKept([value], in: field, of: id, sourceLocation: sourceLocation)
    }

    /// Expects every one of `values`, typed by workers into `field` of record `id`, to be kept on the daemon.
    func expectKept(
        _ values: [String], in field: String, of id: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let document = try record(id, sourceLocation: sourceLocation)
        let competing = ((document["conflicts"] as? [String: Any])?[field] as? [[String: Any]]) ?? []
        let entries = ((document["logs"] as? [String: Any])?[field] as? [[String: Any]]) ?? []
        let shown = Set(
            [(document["values"] as? [String: Any])?[field] as? String].compactMap { $0 }
                + competing.compactMap { $0["value"] as? String }
                + entries.compactMap { ($0["entry"] as? [String: Any])?["text"] as? String })
        let hidden = values.filter { !shown.contains($0) }
        guard !hidden.isEmpty else { return }
        let actions = try versions(of: id, field: field).compactMap { $0["action"] as? String }
        for value in hidden {
            // A choice reads `set 处理中 in-progress`: its label, then its key.
            #expect(
                actions.contains { $0 == "set \(value)" || ($0.hasPrefix("set ") && $0.hasSuffix(" \(value)")) },
                "\(field) = \(value.prefix(40)) of \(id) is lost: \(document)", sourceLocation: sourceLocation)
        }
    }

    /// The clock reading of every op the daemon holds, in milliseconds since 1970: every op writes some field
    /// of one record, so the histories of all records list them all.
    func opMilliseconds() throws -> [UInt64] {
        let ids = try export(scope: "").compactMap { line in
            (try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["id"] as? String
        }
        var clocks: [String: UInt64] = [:]
        for id in ids {
            for version in try versions(of: id) {
                guard let op = version["op"] as? String, let clock = version["clock"] as? NSNumber else { continue }
                clocks[op] = clock.uint64Value >> 16
            }
        }
        return Array(clocks.values)
    }

    /// How many ops the daemon holds (`gridsync status` on its folder).
    func opCount() throws -> Int {
        try InspectTests.daemonOps(daemon)
    }
}
