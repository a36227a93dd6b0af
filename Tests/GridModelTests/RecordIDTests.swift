import Foundation
import GridModel
import GridTesting
import Testing

/// RecordID: lowercase text form, parsing in either case, coding, and reproducible ids from a seeded generator.
@Suite("RecordID")
struct RecordIDTests {
    let sample = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"

    /// The same seed gives the same id; the id parses back from its description.
    @Test(arguments: [0, 1, 42, UInt64.max] as [UInt64]) func seeded(_ seed: UInt64) throws {
        var first = SeededGenerator(seed: seed)
        var second = SeededGenerator(seed: seed)
        let a = RecordID(using: &first)
        let b = RecordID(using: &second)
        #expect(a == b)
        #expect(a.description == b.description)
        #expect(RecordID(a.description) == a)

        // The next id from the same generator differs.
        let c = RecordID(using: &first)
        #expect(c != a)
        #expect(RecordID(using: &second) == c)
    }

    /// Seeded ids are RFC 4122 version-4 UUIDs in lowercase.
    @Test func seededShape() {
        var generator = SeededGenerator(seed: 2026)
        for _ in 0..<50 {
            let id = RecordID(using: &generator)
            let characters = Array(id.description)
            #expect(characters.count == 36)
            #expect(characters[14] == "4")
            #expect("89ab".contains(characters[19]))
            #expect(id.description == id.description.lowercased())
        }
    }

    @Test func differentSeedsDiffer() {
        var one = SeededGenerator(seed: 1)
        var two = SeededGenerator(seed: 2)
        #expect(RecordID(using: &one) != RecordID(using: &two))
    }

    /// The text form is lowercase; parsing accepts either case and gives the same id.
    @Test func text() throws {
        let lower = try #require(RecordID(sample))
        let upper = try #require(RecordID(sample.uppercased()))
        #expect(lower == upper)
        #expect(upper.description == sample)
        #expect(RecordID(UUID(uuidString: sample)!).description == sample)
        #expect(RecordID("nope") == nil)
        #expect(RecordID("") == nil)
        let fresh = RecordID()
        #expect(RecordID(fresh.description) == fresh)
        #expect(fresh.description == fresh.description.lowercased())
    }

    /// Ids encode as lowercase text, decode from either case, and bad text fails to decode.
    @Test func codable() throws {
        let id = try #require(RecordID(sample.uppercased()))
        let data = try JSONEncoder().encode([id])
        #expect(String(decoding: data, as: UTF8.self) == "[\"\(sample)\"]")
        #expect(try jsonRoundTrip([id]) == [id])
        #expect(try JSONDecoder().decode([RecordID].self, from: Data("[\"\(sample.uppercased())\"]".utf8)) == [id])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([RecordID].self, from: Data(#"["not-a-uuid"]"#.utf8))
        }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([RecordID].self, from: Data("[42]".utf8)) }
    }

    /// Ids order by their text.
    @Test func ordering() throws {
        let a = try #require(RecordID("00000000-0000-4000-8000-000000000001"))
        let b = try #require(RecordID("ffffffff-0000-4000-8000-000000000000"))
        #expect(a < b)
        #expect(!(b < a))
    }
}
