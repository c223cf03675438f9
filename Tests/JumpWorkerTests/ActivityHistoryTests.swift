import JumpState
import Testing

@testable import JumpWorker

/// The console's chart of the last hour: minutes counted as batches commit, the lag noted, ended minutes kept in
/// the store once each, and a restart starting from what was kept.
@Suite("Activity history")
struct ActivityHistoryTests {
    static let hour: Int64 = 1_796_000_400_000  // a minute's start

    @Test(
        "each minute that ends is handed over once to be kept, with its counts and last lag; a stop adds the one in progress"
    )
    func endedMinutes() {
        let history = ActivityHistory()
        history.record((applied: 10, duplicates: 1, deadLettered: 2, anomalies: 3), at: Self.hour + 5_000)
        history.noteLag(40, at: Self.hour + 6_000)
        history.noteLag(25, at: Self.hour + 50_000)
        #expect(history.takeEnded().isEmpty, "nothing ended yet")
        history.record((applied: 7, duplicates: 0, deadLettered: 0, anomalies: 0), at: Self.hour + 61_000)
        let ended = history.takeEnded()
        #expect(ended.count == 1 && ended.first?.start == Self.hour)
        #expect(ended.first.map { [$0.applied, $0.duplicates, $0.deadLettered, $0.anomalies] } == [10, 1, 2, 3])
        #expect(ended.first?.lag == 25, "the last lag the minute measured")
        #expect(history.takeEnded().isEmpty, "handed over once")
        let atStop = history.takeEnded(current: true)
        #expect(atStop.map(\.start) == [Self.hour + 60_000] && atStop.first?.applied == 7 && atStop.first?.lag == nil)
    }

    @Test("a restart starts from the kept minutes: they show in the last hour, and the current one goes on counting")
    func restored() async throws {
        let store = try StateStore()
        var first = ActivityMinute(start: Self.hour)
        first.applied = 500
        first.lag = 1_200
        var second = ActivityMinute(start: Self.hour + 60_000)
        second.applied = 30
        var ancient = ActivityMinute(start: Self.hour - 2 * 86_400_000)
        ancient.applied = 1
        try await store.keepActivity([ancient])
        try await store.keepActivity([first, second])
        let kept = try await store.keptActivity(since: Self.hour - 3_600_000)
        #expect(kept == [first, second], "the kept minutes; one older than a day is forgotten")
        #expect(try await store.keptActivity(since: 0).count == 2)
        let history = ActivityHistory()
        history.restore(kept)
        history.record((applied: 5, duplicates: 0, deadLettered: 0, anomalies: 0), at: Self.hour + 70_000)
        let hour = history.lastHour(now: Self.hour + 70_000)
        #expect(hour.count == 60 && hour.last?.applied == 35, "the current minute goes on from what was kept")
        #expect(hour[hour.count - 2].applied == 500 && hour[hour.count - 2].lag == 1_200)
        // Kept again at the stop, it replaces what was kept for that minute.
        try await store.keepActivity(history.takeEnded(current: true))
        #expect(try await store.keptActivity(since: Self.hour + 60_000).first?.applied == 35)
    }
}
