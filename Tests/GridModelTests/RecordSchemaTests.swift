import Foundation
import GridModel
import Testing

/// The three record schemas: the `deleted` register, field names and labels, lookups, required
/// fields, and the mapping from RecordType.
@Suite("RecordSchema")
struct RecordSchemaTests {
    static let schemas: [RecordSchema] = [.visit, .demand, .project]

    /// Every schema ends with the optional boolean register `deleted`.
    @Test(arguments: schemas) func deletedIsLast(_ schema: RecordSchema) throws {
        let last = try #require(schema.fields.last)
        #expect(last.name == RecordSchema.deletedField)
        #expect(last.name == "deleted")
        #expect(last.shape == .register(.boolean))
        #expect(last.kind == .register)
        #expect(last.isRequired)  // never cleared to null...
        #expect(!schema.requiredFields.contains(last))  // ...but not asked of a new record
        #expect(schema.fields.filter { $0.name == "deleted" }.count == 1)
        #expect(schema.registerFields.contains(last))
    }

    /// Field names are unique kebab-case, and every field (and log part) has a Chinese and an English label.
    @Test(arguments: schemas) func namesAndLabels(_ schema: RecordSchema) {
        let names = schema.fields.map(\.name)
        #expect(Set(names).count == names.count, "field names repeat in \(schema.type)")
        for field in schema.fields {
            var specs = [field]
            if case .log(let parts) = field.shape {
                #expect(!parts.isEmpty)
                #expect(Set(parts.map(\.name)).count == parts.count)
                specs += parts
            }
            for spec in specs {
                #expect(
                    spec.name.range(of: "^[a-z]+(-[a-z]+)*$", options: .regularExpression) != nil,
                    "'\(spec.name)' is not kebab-case")
                #expect(containsChinese(spec.label.chinese), "\(spec.name) has no Chinese label")
                #expect(
                    !spec.label.english.trimmingCharacters(in: .whitespaces).isEmpty,
                    "\(spec.name) has no English label")
                #expect(spec.label.english.unicodeScalars.allSatisfy { $0.isASCII }, "\(spec.name)'s English label")
            }
        }
    }

    /// Every record keeps free-form notes as a log.
    @Test(arguments: schemas) func hasNotes(_ schema: RecordSchema) throws {
        let notes = try schema.field("notes")
        #expect(notes.kind == .log)
    }

    /// Looking up a missing field throws `.unknownField` listing the fields there are.
    @Test(arguments: schemas) func unknownField(_ schema: RecordSchema) throws {
        #expect(schema["nope"] == nil)
        let error = try #require(refusal { _ = try schema.field("nope") })
        #expect(error.code == .unknownField)
        #expect(error.value == "nope")
        #expect(error.field == schema.type.key)
        for field in schema.fields {
            #expect(error.allowed.contains(field.name))
        }
        // Lookups are exact: labels and other cases are not field names.
        #expect(schema["Deleted"] == nil)
        #expect(schema["已删除"] == nil)
    }

    /// Every field is found by its name, and the subscript agrees with `field(_:)`.
    @Test(arguments: schemas) func lookups(_ schema: RecordSchema) throws {
        for field in schema.fields {
            #expect(schema[field.name] == field)
            #expect(try schema.field(field.name) == field)
        }
    }

    /// RecordType.schema gives each type's own schema.
    @Test func recordTypeSchema() {
        #expect(RecordType.visit.schema == .visit)
        #expect(RecordType.demand.schema == .demand)
        #expect(RecordType.project.schema == .project)
        for type in RecordType.allCases {
            #expect(type.schema.type == type)
        }
    }

    /// The fields a new record must give.
    @Test func requiredFields() {
        #expect(RecordSchema.demand.requiredFields.map(\.name) == ["title", "category", "status", "urgency"])
        #expect(RecordSchema.visit.requiredFields.map(\.name) == ["visited-on", "worker", "purpose"])
        #expect(RecordSchema.project.requiredFields.map(\.name) == ["title", "category", "stage"])
    }

    /// The fields each record type has, in form order.
    @Test func fieldOrder() {
        #expect(
            RecordSchema.visit.fields.map(\.name)
                == [
                    "visited-on", "worker", "purpose", "compound", "household", "observations", "demands", "photos",
                    "place", "notes", "deleted",
                ])
        #expect(
            RecordSchema.demand.fields.map(\.name)
                == [
                    "title", "category", "status", "urgency", "description", "compound", "building", "visit", "project",
                    "backers", "tags", "photos", "place", "notes", "deleted",
                ])
        #expect(
            RecordSchema.project.fields.map(\.name)
                == [
                    "title", "category", "stage", "summary", "compound", "proposer", "participants", "demands",
                    "funding-government", "funding-society", "funding-residents", "funding-government-fen",
                    "funding-society-fen", "funding-residents-fen", "progress", "satisfaction", "photos", "place",
                    "notes",
                    "deleted",
                ])
        #expect(RecordSchema.community.fields.map(\.name) == ["key", "name", "notes", "deleted"])
        #expect(RecordSchema.grid.fields.map(\.name) == ["key", "community", "name", "notes", "deleted"])
        #expect(
            RecordSchema.compound.fields.map(\.name)
                == ["key", "grid", "name", "address", "property-management", "buildings", "notes", "deleted"])
        #expect(RecordSchema.worker.fields.map(\.name) == ["key", "name", "grids", "notes", "deleted"])
    }

    /// Field shapes that the rest of GridSync relies on.
    @Test func shapes() throws {
        #expect(try RecordSchema.demand.field("category").shape == .register(.choice(Category.choices)))
        #expect(try RecordSchema.project.field("category").shape == .register(.choice(Category.projectCategories)))
        #expect(try RecordSchema.project.field("stage").shape == .register(.choice(ProjectStage.choices)))
        #expect(try RecordSchema.visit.field("visited-on").shape == .register(.date))
        #expect(try RecordSchema.visit.field("worker").shape == .register(.worker))
        #expect(try RecordSchema.visit.field("demands").shape == .set(element: .record(.demand)))
        #expect(try RecordSchema.demand.field("visit").shape == .register(.record(.visit)))
        #expect(try RecordSchema.demand.field("project").shape == .register(.record(.project)))
        #expect(try RecordSchema.demand.field("compound").shape == .register(.compound))
        #expect(try RecordSchema.demand.field("backers").kind == .counter)
        #expect(try RecordSchema.project.field("participants").kind == .set)
    }

    /// Register fields are exactly those whose concurrent writes may conflict.
    @Test(arguments: schemas) func registerFields(_ schema: RecordSchema) {
        #expect(schema.registerFields.map(\.name) == schema.fields.filter { $0.kind == .register }.map(\.name))
        #expect(schema.registerFields.allSatisfy { if case .register = $0.shape { true } else { false } })
    }
}
