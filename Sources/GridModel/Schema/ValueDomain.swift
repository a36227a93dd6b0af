import Foundation

/// The values a field (or a set element, or a part of a log entry) may hold.
///
/// A domain does two jobs. ``parse(_:field:)`` turns what a person typed into a canonical
/// value (labels become keys, text is trimmed and NFC-normalized). ``check(_:field:)``
/// accepts only canonical values, and is what a replica runs on every op it receives, so
/// that no replica ever stores a value that another would have written differently.
public enum ValueDomain: Hashable, Sendable {
    /// Text of 1 to `maxLength` characters; line breaks only if `multiline`.
    case text(maxLength: Int, multiline: Bool)
    /// One key of a fixed list (stored by key, typed by key or label).
    case choice(ChoiceSet)
    /// A whole number in a range.
    case integer(ClosedRange<Int64>)
    /// A calendar day, `YYYY-MM-DD`.
    case date
    /// A calendar month, `YYYY-MM` (monthly progress reports).
    case month
    /// The id of another record of the given type.
    case record(RecordType)
    /// The key of a community of the street.
    case community
    /// The key of a grid of the street.
    case grid
    /// The key of a compound of the street.
    case compound
    /// The key of a worker of the street.
    case worker
    /// Yes or no.
    case boolean
    /// A file named by its content (``FileID``): a photo.
    case file
    /// Where something is (``Place``): WGS-84 latitude and longitude, and an accuracy.
    case place

    /// The record type of the street's lists whose keys this domain holds (`.compound` for
    /// compound keys), or `nil`.
    public var streetType: RecordType? {
        switch self {
        case .community: .community
        case .grid: .grid
        case .compound: .compound
        case .worker: .worker
        default: nil
        }
    }

    /// What this domain accepts, in words, for error messages and `--help`.
    public var summary: String {
        switch self {
        case .text(let maxLength, let multiline):
            "text of at most \(maxLength) characters\(multiline ? "" : " on one line")"
        case .choice(let choices): "one of \(choices.summary)"
        case .integer(let range): "a whole number from \(range.lowerBound) to \(range.upperBound)"
        case .date: "a date written YYYY-MM-DD"
        case .month: "a month written YYYY-MM"
        case .record(let type): "the id of a \(type.key) (a UUID)"
        case .community: "a community key (\(CommunityID.rule))"
        case .grid: "a grid key (\(GridID.rule))"
        case .compound: "a compound key (\(CompoundID.rule))"
        case .worker: "a worker key (\(WorkerID.rule))"
        case .boolean: "true or false"
        case .file: "a file's id (\(FileID.rule))"
        case .place: Place.rule
        }
    }

    /// Turns typed text into a canonical value, or explains what is wrong with it.
    public func parse(_ input: String, field: String) throws(ValidationError) -> FieldValue {
        switch self {
        case .text:
            // Text pasted from elsewhere may end its lines with CR LF or CR: store LF.
            let text = input.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
                .trimmingCharacters(in: .whitespacesAndNewlines).precomposedStringWithCanonicalMapping
            return try check(.text(text), field: field)
        case .choice(let choices):
            guard let key = choices.key(parsing: input) else {
                throw ValidationError(.unknownChoice, field: field, value: input, allowed: summary)
            }
            return .text(key)
        case .integer:
            guard let integer = Int64(input.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                throw ValidationError(.badFormat, field: field, value: input, allowed: summary)
            }
            return try check(.integer(integer), field: field)
        case .record:
            let trimmed = input.trimmingCharacters(in: .whitespacesAndNewlines)
            guard let id = RecordID(trimmed) else {
                throw ValidationError(.badFormat, field: field, value: input, allowed: summary)
            }
            return .text(id.description)
        case .boolean:
            switch input.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() {
            case "true", "yes", "是": return .boolean(true)
            case "false", "no", "否": return .boolean(false)
            default: throw ValidationError(.badFormat, field: field, value: input, allowed: summary)
            }
        case .date, .month:
            return try check(.text(input.trimmingCharacters(in: .whitespacesAndNewlines)), field: field)
        case .file:
            return try check(.text(input.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()), field: field)
        case .place:
            guard let place = Place(parsing: input) else {
                throw ValidationError(.badFormat, field: field, value: input, allowed: summary)
            }
            return .text(place.description)
        case .community, .grid, .compound, .worker:
            return try check(.text(input.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()), field: field)
        }
    }

    /// Accepts `value` if it is a canonical value of this domain; throws otherwise.
    @discardableResult
    public func check(_ value: FieldValue, field: String) throws(ValidationError) -> FieldValue {
        let refuse = { (code: ValidationError.Code) in
            ValidationError(code, field: field, value: value.description, allowed: summary)
        }
        switch (self, value) {
        case (.text(let maxLength, let multiline), .text(let text)):
            guard !text.isEmpty else {
                throw ValidationError(.badFormat, field: field, value: "", allowed: "\(summary), or clear the field")
            }
            guard text.count <= maxLength else {
                throw ValidationError(
                    .tooLong, field: field, value: "\(text.prefix(20))… (\(text.count) characters)",
                    allowed: summary)
            }
            guard Self.isCanonicalText(text, multiline: multiline) else { throw refuse(.badFormat) }
        case (.choice(let choices), .text(let key)):
            guard choices.contains(key: key) else { throw refuse(.unknownChoice) }
        case (.integer(let range), .integer(let integer)):
            guard range.contains(integer) else { throw refuse(.outOfRange) }
        case (.date, .text(let text)):
            guard CalendarMonth.isDay(text) else { throw refuse(.badFormat) }
        case (.month, .text(let text)):
            guard CalendarMonth(text) != nil else { throw refuse(.badFormat) }
        case (.record, .text(let text)):
            guard RecordID.isCanonical(text) else { throw refuse(.badFormat) }
        case (.community, .text(let text)):
            guard CommunityID(text) != nil else { throw refuse(.badFormat) }
        case (.grid, .text(let text)):
            guard GridID(text) != nil else { throw refuse(.badFormat) }
        case (.compound, .text(let text)):
            guard CompoundID(text) != nil else { throw refuse(.badFormat) }
        case (.worker, .text(let text)):
            guard WorkerID(text) != nil else { throw refuse(.badFormat) }
        case (.boolean, .boolean):
            break
        case (.file, .text(let text)):
            guard FileID(text) != nil else { throw refuse(.badFormat) }
        case (.place, .text(let text)):
            guard Place.isCanonical(text) else { throw refuse(.badFormat) }
        default:
            throw refuse(.badFormat)
        }
        return value
    }

    /// Whether text is stored the way every replica would store it: NFC, trimmed, and free of
    /// control characters (line breaks only in multiline text).
    ///
    /// Runs on every text value of every op received, so the common case (ASCII, Latin-1 and
    /// CJK text, which NFC never changes) is decided scalar by scalar without Foundation.
    private static func isCanonicalText(_ text: String, multiline: Bool) -> Bool {
        let scalars = text.unicodeScalars
        guard let first = scalars.first, let last = scalars.last,
            !first.properties.isWhitespace, !last.properties.isWhitespace
        else { return false }
        var certainlyNFC = true
        for scalar in scalars {
            guard isAllowed(scalar, multiline: multiline) else { return false }
            if certainlyNFC && !isNFCStable(scalar) { certainlyNFC = false }
        }
        // Compare scalars, not Strings: String equality ignores normalization, and replicas
        // must agree on the bytes.
        return certainlyNFC || scalars.elementsEqual(text.precomposedStringWithCanonicalMapping.unicodeScalars)
    }

    /// Scalars that neither decompose nor combine with a neighbour under NFC.
    private static func isNFCStable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0..<0x300, 0x3000...0x3029, 0x3030...0x3098, 0x4E00...0x9FFF, 0xFF01...0xFF5E: true
        default: false
        }
    }

    private static func isAllowed(_ scalar: Unicode.Scalar, multiline: Bool) -> Bool {
        switch scalar.value {
        case 0x20..<0x7F, 0xA0..<0x300, 0x3000...0x303F, 0x4E00...0x9FFF, 0xFF01...0xFF5E: return true
        default: break
        }
        if scalar == "\n" { return multiline }
        if scalar == "\t" { return true }
        return
            !(scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .surrogate
            || scalar.properties.generalCategory == .unassigned || scalar == "\u{2028}" || scalar == "\u{2029}")
    }
}
