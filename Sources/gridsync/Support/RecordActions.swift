import ArgumentParser
import GridCommandLine
import GridMerge
import GridModel
import GridStore

/// What `add`, `update`, `show` and `list` do for every record type.
enum RecordActions {
    /// Creates a record from checked edits and prints its id.
    static func create(
        _ type: RecordType, _ builder: EditBuilder, grid: String?, store: any ReplicaStore, output: OutputOptions
    ) async throws {
        let scope = try scope(grid, of: store.identity)
        var builder = builder
        if FieldQuestions.canAsk(output) {
            // A person at a terminal is asked for what the flags left out, rather than refused.
            let compounds = try await store.streetEntries(.compound).filter {
                scope.grid == nil || $0.parent == nil || $0.parent == scope.grid?.rawValue
            }
            try FieldQuestions.askMissing(of: type, into: &builder, compounds: compounds)
        }
        try await create(type, builder, id: RecordID(), in: scope, store: store, output: output)
    }

    /// Creates the record `id` in `scope` from checked edits (`first`, then the builder's) and prints it.
    static func create(
        _ type: RecordType, _ builder: EditBuilder, id: RecordID, in scope: GridScope, first: [Edit] = [],
        store: any ReplicaStore, output: OutputOptions
    ) async throws {
        let edits = try await first + builder.edits(resolvingLinksIn: store, scope: scope)
        _ = try await store.write(RecordChange(record: id, target: .create(type, in: scope), edits: edits))
        guard let record = try await store.record(id) else { return }
        if output.json {
            print(try RecordPresenter.json(RecordDocument(record)))
        } else {
            print("Recorded \(type.key) \(id) in \(scope).")
        }
    }

    /// Applies checked edits to a record named by id or id prefix, in one transaction.
    static func update(
        _ type: RecordType, _ idText: String, _ builder: EditBuilder, store: any ReplicaStore, output: OutputOptions
    ) async throws {
        guard !builder.isEmpty else {
            throw ValidationError("nothing to change: give at least one field to update (see --help)")
        }
        let id = try await store.findRecord(idText, type: type)
        let edits = try await builder.edits(resolvingLinksIn: store, scope: store.record(id)?.scope)
        _ = try await store.write(RecordChange(record: id, target: .edit, edits: edits))
        guard let record = try await store.record(id) else { return }
        if output.json {
            print(try RecordPresenter.json(RecordDocument(record)))
        } else {
            print(RecordPresenter.details(record))
        }
    }

    /// Deletes or restores a record of any type, with the reason as a note (written while the
    /// record is alive: before deleting, after restoring).
    static func setDeleted(
        _ deleted: Bool, _ idText: String, reason: String?, store: any ReplicaStore, output: OutputOptions
    ) async throws {
        let id = try await store.findRecord(idText, type: nil)
        guard let type = try await store.record(id)?.type else { return }
        var notes = EditBuilder(type)
        if let reason { try notes.append("notes", ["text": reason]) }
        let change: Edit = deleted ? .delete : .restore
        let edits = deleted ? notes.edits + [change] : [change] + notes.edits
        _ = try await store.write(RecordChange(record: id, target: .edit, edits: edits))
        guard let record = try await store.record(id) else { return }
        print(output.json ? try RecordPresenter.json(RecordDocument(record)) : RecordPresenter.details(record))
    }

    /// Prints one record, with its photos as `files` holds them.
    static func show(
        _ type: RecordType, _ idText: String, store: any ReplicaStore, files: FileStore, output: OutputOptions
    ) async throws {
        let id = try await store.findRecord(idText, type: type)
        guard let record = try await store.record(id) else { return }
        let timeline = try await store.timelines(of: [id])[id]
        let linked = try await store.records(naming: id)
        let text = RecordText(names: try await store.streetNames())
        print(
            output.json
                ? try RecordPresenter.json(DatedRecordDocument(record, timeline, text: text, linked: linked))
                : RecordPresenter.details(record, timeline: timeline, text: text, linked: linked, files: files))
    }

    /// Prints the records a query selects.
    static func list(
        _ query: RecordQuery, order: ListOrder = .newest, store: any ReplicaStore, output: OutputOptions
    ) async throws {
        let found = try await store.records(query)
        let timelines = try await store.timelines(of: found.map(\.id))
        let records = order.apply(found, timelines: timelines)
        let text = RecordText(names: try await store.streetNames())
        print(
            output.json
                ? try RecordPresenter.json(records.map { DatedRecordDocument($0, timelines[$0.id], text: text) })
                : RecordPresenter.table(records, type: query.type, timelines: timelines, text: text))
    }

    /// The scope a new record goes to: `--grid` (a grid key or community/grid), or the replica's only grid.
    static func scope(_ grid: String?, of identity: ReplicaIdentity) throws -> GridScope {
        let scopes = identity.scopes.map(\.description).joined(separator: ", ")
        guard let grid else {
            guard identity.scopes.count == 1 else {
                throw ValidationError("this replica works in several grids (\(scopes)): choose one with --grid")
            }
            return identity.scopes[0]
        }
        if let scope = identity.scopes.first(where: { $0.description == grid || $0.grid?.rawValue == grid }) {
            return scope
        }
        // The office works in whole communities: any grid of them, written community/grid.
        if let scope = GridScope(grid), identity.covers(scope) {
            return scope
        }
        throw ValidationError("'\(grid)' is not one of this replica's grids: use one of \(scopes)")
    }

    /// Parses an optional labelled filter (`--status 处理中`), explaining what is allowed.
    static func filter<Value: LabelledKey>(_ text: String?, _ option: String) throws -> Value? {
        guard let text else { return nil }
        guard let value = Value(parsing: text) else {
            throw GridModel.ValidationError(.unknownChoice, field: option, value: text, allowed: Value.choices.summary)
        }
        return value
    }

    /// Parses an optional grid filter, written as its key (`g01`) or as `add --grid` takes it (`c01/g01`).
    static func grid(_ text: String?) throws -> GridID? {
        guard let text else { return nil }
        if let scope = GridScope(text), let grid = scope.grid { return grid }
        guard let grid = GridID(text) else {
            throw GridModel.ValidationError(
                .badFormat, field: "grid", value: text, allowed: "a grid's key (g01) or community/grid (c01/g01)")
        }
        return grid
    }

    /// The compound a `--compound` filter names, by key or by name (checked against the street's
    /// lists on this laptop, or for form alone when it has none).
    static func compound(_ text: String?, in store: any ReplicaStore) async throws -> CompoundID? {
        guard let text else { return nil }
        let key = try await store.streetEntries(.compound).key(
            naming: text, type: .compound, domain: .compound, field: "compound")
        return CompoundID(key)
    }
}
