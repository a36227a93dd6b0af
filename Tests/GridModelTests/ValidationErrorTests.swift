import GridModel
import Testing

/// ValidationError: stable codes, and a one-line description that names the field, the refused
/// value and what is allowed.
@Suite("ValidationError")
struct ValidationErrorTests {
    /// Codes are part of `--json` output and logs: their text must not change.
    @Test func codeTextIsStable() {
        let codes: [ValidationError.Code] = [
            .unknownField, .unknownChoice, .missingRequired, .tooLong, .badFormat, .outOfRange, .wrongKind,
        ]
        #expect(
            codes.map(\.rawValue)
                == [
                    "unknown-field", "unknown-choice", "missing-required", "too-long", "bad-format", "out-of-range",
                    "wrong-kind",
                ])
        #expect(codes.map(\.description) == codes.map(\.rawValue))
        #expect(ValidationError.Code(rawValue: "too-long") == .tooLong)
    }

    /// A generic error names field, value and what is allowed.
    @Test func describesFieldValueAndAllowed() {
        let error = ValidationError(
            .badFormat, field: "visited-on", value: "2026-02-29", allowed: "a date written YYYY-MM-DD")
        #expect(error.description.contains("visited-on"))
        #expect(error.description.contains("'2026-02-29'"))
        #expect(error.description.contains("a date written YYYY-MM-DD"))
        #expect(error.description.contains("bad-format"))
        #expect(!error.description.contains("\n"))
    }

    /// A real error from a domain reads the same way, Chinese value included.
    @Test func describesRealErrors() throws {
        let error = try #require(
            refusal { _ = try ValueDomain.choice(DemandStatus.choices).parse("搁置", field: "status") })
        #expect(error.description.contains("status"))
        #expect(error.description.contains("'搁置'"))
        #expect(error.description.contains("in-progress (处理中)"))

        let tooLong = try #require(
            refusal {
                _ = try ValueDomain.text(maxLength: 5, multiline: false).parse("一二三四五六", field: "title")
            })
        #expect(tooLong.description.contains("title"))
        #expect(tooLong.description.contains("6 characters"))
        #expect(tooLong.description.contains("at most 5"))
    }

    /// A missing value says which field is required and what to give.
    @Test func describesMissingRequired() {
        let error = ValidationError(
            .missingRequired, field: "title", value: nil, allowed: "text of at most 80 characters")
        #expect(error.description.contains("title"))
        #expect(error.description.contains("required"))
        #expect(error.description.contains("text of at most 80 characters"))
    }

    /// An unknown field names the field that was asked for and the fields there are.
    @Test func describesUnknownField() throws {
        let error = try #require(refusal { _ = try RecordSchema.demand.field("nope") })
        #expect(error.description.contains("'nope'"))
        #expect(error.description.contains("title"))
        #expect(error.description.contains("urgency"))
    }

    /// With no value, the message says so rather than printing an empty quote.
    @Test func describesMissingValue() {
        let error = ValidationError(.badFormat, field: "visited-on", value: nil, allowed: "a date written YYYY-MM-DD")
        #expect(error.description.contains("nothing"))
        #expect(error.description.contains("visited-on"))
        #expect(error.description.contains("YYYY-MM-DD"))
    }

    /// An edit of the wrong merge kind says what kind the field is.
    @Test func describesWrongKind() {
        let error = ValidationError(.wrongKind, field: "tags", value: "register", allowed: "set")
        #expect(error.description == "tags is a set field: a register edit does not apply to it")
    }
}
