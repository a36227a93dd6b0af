import Foundation
import GridModel
import Testing

/// One line of text, as a title: at most 80 characters.
private let line = ValueDomain.text(maxLength: 80, multiline: false)
/// A paragraph, as a description: at most 2,000 characters, line breaks allowed.
private let paragraph = ValueDomain.text(maxLength: 2_000, multiline: true)

/// Text: trimming, NFC normalization, Chinese text, length, line breaks and control characters.
@Suite("ValueDomain text")
struct ValueDomainTextTests {
    /// Parsing trims surrounding spaces and line breaks, including the ideographic space.
    @Test func parseTrims() throws {
        #expect(try line.parse("  楼道堆物  ", field: "title") == .text("楼道堆物"))
        #expect(try line.parse("\n\tstairwell\t\n", field: "title") == .text("stairwell"))
        #expect(try line.parse("\u{3000}消防通道\u{3000}", field: "title") == .text("消防通道"))
        #expect(try paragraph.parse("\n第一行\n第二行\n", field: "description") == .text("第一行\n第二行"))
    }

    /// Parsing NFC-normalizes: a decomposed `e` + combining acute accent becomes the single `é`.
    @Test func parseNormalizesToNFC() throws {
        let parsed = try line.parse("Caf\u{65}\u{301}", field: "title")
        #expect(utf8Bytes(parsed.text) == utf8Bytes("Caf\u{E9}"))
        #expect(parsed.text?.unicodeScalars.count == 4)

        let hangul = try line.parse("\u{1100}\u{1161}", field: "title")  // ᄀ + ᅡ → 가
        #expect(utf8Bytes(hangul.text) == utf8Bytes("\u{AC00}"))
    }

    /// Chinese text comes back byte for byte.
    @Test(arguments: ["楼道堆物影响消防通道", "纺织厂宿舍3号楼2单元", "居民反映：高空抛物、电动车充电！", "王芳（网格员）"])
    func chineseRoundTrips(_ text: String) throws {
        let parsed = try line.parse(text, field: "title")
        #expect(utf8Bytes(parsed.text) == utf8Bytes(text))
        #expect(utf8Bytes(try line.check(parsed, field: "title").text) == utf8Bytes(text))
    }

    /// Text one character over the limit is refused as too long, naming the field; at the limit it is accepted.
    @Test func tooLong() throws {
        let atLimit = String(repeating: "字", count: 80)
        #expect(try line.parse(atLimit, field: "title") == .text(atLimit))

        let over = String(repeating: "字", count: 81)
        let parseError = try #require(refusal { _ = try line.parse(over, field: "title") })
        #expect(parseError.code == .tooLong)
        #expect(parseError.field == "title")
        #expect(parseError.value?.contains("81") == true)
        #expect(parseError.allowed.contains("80"))

        let checkError = try #require(refusal { try line.check(.text(over), field: "title") })
        #expect(checkError.code == .tooLong)
        #expect(checkError.field == "title")
    }

    /// Length counts characters, not bytes: 80 Chinese characters are 240 UTF-8 bytes and still fit.
    @Test func lengthCountsCharacters() throws {
        let text = String(repeating: "网", count: 80)
        #expect(text.utf8.count == 240)
        #expect(throws: Never.self) { try line.check(.text(text), field: "title") }
    }

    /// A line break is refused in one-line text and accepted in multi-line text.
    @Test func newlines() throws {
        let error = try #require(refusal { _ = try line.parse("第一行\n第二行", field: "title") })
        #expect(error.code == .badFormat)
        #expect(error.field == "title")
        #expect(try paragraph.parse("第一行\n第二行", field: "description") == .text("第一行\n第二行"))
    }

    /// Control characters, and the Unicode line and paragraph separators, are refused in any text;
    /// a tab is allowed.
    @Test(arguments: ["a\u{0}b", "a\u{7}b", "a\u{1B}b", "a\rb", "a\u{7F}b", "a\u{85}b", "a\u{2028}b", "a\u{2029}b"])
    func controlCharactersRefused(_ text: String) throws {
        #expect(refusal { _ = try line.parse(text, field: "title") }?.code == .badFormat)
        if text != "a\rb" {  // parsing multiline text turns CR into a line break; see below
            #expect(refusal { _ = try paragraph.parse(text, field: "description") }?.code == .badFormat)
        }
        #expect(refusal { try paragraph.check(.text(text), field: "description") }?.code == .badFormat)
    }

    /// Text pasted with CR LF or CR line ends is stored with LF; one-line text still refuses them.
    @Test func carriageReturnsBecomeLineBreaksInMultilineText() throws {
        #expect(try paragraph.parse("第一行\r\n第二行\r第三行", field: "description") == .text("第一行\n第二行\n第三行"))
        #expect(refusal { _ = try line.parse("第一行\r\n第二行", field: "title") }?.code == .badFormat)
    }

    @Test func tabAllowed() throws {
        #expect(try line.parse("a\tb", field: "title") == .text("a\tb"))
    }

    /// Empty (or all-space) text is refused: clearing a field is writing null, not "".
    @Test func emptyTextIsRefused() throws {
        #expect(refusal { _ = try line.parse("   ", field: "title") }?.code == .badFormat)
        #expect(refusal { try line.check(.text(""), field: "title") }?.code == .badFormat)
    }

    /// `check` accepts only canonical text: untrimmed text, or a value of another kind, is refused.
    @Test func checkRefusesNonCanonical() throws {
        #expect(refusal { try line.check(.text(" 消防"), field: "title") }?.code == .badFormat)
        #expect(refusal { try line.check(.text("消防\n"), field: "title") }?.code == .badFormat)
        #expect(refusal { try line.check(.integer(3), field: "title") }?.code == .badFormat)
        #expect(refusal { try line.check(.boolean(true), field: "title") }?.code == .badFormat)
    }

    /// `check` must refuse text that is not NFC, or two replicas could store different bytes for
    /// the same value. (Swift's `==` treats `e\u{301}` and `é` as equal, which hides the difference.)
    @Test func checkRefusesDecomposedText() throws {
        #expect(refusal { try line.check(.text("Caf\u{65}\u{301}"), field: "title") }?.code == .badFormat)
    }
}

/// Choices: stored by key, typed by key or label.
@Suite("ValueDomain choice")
struct ValueDomainChoiceTests {
    let status = ValueDomain.choice(DemandStatus.choices)

    /// A Chinese or English label parses to the key.
    @Test func parseGivesKey() throws {
        #expect(try status.parse("处理中", field: "status") == .text("in-progress"))
        #expect(try status.parse("In Progress", field: "status") == .text("in-progress"))
        #expect(try status.parse(" resolved ", field: "status") == .text("resolved"))
        #expect(try ValueDomain.choice(Category.choices).parse("消防安全", field: "category") == .text("fire-safety"))
    }

    /// An unknown choice names the field and lists every allowed key.
    @Test func unknownChoiceListsKeys() throws {
        let error = try #require(refusal { _ = try status.parse("搁置", field: "status") })
        #expect(error.code == .unknownChoice)
        #expect(error.field == "status")
        #expect(error.value == "搁置")
        for value in DemandStatus.allCases {
            #expect(error.allowed.contains(value.key))
            #expect(error.allowed.contains(value.label.chinese))
        }
    }

    /// `check` takes keys only: a label is not a stored value.
    @Test func checkTakesKeysOnly() throws {
        #expect(throws: Never.self) { try status.check(.text("in-progress"), field: "status") }
        #expect(refusal { try status.check(.text("处理中"), field: "status") }?.code == .unknownChoice)
        #expect(refusal { try status.check(.text("In-Progress"), field: "status") }?.code == .unknownChoice)
        #expect(refusal { try status.check(.integer(1), field: "status") }?.code == .badFormat)
    }

    /// A project's category may not be `other`.
    @Test func projectCategoryRefusesOther() throws {
        let projectCategory = ValueDomain.choice(Category.projectCategories)
        #expect(refusal { _ = try projectCategory.parse("其他", field: "category") }?.code == .unknownChoice)
        #expect(refusal { try projectCategory.check(.text("other"), field: "category") }?.code == .unknownChoice)
    }
}

/// Dates (`YYYY-MM-DD`) and months (`YYYY-MM`).
@Suite("ValueDomain date and month")
struct ValueDomainDateTests {
    @Test(arguments: ["2026-01-01", "2024-02-29", "2000-02-29", "2026-12-31", "2026-04-30", "1900-01-01", "9999-12-31"])
    func goodDates(_ text: String) throws {
        #expect(try ValueDomain.date.parse(text, field: "visited-on") == .text(text))
        #expect(try ValueDomain.date.parse(" \(text) ", field: "visited-on") == .text(text))
    }

    @Test(arguments: [
        "2026-02-29", "1900-02-29", "2100-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "2026-01-00", "2026-01-32",
        "2026-1-01", "2026-01-1", "+026-01-01", "-026-01-01", "26-01-01", "02026-01-01", "2026/01/01",
        "2026-01-01T00:00",
        "2026-01", "", "２０２６-01-01", "2026-01-01-01", "1899-12-31",
    ])
    func badDates(_ text: String) throws {
        let error = try #require(refusal { _ = try ValueDomain.date.parse(text, field: "visited-on") })
        #expect(error.code == .badFormat)
        #expect(error.field == "visited-on")
        #expect(error.allowed.contains("YYYY-MM-DD"))
    }

    @Test(arguments: ["2026-01", "2026-12", "1900-06", "9999-01"])
    func goodMonths(_ text: String) throws {
        #expect(try ValueDomain.month.parse(text, field: "month") == .text(text))
    }

    @Test(arguments: [
        "2026-13", "2026-00", "2026-1", "+026-01", "2026-01-01", "202601", "2026/01", "", "1899-12", "2026-٠١",
    ])
    func badMonths(_ text: String) throws {
        #expect(refusal { _ = try ValueDomain.month.parse(text, field: "month") }?.code == .badFormat)
    }
}

/// Whole numbers in a range.
@Suite("ValueDomain integer")
struct ValueDomainIntegerTests {
    let percent = ValueDomain.integer(0...100)

    @Test func inRange() throws {
        #expect(try percent.parse("0", field: "percent") == .integer(0))
        #expect(try percent.parse(" 100 ", field: "percent") == .integer(100))
        #expect(try percent.parse("42", field: "percent") == .integer(42))
    }

    @Test func outOfRange() throws {
        let error = try #require(refusal { _ = try percent.parse("101", field: "percent") })
        #expect(error.code == .outOfRange)
        #expect(error.field == "percent")
        #expect(error.value == "101")
        #expect(refusal { _ = try percent.parse("-1", field: "percent") }?.code == .outOfRange)
        #expect(refusal { try percent.check(.integer(101), field: "percent") }?.code == .outOfRange)
    }

    @Test(arguments: ["", "abc", "1.5", "五十", "99999999999999999999", "1e2"])
    func notANumber(_ text: String) throws {
        #expect(refusal { _ = try percent.parse(text, field: "percent") }?.code == .badFormat)
    }

    @Test func checkRefusesText() {
        #expect(refusal { try percent.check(.text("50"), field: "percent") }?.code == .badFormat)
    }
}

/// Record ids, compound and worker keys, and yes/no.
@Suite("ValueDomain references and booleans")
struct ValueDomainReferenceTests {
    let demandID = ValueDomain.record(.demand)
    let lower = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"

    /// `parse` accepts a UUID in either case and stores it lowercase; `check` takes only lowercase.
    @Test func recordID() throws {
        #expect(try demandID.parse(lower, field: "demands") == .text(lower))
        #expect(try demandID.parse(lower.uppercased(), field: "demands") == .text(lower))
        #expect(try demandID.parse(" \(lower) ", field: "demands") == .text(lower))
        #expect(throws: Never.self) { try demandID.check(.text(lower), field: "demands") }
        #expect(refusal { try demandID.check(.text(lower.uppercased()), field: "demands") }?.code == .badFormat)
    }

    @Test(arguments: [
        "", "not-a-uuid", "3f2504e0-4f89-41d3-9a0c-0305e82c330", "3f2504e04f8941d39a0c0305e82c3301",
        "{3f2504e0-4f89-41d3-9a0c-0305e82c3301}",
    ])
    func badRecordID(_ text: String) throws {
        let error = try #require(refusal { _ = try demandID.parse(text, field: "demands") })
        #expect(error.code == .badFormat)
        #expect(error.allowed.contains("demand"))
        #expect(refusal { try demandID.check(.text(text), field: "demands") }?.code == .badFormat)
    }

    @Test func compoundAndWorkerKeys() throws {
        #expect(try ValueDomain.compound.parse("k001", field: "compound") == .text("k001"))
        #expect(try ValueDomain.compound.parse(" k107 ", field: "compound") == .text("k107"))
        #expect(try ValueDomain.worker.parse("wang-fang", field: "worker") == .text("wang-fang"))
        #expect(try ValueDomain.worker.parse("office-1", field: "worker") == .text("office-1"))
        // Typed keys are folded to lower case; stored keys must already be.
        #expect(try ValueDomain.compound.parse("K001", field: "compound") == .text("k001"))
        #expect(refusal { try ValueDomain.compound.check(.text("K001"), field: "compound") }?.code == .badFormat)
        for bad in ["-k1", "", "纺织厂宿舍", "k 001", "k/001", String(repeating: "k", count: 33)] {
            #expect(
                refusal { _ = try ValueDomain.compound.parse(bad, field: "compound") }?.code == .badFormat, "\(bad)")
            #expect(refusal { _ = try ValueDomain.worker.parse(bad, field: "worker") }?.code == .badFormat, "\(bad)")
        }
        let error = try #require(refusal { _ = try ValueDomain.worker.parse("王芳", field: "worker") })
        #expect(error.allowed.contains(WorkerID.rule))
    }

    @Test(arguments: ["true", "TRUE", "yes", "Yes", "是", " 是 "]) func booleanTrue(_ text: String) throws {
        #expect(try ValueDomain.boolean.parse(text, field: "deleted") == .boolean(true))
    }

    @Test(arguments: ["false", "False", "no", "NO", "否"]) func booleanFalse(_ text: String) throws {
        #expect(try ValueDomain.boolean.parse(text, field: "deleted") == .boolean(false))
    }

    @Test(arguments: ["", "1", "0", "y", "maybe", "对"]) func booleanBad(_ text: String) throws {
        #expect(refusal { _ = try ValueDomain.boolean.parse(text, field: "deleted") }?.code == .badFormat)
    }

    @Test func booleanCheck() {
        #expect(throws: Never.self) { try ValueDomain.boolean.check(.boolean(false), field: "deleted") }
        #expect(refusal { try ValueDomain.boolean.check(.text("true"), field: "deleted") }?.code == .badFormat)
    }

    /// Every domain's summary says what it accepts.
    @Test func summaries() {
        #expect(line.summary == "text of at most 80 characters on one line")
        #expect(paragraph.summary == "text of at most 2000 characters")
        #expect(ValueDomain.integer(0...100).summary == "a whole number from 0 to 100")
        #expect(ValueDomain.date.summary.contains("YYYY-MM-DD"))
        #expect(ValueDomain.month.summary.contains("YYYY-MM"))
        #expect(ValueDomain.record(.project).summary.contains("project"))
        #expect(ValueDomain.boolean.summary == "true or false")
    }
}
