import GridModel
import Testing

/// FieldSpec checks of register values, set elements, counter changes and log entries.
@Suite("FieldSpec")
struct FieldSpecTests {
    let demand = RecordSchema.demand
    let project = RecordSchema.project

    /// A required register refuses `null`; an optional one accepts it.
    @Test func registerNull() throws {
        let title = try demand.field("title")
        let error = try #require(refusal { try title.checkRegister(.null) })
        #expect(error.code == .missingRequired)
        #expect(error.field == "title")
        #expect(error.value == nil)

        let description = try demand.field("description")
        #expect(throws: Never.self) { try description.checkRegister(.null) }
        #expect(throws: Never.self) { try RecordSchema.visit.field("compound").checkRegister(.null) }
    }

    /// A register checks values against its domain.
    @Test func registerValues() throws {
        let status = try demand.field("status")
        #expect(throws: Never.self) { try status.checkRegister(.text("in-progress")) }
        #expect(refusal { try status.checkRegister(.text("处理中")) }?.code == .unknownChoice)
        #expect(refusal { try demand.field("title").checkRegister(.text("")) }?.code == .badFormat)
        #expect(
            refusal { try demand.field("title").checkRegister(.text(String(repeating: "x", count: 81))) }?.code
                == .tooLong)
        #expect(throws: Never.self) { try demand.field("deleted").checkRegister(.boolean(true)) }
        // `deleted` is true or false, never null: a null would conflict with every edit's "alive".
        #expect(refusal { try demand.field("deleted").checkRegister(.null) }?.code == .missingRequired)
        // An optional text field is cleared with `.null`, never with empty text.
        #expect(refusal { try demand.field("description").checkRegister(.text("")) } != nil)
    }

    /// Each check refuses a field of another merge kind with `.wrongKind`.
    @Test func wrongKind() throws {
        let title = try demand.field("title")
        let error = try #require(refusal { try title.checkElement("消防") })
        #expect(error.code == .wrongKind)
        #expect(error.field == "title")

        #expect(refusal { try title.checkChange(1) }?.code == .wrongKind)
        #expect(refusal { try title.checkEntry(LogEntry(["text": .text("x")])) }?.code == .wrongKind)
        #expect(refusal { try demand.field("tags").checkRegister(.text("x")) }?.code == .wrongKind)
        #expect(refusal { try demand.field("backers").checkElement("x") }?.code == .wrongKind)
        #expect(refusal { try demand.field("notes").checkChange(1) }?.code == .wrongKind)
    }

    /// Set elements are checked against the element domain.
    @Test func setElements() throws {
        let tags = try demand.field("tags")
        #expect(throws: Never.self) { try tags.checkElement("高空抛物") }
        #expect(refusal { try tags.checkElement(String(repeating: "标", count: 41)) }?.code == .tooLong)
        #expect(refusal { try tags.checkElement("a\nb") }?.code == .badFormat)

        let demands = try project.field("demands")
        #expect(throws: Never.self) { try demands.checkElement("3f2504e0-4f89-41d3-9a0c-0305e82c3301") }
        #expect(refusal { try demands.checkElement("3F2504E0-4F89-41D3-9A0C-0305E82C3301") }?.code == .badFormat)
    }

    /// A counter change must be in range and not zero.
    @Test func counterChanges() throws {
        let backers = try demand.field("backers")
        for good: Int64 in [1, -1, 10_000, -10_000] {
            #expect(throws: Never.self) { try backers.checkChange(good) }
        }
        for bad: Int64 in [0, 10_001, -10_001, Int64.max, Int64.min] {
            let error = try #require(refusal { try backers.checkChange(bad) })
            #expect(error.code == .outOfRange)
            #expect(error.field == "backers")
            #expect(error.value == String(bad))
        }
        #expect(throws: Never.self) { try project.field("funding-government").checkChange(500_000) }
        #expect(refusal { try project.field("funding-government").checkChange(10_000_001) }?.code == .outOfRange)
    }

    /// A good monthly progress entry, with or without the optional percentage, is accepted.
    @Test func goodEntry() throws {
        let progress = try project.field("progress")
        #expect(throws: Never.self) {
            try progress.checkEntry(LogEntry(["month": .text("2026-03"), "text": .text("完成楼道清理")]))
        }
        #expect(throws: Never.self) {
            try progress.checkEntry(
                LogEntry(["month": .text("2026-03"), "text": .text("完成楼道清理"), "percent": .integer(60)]))
        }
        let satisfaction = try project.field("satisfaction")
        #expect(throws: Never.self) {
            try satisfaction.checkEntry(
                LogEntry([
                    "method": .text("questionnaire"), "respondents": .integer(120), "satisfied": .integer(103),
                ]))
        }
        #expect(throws: Never.self) { try demand.field("notes").checkEntry(LogEntry(["text": .text("已电话回访")])) }
    }

    /// An entry part the log does not have is refused as an unknown field.
    @Test func unknownPart() throws {
        let progress = try project.field("progress")
        let error = try #require(
            refusal {
                try progress.checkEntry(LogEntry(["month": .text("2026-03"), "text": .text("ok"), "mood": .text("好")]))
            })
        #expect(error.code == .unknownField)
        #expect(error.field == "progress")
        #expect(error.value == "mood")
        #expect(error.allowed.contains("month"))
        #expect(error.allowed.contains("percent"))
    }

    /// A missing required part is named `log.part`.
    @Test func missingRequiredPart() throws {
        let progress = try project.field("progress")
        let noMonth = try #require(refusal { try progress.checkEntry(LogEntry(["text": .text("完成楼道清理")])) })
        #expect(noMonth.code == .missingRequired)
        #expect(noMonth.field == "progress.month")
        #expect(noMonth.allowed.contains("YYYY-MM"))

        let noText = try #require(refusal { try progress.checkEntry(LogEntry(["month": .text("2026-03")])) })
        #expect(noText.code == .missingRequired)
        #expect(noText.field == "progress.text")

        #expect(refusal { try progress.checkEntry(LogEntry([:])) }?.code == .missingRequired)
    }

    /// A part given as `null` is refused: absent parts are left out, not nulled.
    @Test func nullPart() throws {
        let progress = try project.field("progress")
        let error = try #require(
            refusal {
                try progress.checkEntry(LogEntry(["month": .text("2026-03"), "text": .text("ok"), "percent": .null]))
            })
        #expect(error.code == .badFormat)
        #expect(error.field == "progress.percent")

        #expect(refusal { try progress.checkEntry(LogEntry(["month": .null, "text": .text("ok")])) } != nil)
    }

    /// A part with a bad value is refused with the part domain's code.
    @Test func badPartValue() throws {
        let progress = try project.field("progress")
        #expect(
            refusal {
                try progress.checkEntry(LogEntry(["month": .text("2026-13"), "text": .text("ok")]))
            }?.code == .badFormat)
        #expect(
            refusal {
                try progress.checkEntry(
                    LogEntry(["month": .text("2026-03"), "text": .text("ok"), "percent": .integer(101)]))
            }?.code == .outOfRange)
        #expect(
            refusal {
                try project.field("satisfaction").checkEntry(
                    LogEntry([
                        "method": .text("问卷"), "respondents": .integer(10), "satisfied": .integer(9),
                    ]))
            }?.code == .unknownChoice)
        #expect(
            refusal {
                try project.field("satisfaction").checkEntry(
                    LogEntry([
                        "method": .text("interview"), "respondents": .integer(0), "satisfied": .integer(0),
                    ]))
            }?.code == .outOfRange)
    }

    /// ValidationError documents `field.part` as the field of an error about a part of a log
    /// entry, so a bad part value should name `progress.month`, not just `month`.
    @Test func badPartValueNamesLogAndPart() throws {
        let progress = try project.field("progress")
        let error = try #require(
            refusal {
                try progress.checkEntry(LogEntry(["month": .text("2026-13"), "text": .text("ok")]))
            })
        #expect(error.field == "progress.month")
    }

    /// Merge kind follows shape, and summaries describe what the field takes.
    @Test func kindsAndSummaries() throws {
        #expect(try demand.field("title").kind == .register)
        #expect(try demand.field("tags").kind == .set)
        #expect(try demand.field("backers").kind == .counter)
        #expect(try demand.field("notes").kind == .log)
        #expect(try demand.field("tags").domainSummary == "a set of text of at most 40 characters on one line")
        #expect(try demand.field("backers").domainSummary == "a whole-number total")
        let progressSummary = try project.field("progress").domainSummary
        #expect(progressSummary.hasPrefix("entries with month ("))
        #expect(progressSummary.contains("percent (a whole number from 0 to 100)"))
    }
}

/// Cross-part rules of log entries.
@Suite("FieldSpec entry rules")
struct FieldSpecEntryRuleTests {
    @Test func satisfiedResidentsCannotOutnumberThoseAsked() throws {
        let satisfaction = try RecordSchema.project.field("satisfaction")
        let entry = { (asked: Int64, happy: Int64) in
            LogEntry(["method": .text("questionnaire"), "respondents": .integer(asked), "satisfied": .integer(happy)])
        }
        #expect(throws: Never.self) { try satisfaction.checkEntry(entry(40, 36)) }
        #expect(throws: Never.self) { try satisfaction.checkEntry(entry(40, 40)) }
        let error = try #require(refusal { try satisfaction.checkEntry(entry(40, 41)) })
        #expect(error.code == .outOfRange)
        #expect(error.field == "satisfaction.satisfied")
        #expect(error.description.contains("respondents"))
    }
}
