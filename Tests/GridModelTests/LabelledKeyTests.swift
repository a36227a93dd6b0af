import Foundation
import GridModel
import Testing

// MARK: - Helpers

/// How ``ChoiceSet`` folds keys and English labels: case, and space / `_` versus `-`, do not matter.
private func folded(_ text: String) -> String {
    text.lowercased().replacingOccurrences(of: " ", with: "-").replacingOccurrences(of: "_", with: "-")
}

/// Expects `value` to parse from its key, its Chinese label and its English label, in the
/// ways a grid worker might type them.
private func expectParsesFromEveryName<Value: LabelledKey>(
    _ value: Value, sourceLocation: SourceLocation = #_sourceLocation
) {
    let english = value.label.english
    let spellings = [
        value.key, value.key.uppercased(), "  \(value.key)  ",
        value.label.chinese, " \(value.label.chinese)\n", "\u{3000}\(value.label.chinese)\u{3000}",
        english, english.uppercased(), english.capitalized, "\t\(english) ",
        english.replacingOccurrences(of: " ", with: "-"),
        english.replacingOccurrences(of: "-", with: " "),
        english.replacingOccurrences(of: " ", with: "_"),
    ]
    for text in spellings {
        #expect(Value(parsing: text) == value, "'\(text)' should parse as \(value.key)", sourceLocation: sourceLocation)
    }
    #expect(Value.choices.key(parsing: value.label.chinese) == value.key, sourceLocation: sourceLocation)
    #expect(Value.choices.contains(key: value.key), sourceLocation: sourceLocation)
}

/// Expects keys, Chinese labels and English labels to be unique within a type, so that no text
/// could parse as two different values.
private func expectDistinctNames<Value: LabelledKey>(
    _ type: Value.Type, sourceLocation: SourceLocation = #_sourceLocation
) {
    let all = Array(Value.allCases)
    #expect(!all.isEmpty, sourceLocation: sourceLocation)
    #expect(Set(all.map(\.key)).count == all.count, "keys repeat", sourceLocation: sourceLocation)
    #expect(Set(all.map(\.label.chinese)).count == all.count, "Chinese labels repeat", sourceLocation: sourceLocation)
    #expect(
        Set(all.map { folded($0.label.english) }).count == all.count, "English labels repeat",
        sourceLocation: sourceLocation)
    // No value's key or label may read as another value's key or label.
    for value in all {
        let names: Set<String> = [folded(value.key), value.label.chinese, folded(value.label.english)]
        for other in all where other != value {
            let otherNames: Set<String> = [folded(other.key), other.label.chinese, folded(other.label.english)]
            #expect(
                names.isDisjoint(with: otherNames), "\(value.key) and \(other.key) share a name",
                sourceLocation: sourceLocation)
        }
        // Keys are kebab-case ASCII, like field names.
        #expect(
            value.key.range(of: "^[a-z]+(-[a-z]+)*$", options: .regularExpression) != nil,
            "key '\(value.key)' is not kebab-case", sourceLocation: sourceLocation)
        #expect(containsChinese(value.label.chinese), sourceLocation: sourceLocation)
        #expect(!value.label.english.isEmpty, sourceLocation: sourceLocation)
    }
    #expect(
        Value.choices.choices.map(\.key) == all.map(\.key), "choices keep the natural order",
        sourceLocation: sourceLocation)
}

/// Text that names no value of any labelled type.
private let unknownTexts = ["", "   ", "nope", "消防", "in  progress", "fire safety please", "其它", "-", "_"]

// MARK: - Parsing every value

/// Every value of every labelled type parses from its key, Chinese label and English label.
@Suite("LabelledKey parsing")
struct LabelledKeyParsingTests {
    @Test(arguments: Category.allCases) func category(_ value: Category) { expectParsesFromEveryName(value) }
    @Test(arguments: DemandStatus.allCases) func demandStatus(_ value: DemandStatus) {
        expectParsesFromEveryName(value)
    }
    @Test(arguments: Urgency.allCases) func urgency(_ value: Urgency) { expectParsesFromEveryName(value) }
    @Test(arguments: ProjectStage.allCases) func projectStage(_ value: ProjectStage) {
        expectParsesFromEveryName(value)
    }
    @Test(arguments: VisitPurpose.allCases) func visitPurpose(_ value: VisitPurpose) {
        expectParsesFromEveryName(value)
    }
    @Test(arguments: FundingSource.allCases) func fundingSource(_ value: FundingSource) {
        expectParsesFromEveryName(value)
    }
    @Test(arguments: SurveyMethod.allCases) func surveyMethod(_ value: SurveyMethod) {
        expectParsesFromEveryName(value)
    }
    @Test(arguments: WorkerRole.allCases) func workerRole(_ value: WorkerRole) { expectParsesFromEveryName(value) }
    @Test(arguments: RecordType.allCases) func recordType(_ value: RecordType) { expectParsesFromEveryName(value) }

    /// The example from the protocol's documentation: `处理中`, `in progress` and `in-progress`.
    @Test func documentedExample() {
        #expect(DemandStatus(parsing: "处理中") == .inProgress)
        #expect(DemandStatus(parsing: "in progress") == .inProgress)
        #expect(DemandStatus(parsing: "in-progress") == .inProgress)
        #expect(DemandStatus(parsing: "In_Progress") == .inProgress)
        #expect(VisitPurpose(parsing: "Follow Up") == .followUp)
        #expect(VisitPurpose(parsing: "回访") == .followUp)
        #expect(Category(parsing: "民主协商") == .consultation)
        #expect(Category(parsing: "Democratic Consultation") == .consultation)
    }

    /// Text that names nothing gives `nil`, for every type.
    @Test(arguments: unknownTexts) func unknownTextIsNil(_ text: String) {
        #expect(Category(parsing: text) == nil)
        #expect(DemandStatus(parsing: text) == nil)
        #expect(Urgency(parsing: text) == nil)
        #expect(ProjectStage(parsing: text) == nil)
        #expect(VisitPurpose(parsing: text) == nil)
        #expect(FundingSource(parsing: text) == nil)
        #expect(SurveyMethod(parsing: text) == nil)
        #expect(WorkerRole(parsing: text) == nil)
        #expect(RecordType(parsing: text) == nil)
    }

    /// A label of one type does not parse as a value of another.
    @Test func labelsDoNotLeakAcrossTypes() {
        #expect(Urgency(parsing: "处理中") == nil)
        #expect(DemandStatus(parsing: "紧急") == nil)
        #expect(ProjectStage(parsing: "survey") == nil)
        #expect(VisitPurpose(parsing: "evaluate") == nil)
    }
}

// MARK: - Uniqueness and stable keys

/// Keys and labels are unique within each type, and the stored keys never change.
@Suite("LabelledKey names")
struct LabelledKeyNameTests {
    @Test func namesAreDistinct() {
        expectDistinctNames(Category.self)
        expectDistinctNames(DemandStatus.self)
        expectDistinctNames(Urgency.self)
        expectDistinctNames(ProjectStage.self)
        expectDistinctNames(VisitPurpose.self)
        expectDistinctNames(FundingSource.self)
        expectDistinctNames(SurveyMethod.self)
        expectDistinctNames(WorkerRole.self)
        expectDistinctNames(RecordType.self)
    }

    /// Keys are stored and sent between replicas: renaming one would orphan existing data.
    @Test func keysAreStable() {
        #expect(
            Category.allCases.map(\.key)
                == ["fire-safety", "convenience", "public-security", "environment", "consultation", "other"])
        #expect(
            DemandStatus.allCases.map(\.key) == ["raised", "accepted", "in-progress", "resolved", "closed", "declined"])
        #expect(Urgency.allCases.map(\.key) == ["normal", "pressing", "urgent"])
        #expect(ProjectStage.allCases.map(\.key) == ["collect", "design", "review", "implement", "evaluate"])
        #expect(
            VisitPurpose.allCases.map(\.key) == ["routine", "collect-demands", "follow-up", "safety-check", "survey"])
        #expect(FundingSource.allCases.map(\.key) == ["government", "society", "residents"])
        #expect(SurveyMethod.allCases.map(\.key) == ["interview", "questionnaire"])
        #expect(WorkerRole.allCases.map(\.key) == ["worker", "office"])
        #expect(
            RecordType.allCases.map(\.key) == ["visit", "demand", "project", "community", "grid", "compound", "worker"])
        #expect(RecordType.allCases.filter(\.isReference) == [.community, .grid, .compound, .worker])
    }

    /// The five project categories carry the field study's own Chinese names.
    @Test func categoryChineseNames() {
        #expect(Category.allCases.map(\.label.chinese) == ["消防安全", "便民服务", "社会治安", "环境美化", "民主协商", "其他"])
    }

    /// Labelled values encode as their key and decode from it.
    @Test func codableUsesKey() throws {
        let data = try JSONEncoder().encode([DemandStatus.inProgress, .declined])
        #expect(String(decoding: data, as: UTF8.self) == #"["in-progress","declined"]"#)
        #expect(try JSONDecoder().decode([DemandStatus].self, from: data) == [.inProgress, .declined])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([DemandStatus].self, from: Data(#"["处理中"]"#.utf8))
        }
    }
}

// MARK: - Type-specific behaviour

/// Category.projectCategories, ProjectStage.next, DemandStatus.isOpen and FundingSource.fieldName.
@Suite("Labelled types")
struct LabelledTypeTests {
    /// A micro-project has exactly the five categories of the field study; `other` is for demands only.
    @Test func projectCategoriesAreTheFive() {
        let keys = Category.projectCategories.choices.map(\.key)
        #expect(keys == ["fire-safety", "convenience", "public-security", "environment", "consultation"])
        #expect(!Category.projectCategories.contains(key: "other"))
        #expect(Category.projectCategories.key(parsing: "其他") == nil)
        #expect(Category.projectCategories.key(parsing: "other") == nil)
        #expect(Category.projectCategories.key(parsing: "消防安全") == "fire-safety")
        #expect(Category.choices.contains(key: "other"))
    }

    /// The project loop: collect → design → review → implement → evaluate, then nothing.
    @Test func projectStageWalksTheLoop() {
        #expect(ProjectStage.collect.next == .design)
        #expect(ProjectStage.design.next == .review)
        #expect(ProjectStage.review.next == .implement)
        #expect(ProjectStage.implement.next == .evaluate)
        #expect(ProjectStage.evaluate.next == nil)

        var walked: [ProjectStage] = []
        var stage: ProjectStage? = .collect
        while let current = stage {
            walked.append(current)
            stage = current.next
        }
        #expect(walked == [.collect, .design, .review, .implement, .evaluate])
    }

    /// Raised, accepted and in-progress demands are open; the rest are done.
    @Test func demandStatusOpenness() {
        #expect(DemandStatus.allCases.filter(\.isOpen) == [.raised, .accepted, .inProgress])
    }

    /// Each funding source names its counter on the project schema.
    @Test(arguments: FundingSource.allCases) func fundingFieldExists(_ source: FundingSource) throws {
        #expect(source.fieldName == "funding-\(source.key)")
        let field = try #require(RecordSchema.project[source.fieldName])
        #expect(field.kind == .counter)
    }

    /// The summary of a choice set lists every key with its Chinese label.
    @Test func choiceSummaryListsKeysAndChinese() {
        #expect(Urgency.choices.summary == "normal (一般), pressing (较急), urgent (紧急)")
    }
}
