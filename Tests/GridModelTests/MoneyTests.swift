import GridModel
import Testing

/// Yuan as the office types them, kept in fen exactly.
@Suite struct MoneyTests {
    @Test(arguments: [
        ("3500", 350_000), ("3500.5", 350_050), ("3500.50", 350_050), ("0.05", 5), ("-500", -50_000),
        ("3,500.50", 350_050), ("1,234,567", 123_456_700), (" 20000 ", 2_000_000), ("-0.01", -1),
    ] as [(String, Int64)])
    func yuanAreReadIntoFen(_ text: String, _ fen: Int64) {
        #expect(Money(yuan: text) == Money(fen: fen))
    }

    @Test(arguments: ["", "-", ".", "3500.", ".5", "3500.505", "35,00", "3,5000", "1e3", "¥3500", "3 500", "--5",
        "３５００", "99999999999999999"])
    func otherTextIsRefusedNotRounded(_ text: String) {
        #expect(Money(yuan: text) == nil, "\(text)")
    }

    @Test func amountsAreWrittenBackAsTyped() {
        #expect(Money(fen: 350_050).yuanText == "3500.50")
        #expect(Money(fen: 350_005).yuanText == "3500.05")
        #expect(Money(fen: 2_000_000).yuanText == "20000")
        #expect(Money(fen: -1).yuanText == "-0.01")
        #expect(Money(fen: 50_000_000).groupedYuanText == "500,000")
        #expect(Money(fen: -123_456_789).groupedYuanText == "-1,234,567.89")
        for fen in [0, 1, 99, 100, 350_050, -350_050, 123_456_789] as [Int64] {
            #expect(Money(yuan: Money(fen: fen).yuanText) == Money(fen: fen))
            #expect(Money(yuan: Money(fen: fen).groupedYuanText) == Money(fen: fen))
        }
    }
}
