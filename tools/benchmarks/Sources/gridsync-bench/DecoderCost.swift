import Foundation
import GridMerge
import GridProtocol
import NIOCore

/// What the daemon's own decoder (``WireDecoder`` with a ``MessageBudget``, as each of its
/// connections reads) costs for one held message, measured in this process: the resident
/// memory it adds per byte the budget counts, and how fast it decodes these op lines. The
/// baseline of the held-messages run: what the budget would bound if nothing else held memory.
struct DecoderCost: Encodable {
    /// Bytes of the message fed to the decoder, and the bytes its budget counted.
    let messageBytes: Int
    let budgetedBytes: Int
    /// Resident memory (VmRSS) this process gained while the decoder read the message, which
    /// it holds unfinished; measured before the run allocates anything large.
    let heldResidentBytes: Int
    /// Decoded megabytes (10^6 bytes) a second, one thread.
    let megabytesPerSecond: Double

    /// Resident memory held per budgeted byte.
    var residentPerBudgetedByte: Double { Double(heldResidentBytes) / Double(max(1, budgetedBytes)) }

    /// Feeds `push` (all but its last op) to a new decoder, after a `HELLO`, in the chunks a
    /// connection sends.
    static func measure(_ push: PushText) async throws -> DecoderCost {
        let budget = MessageBudget(capacity: 1 << 40)
        var decoder: WireDecoder? = WireDecoder(limits: .standard, budget: budget)
        decoder!.receive(ByteBuffer(string: "HELLO gridsync/2 00000000000000b2 gst_bench\n"))
        guard case .hello = try decoder!.next() else { throw BenchFailure("the decoder did not read HELLO") }
        decoder!.admit()
        let before = MemorySampler.resident(of: getpid())
        var fed = 0
        let time = try await seconds {
            try await push.forEachChunk { chunk in
                fed += chunk.readableBytes
                decoder!.receive(chunk)
                guard try decoder!.next() == nil else {
                    throw BenchFailure("the decoder finished a message never finished")
                }
            }
        }
        let held = MemorySampler.resident(of: getpid()) - before
        let budgeted = budget.inUse
        decoder = nil
        return DecoderCost(
            messageBytes: fed, budgetedBytes: budgeted, heldResidentBytes: held,
            megabytesPerSecond: Double(fed) / time / 1e6)
    }
}
