import Testing

@testable import JumpWorker

/// A worker's rebalances as the console and /readyz show them: waits measured from the start or the revocation.
@Suite("Rebalance history")
struct RebalanceHistoryTests {
    @Test(
        "the wait before the first assignment, then from a revocation to the next assignment; an assignment with no revocation before it counts but measures nothing"
    )
    func waits() {
        let start = ContinuousClock.now
        let history = RebalanceHistory(role: "state")
        var status = WorkerStatus(role: "state", assigned: [], lag: nil, sinceLastPollMs: nil)
        history.fill(&status)
        #expect(status.rebalances == 0 && status.lastAssignmentWaitMs == nil)
        history.assigned(now: start + .milliseconds(3_200), nowMs: 10_000)
        history.fill(&status)
        #expect(status.rebalances == 1 && status.lastAssignedAtMs == 10_000)
        #expect((status.lastAssignmentWaitMs ?? 0) >= 3_200 - 50, "measured from the history's creation")
        history.revoked(now: start + .seconds(60))
        history.revoked(now: start + .seconds(61))
        history.assigned(now: start + .milliseconds(64_500), nowMs: 70_000)
        history.fill(&status)
        #expect(status.rebalances == 2 && status.lastAssignmentWaitMs == 4_500 && status.lastAssignedAtMs == 70_000)
        history.assigned(now: start + .seconds(90), nowMs: 95_000)
        history.fill(&status)
        #expect(status.rebalances == 3 && status.lastAssignmentWaitMs == 4_500 && status.lastAssignedAtMs == 70_000)
    }
}
