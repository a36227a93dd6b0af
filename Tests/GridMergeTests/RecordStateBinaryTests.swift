import GridMerge
import GridModel
import GridTesting
import PropertyBased
import Testing

/// The binary form stores keep records in: every state reads back equal, damage is refused.
@Suite struct RecordStateBinaryTests {
    @Test func everyRecordOfRandomSchedulesReadsBackEqual() async {
        await propertyCheck(count: 60, input: Gen.int(in: 3...5), Gen.int(in: 20...120), Gen.uint64(in: 0...UInt64.max))
        {
            replicas, steps, seed in
            var schedule = OfflineSchedule(replicas: replicas, steps: steps, seed: seed)
            schedule.repair()
            for record in schedule.reference.records.values {
                let bytes = record.encoded()
                #expect(throws: Never.self) { try RecordState(encoded: bytes) }
                #expect((try? RecordState(encoded: bytes)) == record, "seed \(seed): \(record.type) \(record.id)")
                #expect(record.encoded() == bytes, "equal states must give equal bytes")
            }
        }
    }

    @Test func damagedBytesAreRefused() throws {
        var replica = Fixtures.replica(1)
        try replica.create(
            .demand, id: Fixtures.demandID, in: Fixtures.scope, Fixtures.newDemand + [.add("tags", "消防")])
        let bytes = try #require(replica.state[Fixtures.demandID]).encoded()
        for cut in [0, 1, bytes.count / 2, bytes.count - 1] {
            #expect(throws: MergeError.self) { try RecordState(encoded: Array(bytes.prefix(cut))) }
        }
        #expect(throws: MergeError.self) { try RecordState(encoded: bytes + [0]) }
        #expect(throws: MergeError.self) { try RecordState(encoded: [9] + bytes.dropFirst()) }
    }
}
