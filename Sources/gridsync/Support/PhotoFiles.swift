import ArgumentParser
import Foundation
import GridCommandLine
import GridMerge
import GridModel
import GridStore

/// What `--photo`, `attach`, `detach` and `open` share: photos stored in the replica's files
/// and named by a record's `photos`, and photos found by how `show` lists them.
enum PhotoFiles {
    /// Stores the files at `paths` (whole, each under the limit) and returns their ids, for a
    /// record that names `named` files already; refused, with nothing stored, if the record
    /// would name more than its limit.
    static func store(_ paths: [String], named: Int = 0, in files: FileStore) throws -> [String] {
        guard !paths.isEmpty else { return [] }
        guard named + paths.count <= files.limits.filesPerRecord else {
            throw StoreError(
                .fileTooLarge,
                "a record names at most \(files.limits.filesPerRecord) photos (this one has \(named)): "
                    + "detach some with `gridsync detach`, or attach fewer")
        }
        return try paths.map { try files.add(contentsOf: $0).id.rawValue }
    }

    /// The photos of a record `texts` name: each a number as `show` lists them (from 1), an
    /// id, or the first 6 or more of its hexadecimal digits.
    static func pick(_ texts: [String], among photos: [FileID]) throws -> [FileID] {
        try texts.map { text in
            if let number = Int(text), photos.indices.contains(number - 1) { return photos[number - 1] }
            let digits = text.lowercased().replacingOccurrences(of: "sha256:", with: "")
            let matching = digits.count >= 6 ? photos.filter { $0.hex.hasPrefix(digits) } : []
            guard matching.count == 1 else {
                let listed = photos.enumerated().map { "\($0.offset + 1). \($0.element.hex.prefix(12))" }
                throw ValidationError(
                    "'\(text)' is not one of the record's photos"
                        + (matching.count > 1 ? " (several start so: give more digits)" : "")
                        + ": give its number or id as `show` lists them"
                        + (listed.isEmpty ? " (it has none)" : " (\(listed.joined(separator: ", ")))"))
            }
            return matching[0]
        }
    }

    /// A record's photos, in the order `show` lists them.
    static func photos(of record: RecordState) -> [FileID] {
        (record.sets["photos"]?.elements ?? []).compactMap(FileID.init)
    }

    /// Changes the photos of the record `idText` names (a visit, a demand or a project) with
    /// the edits `change` makes, in one transaction, and prints the record as `update` does.
    static func change(
        _ idText: String, data: DataOptions, output: OutputOptions,
        _ change: (RecordState, inout EditBuilder) throws -> Void
    ) async throws {
        let store = try data.openStore()
        let record = try await record(idText, in: store)
        var builder = EditBuilder(record.type)
        try change(record, &builder)
        try await RecordActions.update(record.type, record.id.description, builder, store: store, output: output)
    }

    /// The record `idText` names, if its type takes photos.
    static func record(_ idText: String, in store: SQLiteReplicaStore) async throws -> RecordState {
        let id = try await store.findRecord(idText, type: nil)
        guard let record = try await store.record(id), record.type.schema["photos"] != nil else {
            throw ValidationError("\(idText) is not a visit, a demand or a project: only they take photos")
        }
        return record
    }

    /// Opens `path` with the desktop's viewer; whether there was a desktop to open it on.
    static func openInViewer(_ path: String) -> Bool {
        let environment = ProcessInfo.processInfo.environment
        guard environment["DISPLAY"] != nil || environment["WAYLAND_DISPLAY"] != nil else { return false }
        let opener = Process()
        opener.executableURL = URL(fileURLWithPath: "/usr/bin/xdg-open")
        opener.arguments = [path]
        return (try? opener.run()) != nil
    }
}
