import Foundation
import GridMerge
import GridModel
import GridProtocol
import GridTesting
import Testing

/// The canonical op line: one text per op, refused unless canonical, pinned by vectors.
@Suite struct OpLineTests {
    /// `protocol/vectors/`, from this file's place in the repository.
    static let vectors = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("protocol/vectors")

    static func lines(_ name: String) throws -> [Substring] {
        try String(contentsOf: vectors.appendingPathComponent(name), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: true)
            .filter { !$0.hasPrefix("#") }
    }

    static let demand = RecordID("5f0e2a1c-3b4d-4e5f-8a9b-0c1d2e3f4a5b")!
    static let project = RecordID("0a7f0c1e-2b3c-4d5e-9f60-718293a4b5c6")!

    static func id(_ replica: UInt64, _ sequence: UInt64) -> OpID {
        OpID(replica: ReplicaID(rawValue: replica), sequence: sequence)
    }

    static func op(
        _ id: OpID, _ milliseconds: UInt64, _ counter: UInt16, _ author: String, type: RecordType = .demand,
        record: RecordID = demand, scope: String = "c01/g01", field: String, _ payload: OpPayload,
        parents: [OpID] = []
    ) -> Op {
        Op(
            id: id, clock: HybridTimestamp(milliseconds: milliseconds, counter: counter), author: WorkerID(author)!,
            recordType: type, recordID: record, scope: GridScope(scope)!, field: field, payload: payload,
            parents: parents)
    }

    /// The ops the vector file `op-lines.txt` holds, built in code: each must encode to its line.
    static let vectorOps: [Op] = [
        op(id(0xa1, 1), 1_793_491_200_000, 0, "w001", field: "title", .assign(.text("楼道堆物清理"))),
        op(
            id(0xa1, 2), 1_793_491_200_000, 1, "w001", field: "status", .assign(.text("raised")), parents: [id(0xa1, 1)]
        ),
        op(
            id(0xb2, 7), 1_793_491_260_000, 0, "w002", field: "status", .assign(.text("in-progress")),
            parents: [id(0xb2, 6), id(0xa1, 2)]),
        op(
            id(0xb2, 8), 1_793_491_260_000, 1, "w002", field: "description",
            .assign(.text("第一行\n第二行：\"纸箱\" \\ 杂物\t完")), parents: [id(0xb2, 7)]),
        op(id(0xb2, 9), 1_793_491_260_000, 2, "w002", field: "building", .assign(.null), parents: [id(0xb2, 8)]),
        op(id(0xb2, 10), 1_793_491_260_000, 3, "w002", field: "backers", .change(-2), parents: [id(0xb2, 9)]),
        op(id(0xb2, 11), 1_793_491_260_000, 4, "w002", field: "tags", .add("消防"), parents: [id(0xb2, 10)]),
        op(id(0xb2, 12), 1_793_491_260_000, 5, "w002", field: "tags", .remove("消防"), parents: [id(0xb2, 11)]),
        op(
            id(0xc3, 1), 1_793_491_320_000, 0, "office-1", field: "deleted", .assign(.boolean(true)),
            parents: [id(0xb2, 12)]),
        op(
            id(0xc3, 2), 1_793_491_320_000, 1, "office-1", type: .project, record: project, scope: "c01",
            field: "progress",
            .append(LogEntry(["month": .text("2026-11"), "text": .text("完成三栋楼道清理"), "percent": .integer(60)]))),
    ]

    @Test func vectorOpsEncodeToTheirLinesAndBack() throws {
        let lines = try Self.lines("op-lines.txt")
        #expect(lines.count == Self.vectorOps.count)
        for (op, line) in zip(Self.vectorOps, lines) {
            #expect(OpLine.text(op) == String(line))
            #expect(try OpLine.op(from: line) == op)
        }
    }

    @Test func everyBadVectorIsRefused() throws {
        let lines = try Self.lines("bad-op-lines.txt")
        #expect(lines.count >= 20)
        for line in lines {
            do {
                let op = try OpLine.op(from: line)
                Issue.record("accepted: \(line) as \(op)")
            } catch {
                #expect(error.code == .malformedOp)
            }
        }
    }

    /// Every op of random offline schedules (every merge kind, Chinese text) round-trips.
    @Test func scheduledOpsRoundTrip() throws {
        for seed: UInt64 in 1...8 {
            let schedule = OfflineSchedule(replicas: 4, steps: 100, seed: seed)
            for op in schedule.ops.values {
                let line = OpLine.text(op)
                #expect(!line.contains("\n"))
                #expect(try OpLine.op(from: line[...]) == op, "seed \(seed): \(line)")
            }
        }
    }
}
