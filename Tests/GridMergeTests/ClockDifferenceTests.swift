import GridMerge
import GridTesting
import Testing

/// Clock differences in words a worker reads, and the corrected wall clock a laptop writes with.
@Suite struct ClockDifferenceTests {
    static let day: Int64 = 86_400_000
    static let cases: [(Int64, String)] = [
        (400, "under a second"),
        (-45_000, "45 seconds"),
        (420_000, "7 minutes"),
        (-7_509_000, "2 hours 5 minutes"),
        (368 * day + 3_600_000, "1 year 3 days"),
        (day + 1_000, "1 day"),
        (365 * day - 2_000, "1 year"),
        (364 * day + 23 * 3_600_000 + 59 * 60_000, "1 year"),
        (419_600, "7 minutes"),
    ]

    @Test func differencesReadAsTheTwoLargestUnits() {
        for (milliseconds, words) in Self.cases {
            #expect(ClockDifference(milliseconds: milliseconds).description == words)
        }
    }

    @Test func aLaptopSlowOrFastWritesWithTheServersTime() {
        let laptop = ManualWallClock(milliseconds: 1_793_491_200_000)
        #expect(OffsetWallClock(laptop, offset: 420_000).millisecondsSince1970() == 1_793_491_620_000)
        #expect(OffsetWallClock(laptop, offset: -420_000).millisecondsSince1970() == 1_793_490_780_000)
        // A clock corrected below 1970 reads 1970, never wraps around.
        #expect(OffsetWallClock(ManualWallClock(milliseconds: 5), offset: -10).millisecondsSince1970() == 0)
    }

    @Test func aClockRefusalSaysHowFarAheadInWords() {
        let clock = HybridClock(wallClock: ManualWallClock(milliseconds: 1_793_491_200_000))
        let year = HybridTimestamp(milliseconds: 1_793_491_200_000 + 366 * 86_400_000, counter: 0)
        #expect {
            try clock.check(year)
        } throws: { error in
            (error as? MergeError)?.message.contains("1 year 1 day ahead") == true
                && (error as? MergeError)?.message.contains("at most 5 minutes") == true
        }
    }
}
