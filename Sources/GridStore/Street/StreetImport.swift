import GridMerge
import GridModel

/// What importing the office's sheets of the street changes on a replica: a ``RecordChange``
/// for each reference record that is new or differs from its row, and nothing for the rest.
///
/// The sheet is what the office means: a row's values replace the record's (an empty cell
/// clears a field, a record in conflict is settled with the row's value, a deleted one listed
/// again is restored). Records the replica holds that no row lists are left as they are and
/// named in ``unlisted``: deleting one is a decision of its own (`gridsync delete`).
public struct StreetImport: Sendable {
    /// The changes to write, one per record, communities first, then grids, compounds, workers.
    public let changes: [RecordChange]
    /// How many rows of each type make a new record, change one, or match it already.
    public let created: [RecordType: Int]
    public let changed: [RecordType: Int]
    public let unchanged: [RecordType: Int]
    /// The reference records held (and not deleted) that the sheets no longer list, by type and key.
    public let unlisted: [(type: RecordType, key: String)]

    /// Plans the import of `street` onto a replica that holds the reference records `held`.
    ///
    /// - Throws: ``StoreError/Code/refused`` when a row would move a record to another
    ///   scope: a record's scope is fixed when it is made.
    public init(_ street: Street, held: [RecordState]) throws(StoreError) {
        let byID = Dictionary(held.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var changes: [RecordChange] = []
        var created: [RecordType: Int] = [:]
        var changed: [RecordType: Int] = [:]
        var unchanged: [RecordType: Int] = [:]
        var listed = Set<RecordID>()
        for row in Self.rows(of: street) {
            let id = RecordID(reference: row.type, key: row.key)
            listed.insert(id)
            guard let record = byID[id] else {
                let edits =
                    row.registers.sorted { $0.key < $1.key }.compactMap { field, value in
                        value == .null ? nil : Edit.assign(field, value)
                    }
                    + row.sets.sorted { $0.key < $1.key }.flatMap { field, elements in
                        elements.sorted().map { Edit.add(field, $0) }
                    }
                changes.append(RecordChange(record: id, target: .create(row.type, in: row.scope), edits: edits))
                created[row.type, default: 0] += 1
                continue
            }
            guard record.scope == row.scope else {
                throw StoreError(
                    .refused,
                    "the sheet puts \(row.type.key) \(row.key) in \(row.scope), but it was recorded in "
                        + "\(record.scope), and a record stays where it was made: give it a new key for \(row.scope), "
                        + "and delete the old one if it is gone")
            }
            var edits: [Edit] = record.isDeleted ? [.restore] : []
            for (field, value) in row.registers.sorted(by: { $0.key < $1.key }) {
                let register = record.registers[field]
                if register?.isConflicted == true || record.value(field) != value { edits.append(.assign(field, value)) }
            }
            for (field, wanted) in row.sets.sorted(by: { $0.key < $1.key }) {
                let present = Set(record.sets[field]?.elements ?? [])
                edits += wanted.subtracting(present).sorted().map { Edit.add(field, $0) }
                edits += present.subtracting(wanted).sorted().map { Edit.remove(field, $0) }
            }
            if edits.isEmpty {
                unchanged[row.type, default: 0] += 1
            } else {
                changes.append(RecordChange(record: id, target: .edit, edits: edits))
                changed[row.type, default: 0] += 1
            }
        }
        self.changes = changes
        self.created = created
        self.changed = changed
        self.unchanged = unchanged
        self.unlisted = held.filter { $0.type.isReference && !$0.isDeleted && !listed.contains($0.id) }
            .map { ($0.type, $0.value(RecordSchema.keyField).description) }
            .sorted { ($0.type, $0.key) < ($1.type, $1.key) }
    }

    /// One reference record as the sheets give it.
    private struct Row {
        var type: RecordType
        var key: String
        var scope: GridScope
        var registers: [String: FieldValue]
        var sets: [String: Set<String>] = [:]
    }

    /// The street's communities, grids, compounds and workers as rows, in that order.
    private static func rows(of street: Street) -> [Row] {
        let grids = Dictionary(street.grids.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        func text(_ value: String?) -> FieldValue { value.map(FieldValue.text) ?? .null }
        var rows: [Row] = []
        for community in street.communities {
            rows.append(
                Row(
                    type: .community, key: community.id.rawValue, scope: GridScope(community: community.id),
                    registers: [RecordSchema.keyField: .text(community.id.rawValue), "name": .text(community.name)]))
        }
        for grid in street.grids {
            rows.append(
                Row(
                    type: .grid, key: grid.id.rawValue, scope: grid.scope,
                    registers: [
                        RecordSchema.keyField: .text(grid.id.rawValue), "community": .text(grid.community.rawValue),
                        "name": .text(grid.name),
                    ]))
        }
        for compound in street.compounds {
            // Street checks that every compound's grid is one of its grids.
            guard let scope = grids[compound.grid]?.scope else { continue }
            rows.append(
                Row(
                    type: .compound, key: compound.id.rawValue, scope: scope,
                    registers: [
                        RecordSchema.keyField: .text(compound.id.rawValue), "grid": .text(compound.grid.rawValue),
                        "name": .text(compound.name), "address": text(compound.address),
                        "property-management": .boolean(compound.hasPropertyManagement),
                    ],
                    sets: ["buildings": Set(compound.buildings)]))
        }
        for worker in street.workers {
            // A worker is seen in the community of their (first) grid; office staff in the street's first.
            guard let community = worker.grids.first.flatMap({ grids[$0]?.community }) ?? street.communities.first?.id
            else { continue }
            rows.append(
                Row(
                    type: .worker, key: worker.id.rawValue, scope: GridScope(community: community),
                    registers: [RecordSchema.keyField: .text(worker.id.rawValue), "name": .text(worker.name)],
                    sets: ["grids": Set(worker.grids.map(\.rawValue))]))
        }
        return rows
    }
}
