import Foundation
import JumpKafka
import Synchronization

/// The next offset a worker believes its store has, per assigned partition (`nil`: none yet); kept by the
/// rebalance hooks and advanced after each applied batch.
final class AssignedOffsets: Sendable {
    private let offsets = Mutex<[Int32: Int64?]>([:])
    /// For each assigned partition, a number that changes every time it is assigned (and with it, read from the
    /// store's offset again).
    private let assignments = Mutex<(next: Int, of: [Int32: Int])>((0, [:]))

    func assign(_ entries: [(Int32, Int64?)]) {
        offsets.withLock { for (partition, offset) in entries { $0[partition] = offset } }
        assignments.withLock { state in
            for (partition, _) in entries {
                state.next += 1
                state.of[partition] = state.next
            }
        }
    }
    func revoke(_ partitions: [Int32]) {
        offsets.withLock { for partition in partitions { $0[partition] = nil } }
        assignments.withLock { state in for partition in partitions { state.of[partition] = nil } }
    }
    /// Which assignment each partition is in now: a partition whose number changed (or went) between two looks was
    /// revoked or assigned again in between.
    var assignmentNumbers: [Int32: Int] { assignments.withLock { $0.of } }
    func advance(_ next: [Int32: Int64]) {
        offsets.withLock { for (partition, offset) in next { $0[partition] = offset } }
    }
    var snapshot: [Int32: Int64?] { offsets.withLock { $0 } }

    /// Rebalance hooks that start every assigned partition at the next offset `stored()` reads from the store
    /// (the beginning of the log for one it never held) and keep these offsets in step. They run inside poll,
    /// between batches: the store is the truth, Kafka's committed offsets are not.
    func hooks(
        committing: CommitGate? = nil, history: RebalanceHistory? = nil,
        stored: @escaping @Sendable () throws -> [Int32: Int64]
    ) -> KafkaRebalanceHooks {
        KafkaRebalanceHooks(
            onAssign: { [self] partitions in
                history?.assigned()
                committing?.waitUntilIdle()
                let offsets = try stored()
                assign(partitions.map { ($0.partition, offsets[$0.partition]) })
                // The consumer logs the assignment with these starts (one line: `partitions assigned`).
                let starts = partitions.map { ($0, offsets[$0.partition].map(KafkaOffset.exact) ?? .beginning) }
                return Dictionary(uniqueKeysWithValues: starts)
            },
            onRevoke: { [self] partitions in
                history?.revoked()
                committing?.waitUntilIdle()
                revoke(partitions.map(\.partition))
            })
    }
}

/// Held while a batch's transaction is in flight, so that the next batch is polled and decoded meanwhile while a
/// rebalance still sees the store as that transaction leaves it: the rebalance hooks (inside poll, on the
/// consumer's own queue, never on Swift's cooperative pool) wait until no transaction is in flight before they read
/// the store's offsets or drop a partition.
final class CommitGate: Sendable {
    private let inFlight = DispatchGroup()

    /// A transaction starts.
    func enter() { inFlight.enter() }
    /// It ended (committed or failed).
    func leave() { inFlight.leave() }
    /// Blocks the calling thread until no transaction is in flight.
    func waitUntilIdle() { inFlight.wait() }
}
