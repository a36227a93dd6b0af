import Foundation
import GridModel
import Testing

/// FieldValue and LogEntry: accessors, descriptions, and JSON coding that keeps Chinese text
/// and every kind of value unchanged.
@Suite("FieldValue and LogEntry")
struct FieldValueTests {
    @Test func accessors() {
        #expect(FieldValue.text("消防").text == "消防")
        #expect(FieldValue.text("消防").integer == nil)
        #expect(FieldValue.integer(7).integer == 7)
        #expect(FieldValue.integer(7).boolean == nil)
        #expect(FieldValue.boolean(true).boolean == true)
        #expect(FieldValue.null.text == nil)
        #expect(FieldValue.null.integer == nil)
        #expect(FieldValue.null.boolean == nil)
    }

    @Test func descriptions() {
        #expect(FieldValue.text("处理中").description == "处理中")
        #expect(FieldValue.integer(-12).description == "-12")
        #expect(FieldValue.boolean(false).description == "false")
        #expect(FieldValue.null.description == "")
    }

    /// Every kind of value survives JSON, including text that looks like a number or a flag.
    @Test(arguments: [
        FieldValue.text("楼道堆物影响消防通道"), .text("纺织厂宿舍\n3号楼"), .text("Caf\u{E9}"), .text("true"), .text("12"),
        .text(""), .integer(0), .integer(1), .integer(-1), .integer(Int64.max), .integer(Int64.min),
        .boolean(true), .boolean(false), .null,
    ])
    func jsonRoundTrip(_ value: FieldValue) throws {
        // Wrapped in an array so that every encoder accepts it as a top-level value.
        let decoded = try GridModelTests.jsonRoundTrip([value])
        #expect(decoded == [value])
        #expect(utf8Bytes(decoded.first?.text) == utf8Bytes(value.text))
    }

    /// Values encode as plain JSON scalars, and Chinese text is written as itself.
    @Test func jsonShape() throws {
        let data = try JSONEncoder().encode([FieldValue.text("社会治安"), .integer(3), .boolean(true), .null])
        #expect(String(decoding: data, as: UTF8.self) == #"["社会治安",3,true,null]"#)
    }

    /// A log entry keeps its parts, Chinese text included, through JSON.
    @Test func logEntryJSONRoundTrip() throws {
        let entry = LogEntry([
            "month": .text("2026-03"),
            "text": .text("完成楼道清理，居民满意。\n下月开展消防演练"),
            "percent": .integer(60),
        ])
        let decoded = try GridModelTests.jsonRoundTrip(entry)
        #expect(decoded == entry)
        #expect(utf8Bytes(decoded["text"]?.text) == utf8Bytes(entry["text"]?.text))
        #expect(decoded["percent"] == .integer(60))
        #expect(decoded["missing"] == nil)

        let json = String(decoding: try JSONEncoder().encode(entry), as: UTF8.self)
        #expect(json.contains("完成楼道清理"))
    }

    /// Parts are listed sorted by name.
    @Test func sortedParts() {
        let entry = LogEntry(["text": .text("a"), "month": .text("2026-01"), "percent": .integer(1)])
        #expect(entry.sortedParts.map(\.name) == ["month", "percent", "text"])
        #expect(entry.sortedParts.map(\.value) == [.text("2026-01"), .integer(1), .text("a")])
    }

    /// A value parsed from typed Chinese text and sent as JSON arrives byte for byte.
    @Test func parsedChineseSurvivesJSON() throws {
        let typed = "  居民反映：电动车在楼道充电  "
        let parsed = try ValueDomain.text(maxLength: 80, multiline: false).parse(typed, field: "title")
        let decoded = try GridModelTests.jsonRoundTrip([parsed])
        #expect(utf8Bytes(decoded.first?.text) == utf8Bytes("居民反映：电动车在楼道充电"))
    }
}
