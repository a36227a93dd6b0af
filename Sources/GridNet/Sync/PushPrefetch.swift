import GridMerge
import GridStore
import Synchronization

/// The laptop's next push batch, loaded while the server stores the one before: a push is a
/// pipeline of two stages, and without it the laptop would wait for each `ACK` before it
/// began to read the next batch from its replica.
final class PushPrefetch: Sendable {
    /// A load under way: the batch after own sequence `after`.
    private struct Load {
        var after: Int64
        var limit: Int
        var task: Task<[Op], any Error>
    }

    private let load = Mutex<Load?>(nil)

    /// The laptop's own ops after `after`, at most `limit`: the batch loaded ahead if it is
    /// that one, else read now. When the batch is full, the one after it starts loading.
    func batch(of store: any ReplicaStore, after: Int64, limit: Int) async throws -> [Op] {
        let replica = store.identity.replica
        let ahead = load.withLock { load in
            defer { load = nil }
            return load.flatMap { $0.after == after && $0.limit == limit ? $0.task : nil }
        }
        let ops: [Op]
        if let ahead {
            ops = try await ahead.value
        } else {
            ops = try await store.ops(of: replica, after: UInt64(after), limit: limit)
        }
        if ops.count == limit, let last = ops.last {
            let next = Int64(last.id.sequence)
            let task = Task { try await store.ops(of: replica, after: UInt64(next), limit: limit) }
            load.withLock { $0 = Load(after: next, limit: limit, task: task) }
        }
        return ops
    }

    deinit {
        load.withLock { $0?.task.cancel() }
    }
}
