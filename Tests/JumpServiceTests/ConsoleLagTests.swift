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
}
