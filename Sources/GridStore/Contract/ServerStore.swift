import GridMerge
import GridModel

/// What the daemon's side of a sync asks of its store: who the server is, what it holds of
/// each writer, the ops it admits from laptops, and the batches laptops pull.
///
/// Every replica store is one (``ReplicaStore``); a daemon's op log in PostgreSQL, shared by
/// several daemons, is one without being a whole replica. Every method is one transaction.
///
/// **Commit-ordered pulls.** A laptop resumes a pull after the last local sequence it stored
/// (``OpBatch/through``). A store must never show an op numbered below one it has shown
/// already: with several writers, numbers must become visible in order, or a pull that read
/// past a number still being committed would skip that op forever.
public protocol ServerStore: Sendable {
    /// Who this replica is.
    var identity: ReplicaIdentity { get }

    /// The highest sequence `n` such that this replica holds every op of `writer` from 1 to `n`.
    func heldThrough(of writer: ReplicaID) async throws -> UInt64

    /// Ops of `writer` with a sequence above `sequence`, by sequence, at most `limit`.
    func ops(of writer: ReplicaID, after sequence: UInt64, limit: Int) async throws -> [Op]

    /// Up to `limit` ops stored after `localSequence` whose records lie in `scopes` and that
    /// were written by `writers` (a client pushes only its own ops; a server sends a client
    /// every op but the client's own).
    func batch(after localSequence: Int64, limit: Int, scopes: [GridScope], writers: OpWriters) async throws -> OpBatch

    /// How many ops stored after `localSequence` lie in `scopes` and were not written by
    /// `replica`: what a peer that pulled up to there has not received yet (how far behind a
    /// laptop is).
    func opCount(after localSequence: Int64, scopes: [GridScope], excluding replica: ReplicaID) async throws -> Int

    /// Stores ops that a client pushed, each after the admission rules (``OpAdmission``), the
    /// writer's order (each op follows its writer's previous one) and the drift bound on
    /// clocks; ops held already, byte for byte, are skipped. All or nothing.
    ///
    /// - Throws: ``StoreError/Code/refused`` with the merge core's reason: `reused-id`,
    ///   `bad-parents`, `clock-too-far-ahead`, or an op the merge rules refuse.
    func admit(_ ops: [Op], pushedBy client: ReplicaID) async throws -> IngestResult

    /// Takes back ops that a laptop held before it met this replica, restored from a backup:
    /// the laptop's own under the rules of ``admit(_:pushedBy:)``; others' if written before
    /// the restore, within ``ServerStore/giveBackWindow`` of it, and under the
    /// admission rules, except that a replica's ops may come with gaps (a laptop holds only
    /// its grids' ops). Another replica's op that fails is left out on its own (counted in
    /// ``IngestResult/skipped``), with the ops built on it.
    ///
    /// - Throws: ``StoreError/Code/refused`` as ``admit(_:pushedBy:)`` for the laptop's own
    ///   ops, and for a replica that was never restored, or restored too long ago.
    func admitGivenBack(_ ops: [Op], by client: ReplicaID) async throws -> IngestResult
}

extension ServerStore {
    /// How long after a restore laptops may give back what the daemon lost: long enough
    /// for a laptop that stays offline for weeks.
    public static var giveBackWindow: UInt64 { 90 * 86_400_000 }

    /// The latest clock (milliseconds) an op of another replica given back at `now` may carry:
    /// one written before the restore at `restoredAt`, allowing for the drift bound.
    ///
    /// - Throws: ``StoreError/Code/refused`` for a server never restored, or restored more
    ///   than ``giveBackWindow`` ago.
    public static func givenBackLimit(restoredAt: UInt64?, now: UInt64) throws -> UInt64 {
        guard let restoredAt, now <= restoredAt + giveBackWindow else {
            throw StoreError(
                .refused,
                "this server was not restored from a backup in the last 90 days: it takes back nothing; "
                    + "the laptop keeps these ops, and the office can copy them from its export if they matter")
        }
        return restoredAt + HybridClock.defaultMaximumDrift
    }
}
