import Logging
import Testing

@testable import JumpWorker

/// How long a member waited for partitions is measured from the start of that wait, not of the process.
@Suite("Waiting for partitions")
struct AssignmentWaitTests {
    let start = ContinuousClock.now
    func at(_ seconds: Int) -> ContinuousClock.Instant { start + .seconds(seconds) }

    @Test("a wait after a rebalance late in a member's life is measured from when it lost its partitions")
    func measuredFromTheLoss() throws {
        var wait = AssignmentWait(
            role: "state", topic: "jump.events", group: "jump-state", timeout: nil,
            logger: Logger(label: "assignment-wait-tests"), now: start)
        #expect(try wait.check(assigned: false, lastError: nil, now: at(1)) == nil)
        #expect(try wait.check(assigned: true, lastError: nil, now: at(3)) == .seconds(3), "the first join")
        #expect(try wait.check(assigned: true, lastError: nil, now: at(197)) == nil, "no wait while assigned")
        #expect(try wait.check(assigned: false, lastError: nil, now: at(197)) == nil)
        #expect(try wait.check(assigned: false, lastError: nil, now: at(199)) == nil)
        #expect(try wait.check(assigned: true, lastError: nil, now: at(201)) == .seconds(4), "not 201 s")
    }

    @Test("with --until-idle, a wait longer than the bound ends with AssignmentTimedOut naming the last error")
    func boundedWait() throws {
        var wait = AssignmentWait(
            role: "state", topic: "jump.events", group: "jump-state", timeout: .seconds(60),
            logger: Logger(label: "assignment-wait-tests"), now: start)
        #expect(try wait.check(assigned: true, lastError: nil, now: at(5)) == .seconds(5))
        #expect(try wait.check(assigned: false, lastError: nil, now: at(500)) == nil, "a new wait starts at 500 s")
        #expect(try wait.check(assigned: false, lastError: nil, now: at(559)) == nil, "59 s of it: within the bound")
        let error = #expect(throws: AssignmentTimedOut.self) {
            try wait.check(assigned: false, lastError: "Connection refused", now: at(561))
        }
        #expect(error?.description.contains("within 60 s; the last error from the brokers: Connection refused") == true)
    }
}
