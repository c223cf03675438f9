import Foundation
import JumpKafka
import JumpState
import Synchronization
import Testing

@testable import JumpWorker

/// The next batch is polled while the previous one commits; a rebalance in that poll must see the store as the
/// commit leaves it.
@Suite("Batches in flight and rebalances")
struct CommitGateTests {
    @Test("a rebalance waits for the batch in flight: its hooks read the store's offsets only after the commit")
    func assignWaitsForCommit() throws {
        let gate = CommitGate()
        let stored = Mutex<Int64>(10)
        let offsets = AssignedOffsets()
        let hooks = offsets.hooks(committing: gate) {
            [0: stored.withLock { $0 }]
        }
        let partition = KafkaTopicPartition(topic: "jump.events", partition: 0)
        gate.enter()
        let started = ContinuousClock.now
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) {
            stored.withLock { $0 = 42 }  // the batch in flight commits, moving the store's offset
            gate.leave()
        }
        let starts = try hooks.onAssign([partition])
        #expect(ContinuousClock.now - started >= .milliseconds(250), "the hook waited for the commit")
        #expect(starts[partition] == .exact(42))
        #expect(offsets.snapshot[0] == .some(42))
    }

    @Test("a revocation waits for the batch in flight, so the commit cannot bring a revoked partition back")
    func revokeWaitsForCommit() {
        let gate = CommitGate()
        let offsets = AssignedOffsets()
        offsets.assign([(0, 10)])
        let hooks = offsets.hooks(committing: gate) { [:] }
        // What the revocation saw: whether the batch in flight had committed when it took the partition away.
        let committed = Flag()
        gate.enter()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) {
            offsets.advance([0: 42])  // what the batch in flight does when it commits
            committed.set()
            gate.leave()
        }
        hooks.onRevoke([KafkaTopicPartition(topic: "jump.events", partition: 0)])
        // Without the wait the revocation returns at once, 0.3 s before the commit (it would fail here).
        let sawCommit = committed.isSet
        #expect(sawCommit, "the revocation returned before the commit")
        #expect(offsets.snapshot[0] == nil, "revoked after the commit, not before it")
    }

    @Test(
        "topping up a batch across a rebalance keeps the records of partitions it left alone and drops those revoked or assigned again"
    )
    func topUpAcrossARebalance() {
        let offsets = AssignedOffsets()
        offsets.assign([(0, 10), (1, 20), (2, 30)])
        let before = offsets.assignmentNumbers
        #expect(StateWorker.unmoved(records([0, 1, 2]), before: before, after: offsets.assignmentNumbers).count == 3)
        offsets.revoke([1])  // given to another member
        offsets.revoke([2])
        offsets.assign([(2, 30)])  // an eager rebalance: revoked and assigned again, read again from the store
        offsets.assign([(3, nil)])  // new here
        let kept = StateWorker.unmoved(records([0, 1, 2, 0]), before: before, after: offsets.assignmentNumbers)
        #expect(kept.map(\.partition) == [0, 0])
    }

    private func records(_ partitions: [Int32]) -> [ConsumedRecord] {
        partitions.enumerated().map { ConsumedRecord(partition: $1, offset: Int64($0), content: .deadLettered) }
    }
}

/// A flag one thread sets and another reads.
private final class Flag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}
