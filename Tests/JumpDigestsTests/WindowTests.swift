import Foundation
import JumpDigests
import JumpState
import Testing

@Suite("Windows and schedules")
struct WindowTests {
    let denver = TimeZone(identifier: "America/Denver")!

    @Test("Every N minutes closes on the clock")
    func everyMinutes() {
        let clock = WindowClock(schedule: .every(minutes: 60), timeZone: denver)
        #expect(clock.boundary(after: ms("2026-11-29T14:20:00Z")) == ms("2026-11-29T15:00:00Z"))
        #expect(clock.boundary(after: ms("2026-11-29T15:00:00Z")) == ms("2026-11-29T16:00:00Z"))
        #expect(clock.boundary(atOrBefore: ms("2026-11-29T15:00:00Z")) == ms("2026-11-29T15:00:00Z"))
        #expect(clock.boundary(atOrBefore: ms("2026-11-29T14:59:59Z")) == ms("2026-11-29T14:00:00Z"))
    }

    @Test("Daily at 08:00 in Denver stays at 08:00 local across both daylight-saving changes (23 and 25 hour windows)")
    func dailyAcrossDaylightSaving() {
        let clock = WindowClock(schedule: .daily(hour: 8, minute: 0), timeZone: denver)
        // Spring forward on 2026-03-08: 08:00 MST is 15:00Z the day before, 08:00 MDT is 14:00Z.
        #expect(clock.boundary(after: ms("2026-03-07T16:00:00Z")) == ms("2026-03-08T14:00:00Z"))
        #expect(ms("2026-03-08T14:00:00Z") - clock.boundary(atOrBefore: ms("2026-03-08T13:59:00Z")) == 23 * 3_600_000)
        // Fall back on 2026-11-01: the window is 25 hours long.
        #expect(clock.boundary(after: ms("2026-11-01T13:00:00Z")) == ms("2026-11-01T15:00:00Z"))
        #expect(clock.boundary(atOrBefore: ms("2026-11-01T14:59:00Z")) == ms("2026-10-31T14:00:00Z"))
        // Every boundary over a year is 08:00 local.
        var time = ms("2026-01-01T00:00:00Z")
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = denver
        for _ in 0..<365 {
            time = clock.boundary(after: time)
            let local = calendar.dateComponents(
                [.hour, .minute], from: Date(timeIntervalSince1970: Double(time) / 1000))
            #expect(local.hour == 8 && local.minute == 0)
        }
    }

    @Test("A daily time inside the spring-forward gap closes just past the gap, once")
    func timeInsideTheGap() {
        let clock = WindowClock(schedule: .daily(hour: 2, minute: 30), timeZone: denver)
        let before = clock.boundary(after: ms("2026-03-07T12:00:00Z"))
        #expect(before == ms("2026-03-08T09:30:00Z"))  // 03:30 MDT: 02:30 does not exist that day
        #expect(clock.boundary(after: before) == ms("2026-03-09T08:30:00Z"))  // 02:30 MDT the next day
    }

    @Test("A window closes on the clock with its items; an empty one produces nothing unless configured")
    func closingOnTheClock() async throws {
        var fixture = try DigestFixture()
        let windows = try fixture.windows()
        try await windows.closeDue(now: ms("2026-11-29T14:10:00Z"))  // starts the windows at 14:00Z
        _ = try await fixture.fold(try DigestFixture.pressRelease())
        try await fixture.receiveOutbox(at: ms("2026-11-29T14:20:00Z"))
        #expect(try await windows.closeDue(now: ms("2026-11-29T14:59:00Z")).isEmpty)
        let built = try await windows.closeDue(now: ms("2026-11-29T15:00:00Z"))
        #expect(
            built.map(\.id).sorted() == ["consulate/2026-11-29T14:00:00Z", "governors-office/2026-11-29T14:00:00Z"])
        #expect(built.map(\.itemCount).sorted() == [5, 5])
        #expect(try await windows.closeDue(now: ms("2026-11-29T16:00:00Z")).isEmpty)  // nothing new: nothing to say
        await #expect(try fixture.store.notifier.openItems(audience: "consulate").isEmpty)
    }

    @Test(
        "Windows that closed while the notifier was down are built when it starts, each once; late items are reported in the window that receives them"
    )
    func missedWindowsAcrossARestart() async throws {
        var configuration = DigestConfiguration.builtIn
        configuration.audiences[0].reportEmptyWindows = true
        var fixture = try DigestFixture(configuration: configuration)
        try await fixture.windows().closeDue(now: ms("2026-11-29T14:10:00Z"))
        _ = try await fixture.fold(try DigestFixture.pressRelease())
        try await fixture.receiveOutbox(at: ms("2026-11-29T14:20:00Z"))
        // The notifier goes down at 14:30 and comes back at 17:05: a new DigestWindows over the same file.
        let reopened = try StateStore(path: fixture.store.path!)
        let restarted = DigestWindows(
            store: reopened.notifier, configuration: configuration, renderer: try DigestRenderer(), sinks: [],
            logger: DigestFixture.logger)
        let built = try await restarted.closeDue(now: ms("2026-11-29T17:05:00Z"))
        #expect(
            built.map(\.id) == [
                "consulate/2026-11-29T14:00:00Z", "consulate/2026-11-29T15:00:00Z", "consulate/2026-11-29T16:00:00Z",
                "governors-office/2026-11-29T14:00:00Z",
            ])
        #expect(built.map(\.itemCount) == [5, 0, 0, 5])
        let empty = try DigestCoding.decode(built[1].json)
        // An empty window reported is one short line in each language, not a digest of zeros.
        #expect(
            empty.text["es"]
                == "JUMP · Consulado General de México en Salt Lake City: sin novedades (29 de noviembre de 2026, "
                + "08:00–09:00 MST).\n")
        #expect(
            empty.text["en"]
                == "JUMP · Consulate General of Mexico in Salt Lake City: nothing new (Nov. 29, 2026, 8–9 a.m. MST).\n")
        // The same windows closed again by another process: nothing is built twice.
        #expect(try await fixture.windows().closeDue(now: ms("2026-11-29T17:05:00Z")).isEmpty)
        // A late event (time in 2023) received at 17:10 is reported in the window that received it.
        _ = try await fixture.fold([try DigestFixture.example("expansion-announced")])
        try await fixture.receiveOutbox(at: ms("2026-11-29T17:10:00Z"))
        let late = try await restarted.closeDue(now: ms("2026-11-29T18:00:00Z"))
        #expect(late.map(\.id) == ["consulate/2026-11-29T17:00:00Z", "governors-office/2026-11-29T17:00:00Z"])
        #expect(late.map(\.itemCount) == [1, 1])
    }

    @Test("send-now closes the open window early; the next window starts where it ended")
    func sendNow() async throws {
        var fixture = try DigestFixture()
        let windows = try fixture.windows()
        try await windows.closeDue(now: ms("2026-11-29T14:05:00Z"))
        _ = try await fixture.fold(try DigestFixture.pressRelease())
        try await fixture.receiveOutbox(at: ms("2026-11-29T14:10:00Z"))
        let preview = try await #require(
            try windows.preview(fixture.configuration.audiences[0], now: ms("2026-11-29T14:15:00Z")))
        #expect(preview.itemCount == 5)
        let digest = try #require(
            try await windows.closeNow(fixture.configuration.audiences[0], now: ms("2026-11-29T14:20:00Z")))
        #expect(digest.id == "consulate/2026-11-29T14:00:00Z")
        #expect(digest.windowEnd == ms("2026-11-29T14:20:00Z"))
        await #expect(
            try fixture.store.notifier.windowClosedThrough(audience: "consulate") == ms("2026-11-29T14:20:00Z"))
        #expect(try await windows.closeNow(fixture.configuration.audiences[0], now: ms("2026-11-29T14:30:00Z")) == nil)
    }

    @Test("a window that closes while an item arrives is built again with it: no item is left out")
    func itemArrivesWhileClosing() async throws {
        var fixture = try DigestFixture()
        _ = try await fixture.fold(try DigestFixture.pressRelease())
        let items = try await fixture.store.pendingNotifications(limit: 100).map {
            try NotificationItem(json: $0.item).received(json: String(decoding: $0.item, as: UTF8.self))
        }.filter { $0.audience == "consulate" }
        try #require(items.count >= 2)
        let store = fixture.store
        try await store.notifier.receive(
            topic: "n", partition: 0, items: [items[0]], nextOffset: 1, expected: nil, receivedAt: 10)
        try await store.notifier.startWindows(audience: "consulate", at: 0)
        var builds: [[String]] = []
        let digest = try await store.notifier.closeWindow(audience: "consulate", start: 0, end: 100) { open in
            builds.append(open.map(\.itemID))
            if builds.count == 1 {
                // Arrives after the window's items were read, before the digest is recorded.
                try await store.notifier.receive(
                    topic: "n", partition: 0, items: [items[1]], nextOffset: 2, expected: 1, receivedAt: 20)
            }
            let digest = StoredDigest(
                id: "consulate/0", audience: "consulate", windowStart: 0, windowEnd: 100, builtAt: 100,
                itemCount: open.count, json: "{}")
            return (digest, [])
        }
        #expect(builds == [[items[0].itemID], [items[0].itemID, items[1].itemID]])
        #expect(digest?.itemCount == 2)
        await #expect(try store.notifier.openItems(audience: "consulate").isEmpty, "both items are in the digest")
        await #expect(try store.notifier.windowClosedThrough(audience: "consulate") == 100)
    }

    @Test("A repeated item (the relay crashed after the acknowledgement) is dropped by id")
    func repeatedItems() async throws {
        var fixture = try DigestFixture()
        _ = try await fixture.fold(try DigestFixture.pressRelease())
        let pending = try await fixture.store.pendingNotifications(limit: 100)
        let items = try pending.map {
            try NotificationItem(json: $0.item).received(json: String(decoding: $0.item, as: UTF8.self))
        }
        #expect(
            try await fixture.store.notifier.receive(
                topic: "n", partition: 0, items: items, nextOffset: 7, expected: nil, receivedAt: 1) == 10)
        #expect(
            try await fixture.store.notifier.receive(
                topic: "n", partition: 0, items: items, nextOffset: 14, expected: 7, receivedAt: 2) == 0)
        await #expect(try fixture.store.notifier.openItems(audience: "governors-office").count == 5)
    }
}
