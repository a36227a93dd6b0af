/// An amount of money, kept in fen (分, a hundredth of a yuan): what the office types as yuan
/// with up to two decimals, exactly.
public struct Money: Hashable, Comparable, Sendable {
    /// The amount in fen.
    public var fen: Int64

    /// An amount of `fen` fen.
    public init(fen: Int64) {
        self.fen = fen
    }

    /// An amount of whole yuan.
    public init(yuan: Int64) {
        fen = yuan * 100
    }

    /// Parses yuan as people type them: `3500`, `3500.5`, `3500.50`, `-500` (a correction),
    /// `3,500.50`; `nil` for anything else, more than two decimals included (nothing is rounded).
    public init?(yuan text: String) {
        var digits = Substring(text.trimmingPrefixAndSuffixWhitespace)
        let negative = digits.first == "-"
        if negative { digits = digits.dropFirst() }
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count) else { return nil }
        let whole = parts[0]
        let wholeGroups = whole.split(separator: ",", omittingEmptySubsequences: false)
        // Commas only between groups of three digits: 3,500 and 1,234,567, not 35,00.
        guard !whole.isEmpty,
            wholeGroups.count == 1
                || (wholeGroups.dropFirst().allSatisfy { $0.count == 3 } && (1...3).contains(wholeGroups[0].count))
        else { return nil }
        let wholeDigits = wholeGroups.joined()
        let decimals = parts.count == 2 ? parts[1] : ""
        guard decimals.count <= 2, parts.count == 1 || !decimals.isEmpty,
            (wholeDigits + decimals).allSatisfy({ $0.isASCII && $0.isNumber }),
            wholeDigits.count <= 15, let yuan = Int64(wholeDigits)
        else { return nil }
        let cents = (Int64(decimals) ?? 0) * (decimals.count == 1 ? 10 : 1)
        fen = (negative ? -1 : 1) * (yuan * 100 + cents)
    }

    /// `3500.50`, or `3500` for whole yuan.
    public var yuanText: String {
        let (yuan, cents) = (fen.magnitude / 100, fen.magnitude % 100)
        return (fen < 0 ? "-" : "") + "\(yuan)" + (cents == 0 ? "" : cents < 10 ? ".0\(cents)" : ".\(cents)")
    }

    /// `3,500.50`: yuan with thousands grouped, for reports.
    public var groupedYuanText: String {
        let text = yuanText
        let negative = text.hasPrefix("-")
        let unsigned = negative ? String(text.dropFirst()) : text
        let parts = unsigned.split(separator: ".", maxSplits: 1)
        let digits = String(parts[0])
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { grouped += "," }
            grouped.append(digit)
        }
        return (negative ? "-" : "") + grouped + (parts.count == 2 ? "." + parts[1] : "")
    }

    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.fen < rhs.fen }
    public static func + (lhs: Money, rhs: Money) -> Money { Money(fen: lhs.fen + rhs.fen) }
}

extension StringProtocol {
    /// The text without whitespace at either end.
    fileprivate var trimmingPrefixAndSuffixWhitespace: String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
