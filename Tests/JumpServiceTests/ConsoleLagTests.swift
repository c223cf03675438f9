import JumpWorker
import Testing

@testable import JumpConsole

@Suite("The console marks a worker's lag against the readiness limit")
struct ConsoleLagTests {
    @Test(
        "caught up, behind within the limit, above it (where /readyz says not ready), unknown; with the pace, the time to catch up"
    )
    func levels() {
        #expect(
            ConsolePages.lagLine(lag: 0, maxLag: 10_000, eventsPerMinute: 600) == (
                "Caught up: no message waiting.", "ok"
            ))
        let behind = ConsolePages.lagLine(lag: 2_600, maxLag: 10_000, eventsPerMinute: 1_200)
        #expect(behind.level == "behind")
        #expect(
            behind.text
                == "Behind by 2,600 messages, within the readiness limit of 10,000 messages; at 1,200 events a minute, about 2 min 10 s to catch up.",
            "\(behind.text)")
        let above = ConsolePages.lagLine(lag: 12_000, maxLag: 10_000, eventsPerMinute: nil)
        #expect(above.level == "failing")
        #expect(
            above.text
                == "Behind by 12,000 messages: above the readiness limit of 10,000 messages, so /readyz says not ready.",
            "\(above.text)")
        #expect(ConsolePages.lagLine(lag: 5, maxLag: 10_000, eventsPerMinute: 0).text.hasSuffix("10,000 messages."))
        #expect(ConsolePages.lagLine(lag: nil, maxLag: 10_000, eventsPerMinute: 1).level == "muted")
        #expect(
            ConsolePages.lagLine(lag: nil, maxLag: 10_000, eventsPerMinute: 1).text.contains("no partition assigned"))
    }

    @Test(
        "a worker's group membership in words: assignments counted, the last wait without partitions and when it ended")
    func rebalances() {
        var status = WorkerStatus(role: "state", assigned: [], lag: nil, sinceLastPollMs: nil)
        #expect(ConsolePages.rebalanceLine(status, now: 0) == "0 assignments by the group; no partition held yet")
        status.rebalances = 3
        status.lastAssignmentWaitMs = 17_400
        status.lastAssignedAtMs = 1_000_000
        #expect(
            ConsolePages.rebalanceLine(status, now: 1_124_000)
                == "3 assignments by the group; the last wait without partitions took 17 s and ended 2 min 4 s ago")
    }
}
