import GridMerge
import GridTesting
import PropertyBased
import Testing

/// The hybrid logical clock: monotone whatever the wall clock does, bounded against remote clocks.
@Suite struct HybridClockTests {
    @Test func readingPacksMillisecondsAndCounter() {
        let reading = HybridTimestamp(milliseconds: 1_793_491_200_123, counter: 7)
        #expect(reading.milliseconds == 1_793_491_200_123)
        #expect(reading.counter == 7)
        #expect(reading.rawValue == 1_793_491_200_123 << 16 | 7)
        #expect(HybridTimestamp(milliseconds: 5, counter: 0) > HybridTimestamp(milliseconds: 4, counter: 65_535))
    }

    @Test func tickFollowsTheWallClockWhenItMovesOn() {
        let wall = ManualWallClock(milliseconds: 1_000)
        var clock = HybridClock(wallClock: wall)
        #expect(clock.tick() == HybridTimestamp(milliseconds: 1_000, counter: 0))
        #expect(clock.tick() == HybridTimestamp(milliseconds: 1_000, counter: 1))
        wall.advance(by: 5)
        #expect(clock.tick() == HybridTimestamp(milliseconds: 1_005, counter: 0))
    }

    @Test func tickNeverGoesBackWhenTheWallClockDoes() {
        let wall = ManualWallClock(milliseconds: 50_000)
        var clock = HybridClock(wallClock: wall)
        let before = clock.tick()
        wall.set(10_000)  // the battery died and the clock reset
        let after = clock.tick()
        #expect(after > before)
        #expect(after == HybridTimestamp(milliseconds: 50_000, counter: 1))
    }

    @Test func counterOverflowBorrowsTheNextMillisecond() {
        let wall = ManualWallClock(milliseconds: 100)
        var clock = HybridClock(wallClock: wall, latest: HybridTimestamp(milliseconds: 100, counter: .max))
        #expect(clock.tick() == HybridTimestamp(milliseconds: 101, counter: 0))
    }

    @Test func observedRemoteReadingsComeBeforeTheNextTick() throws {
        let wall = ManualWallClock(milliseconds: 1_000)
        var clock = HybridClock(wallClock: wall, maximumDrift: 60_000)
        let remote = HybridTimestamp(milliseconds: 30_000, counter: 9)
        try clock.observe(remote)
        #expect(clock.tick() == HybridTimestamp(milliseconds: 30_000, counter: 10))
    }

    @Test func aRemoteReadingTooFarAheadIsRefusedAndDoesNotMoveTheClock() {
        let wall = ManualWallClock(milliseconds: 1_000_000)
        var clock = HybridClock(wallClock: wall, maximumDrift: 60_000)
        let before = clock.tick()
        let remote = HybridTimestamp(milliseconds: 1_000_000 + 60_001, counter: 0)
        #expect {
            try clock.observe(remote)
        } throws: { error in
            (error as? MergeError)?.code == .clockTooFarAhead
                && (error as? MergeError)?.message.contains("1 minute ahead of this replica") == true
        }
        #expect(clock.latest == before)
        #expect(clock.tick() == HybridTimestamp(milliseconds: 1_000_000, counter: 1))
        // Exactly at the bound is accepted.
        #expect(throws: Never.self) { try clock.observe(HybridTimestamp(milliseconds: 1_060_000, counter: 0)) }
    }

    /// Random wall clocks that jump back and forth, random local ticks and remote readings:
    /// every tick is later than every earlier tick and every accepted remote reading, and a
    /// refused reading leaves the clock as it was.
    @Test func monotoneUnderRandomAndBackwardJumpingWallClocks() async {
        let steps = Gen.int64(in: -120_000...120_000).array(of: 1...200)
        await propertyCheck(count: 300, input: steps, Gen.uint64(in: 0...UInt64.max)) { jumps, seed in
            var rng = SeededGenerator(seed: seed)
            let wall = ManualWallClock(milliseconds: 1_793_491_200_000)
            var clock = HybridClock(wallClock: wall, maximumDrift: 30_000)
            var latest = HybridTimestamp.zero
            for jump in jumps {
                wall.advance(by: jump)
                if Bool.random(using: &rng) {
                    let reading = clock.tick()
                    #expect(reading > latest)
                    #expect(
                        reading.milliseconds >= wall.millisecondsSince1970()
                            || reading.milliseconds >= latest.milliseconds)
                    latest = reading
                } else {
                    let offset = Int64.random(in: -60_000...60_000, using: &rng)
                    let millis = UInt64(Int64(wall.millisecondsSince1970()) + offset)
                    let remote = HybridTimestamp(milliseconds: millis, counter: UInt16.random(in: 0...9, using: &rng))
                    let before = clock.latest
                    do {
                        try clock.observe(remote)
                        #expect(offset <= 30_000 || remote.milliseconds <= before.milliseconds)
                        latest = max(latest, remote)
                    } catch {
                        #expect(offset > 30_000)
                        #expect(clock.latest == before)
                    }
                }
            }
        }
    }
}
