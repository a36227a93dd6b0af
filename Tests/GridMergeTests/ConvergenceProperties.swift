import GridMerge
import GridModel
import GridTesting
import PropertyBased
import Testing

/// Replicas that edit shared records offline and exchange ops in random orders, with
/// duplicates and drops repaired later, end with identical state and identical conflicts.
@Suite struct ConvergenceProperties {
    @Test func replicasConvergeUnderRandomSchedules() async {
        var runsWithConflicts = 0
        var runsWithDeleteConflicts = 0
        await propertyCheck(
            count: 400, input: Gen.int(in: 3...6), Gen.int(in: 10...160), Gen.uint64(in: 0...UInt64.max)
        ) { replicaCount, steps, seed in
            var schedule = OfflineSchedule(replicas: replicaCount, steps: steps, seed: seed)
            schedule.repair()
            #expect(schedule.failures.isEmpty, "seed \(seed): \(schedule.failures)")
            let reference = schedule.reference
            for replica in schedule.replicas {
                #expect(replica.state == reference, "replica \(replica.id) differs after repair (seed \(seed))")
                #expect(replica.state.conflicts == reference.conflicts)
            }
            if !reference.conflicts.isEmpty { runsWithConflicts += 1 }
            if reference.conflicts.contains(where: { $0.field == RecordSchema.deletedField }) {
                runsWithDeleteConflicts += 1
            }
        }
        // The schedules must exercise what they claim to: many runs end with open conflicts,
        // some of them between a delete and an edit.
        #expect(runsWithConflicts > 40)
        #expect(runsWithDeleteConflicts > 0)
    }
}
