import Foundation
import GridMerge
import GridModel
import Testing

/// The ids of the street's reference records: one per type and key, everywhere, and an op
/// that gives a record another record's key is refused.
@Suite struct ReferenceIDTests {
    @Test func theIdComesFromTheTypeAndTheKeyAlone() {
        let id = RecordID(reference: .compound, key: "k001")
        #expect(id == RecordID(reference: .compound, key: "k001"))
        #expect(id != RecordID(reference: .compound, key: "k002"))
        #expect(id != RecordID(reference: .worker, key: "k001"))
        // An RFC 9562 name-based UUID (version 5), never equal to a random one (version 4).
        #expect(id.description.dropFirst(14).first == "5")
        #expect(RecordID.isCanonical(id.description))
        // Fixed for good: every replica and every version must make the same id.
        #expect(id.description == "508b871f-f555-5f8b-9b07-9af4cbf83038")
    }

    static func keyOp(record: RecordID, key: String) -> Op {
        Op(
            id: OpID(replica: ReplicaID(rawValue: 0x0f), sequence: 1),
            clock: HybridTimestamp(milliseconds: 1_793_491_200_000, counter: 0), author: WorkerID("o001")!,
            recordType: .compound, recordID: record, scope: GridScope("c01/g01")!, field: RecordSchema.keyField,
            payload: .assign(.text(key)))
    }

    @Test func aKeyWrittenUnderAnotherIdIsRefused() throws {
        try Self.keyOp(record: RecordID(reference: .compound, key: "k001"), key: "k001").validate()
        for record in [RecordID(), RecordID(reference: .compound, key: "k002"), RecordID(reference: .grid, key: "k001")] {
            let refusal = #expect(throws: MergeError.self) { try Self.keyOp(record: record, key: "k001").validate() }
            #expect(refusal?.code == .invalidOp)
            #expect(refusal?.message.contains("a compound's id comes from its key") == true)
        }
    }
}
