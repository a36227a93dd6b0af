import Foundation
import GridModel
import Testing

/// Months and days as the office writes them, read in one place.
@Suite struct CalendarMonthTests {
    @Test(arguments: ["2026-11", "1900-01", "9999-12"])
    func monthsAreRead(_ text: String) throws {
        #expect(try #require(CalendarMonth(text)).description == text)
    }

    @Test(arguments: ["2026-13", "2026-00", "2026-1", "26-11", "2026/11", "2026-11-01", "１２３４-11", "1899-12", "", "-"])
    func otherTextIsNotAMonth(_ text: String) {
        #expect(CalendarMonth(text) == nil)
    }

    @Test func daysFollowTheGregorianCalendar() throws {
        #expect(try #require(CalendarMonth("2024-02")).dayCount == 29)
        #expect(try #require(CalendarMonth("2026-02")).dayCount == 28)
        #expect(try #require(CalendarMonth("2000-02")).dayCount == 29)
        #expect(try #require(CalendarMonth("1900-02")).dayCount == 28)
        #expect(try #require(CalendarMonth("2026-11")).lastDay == "2026-11-30")
        #expect(CalendarMonth.isDay("2024-02-29") && !CalendarMonth.isDay("2026-02-29"))
        #expect(!CalendarMonth.isDay("2026-11-31") && !CalendarMonth.isDay("2026-11-1") && !CalendarMonth.isDay("2026-11"))
    }

    @Test func theNextMonthCrossesTheYear() throws {
        #expect(try #require(CalendarMonth("2026-12")).next.firstDay == "2027-01-01")
        #expect(try #require(CalendarMonth("2026-11")).next.description == "2026-12")
        #expect(try #require(CalendarMonth("2026-11")).firstDayOfYear == "2026-01-01")
    }

    @Test func theMonthOfAMomentDependsOnTheTimeZone() throws {
        // 2026-11-30 20:00 UTC is already December 1 in Beijing.
        let moment = Date(timeIntervalSince1970: 1_796_068_800)
        #expect(CalendarMonth(containing: moment, in: TimeZone(identifier: "UTC")!).description == "2026-11")
        #expect(CalendarMonth(containing: moment, in: TimeZone(identifier: "Asia/Shanghai")!).description == "2026-12")
    }
}
