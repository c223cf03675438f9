import Foundation
import JumpDigests
import JumpEvents
import JumpState
import Testing

@Suite("Routing events to audiences")
struct RoutingTests {
    /// The audiences and importance of the items an event produced.
    private func routes(_ notifications: [OutboxNotification]) throws -> [String: Int] {
        var result: [String: Int] = [:]
        for notification in notifications {
            let item = try NotificationItem(json: notification.item)
            result[item.audience] = item.importance
        }
        return result
    }

    @Test(
        "Company expansions and investments go to both audiences in both directions: into Utah first (the governor's office's core mandate, the consulate's Mexican companies), then into Mexico"
    )
    func directions() async throws {
        var fixture = try DigestFixture()
        let mexicoToUtah = try await fixture.fold([DigestFixture.example("expansion-announced")])
        #expect(try routes(mexicoToUtah) == ["consulate": 4, "governors-office": 4])
        let utahToMexico = try await fixture.fold([DigestFixture.example("expansion-announced-utah-to-mx")])
        #expect(try routes(utahToMexico) == ["consulate": 3, "governors-office": 3])
        let investment = try await fixture.fold([DigestFixture.example("investment-announced")])
        #expect(try routes(investment) == ["consulate": 4, "governors-office": 4])
    }

    @Test("A completion is routed by the direction of the expansion it completes, and names its company and city")
    func completionUsesState() async throws {
        var fixture = try DigestFixture()
        _ = try await fixture.fold([DigestFixture.example("expansion-announced")])
        let items = try await fixture.fold([DigestFixture.example("expansion-completed")])
        #expect(try routes(items) == ["consulate": 4, "governors-office": 4])
        let item = try NotificationItem(json: items[0].item)
        #expect(item.facts.direction == .mexicoToUtah)
        #expect(item.facts.companyName == "Aceros del Norte S.A. de C.V.")
        #expect(item.facts.city == "Ogden")
        #expect(
            DigestText.headline(item, language: .es).hasPrefix(
                "Aceros del Norte S.A. de C.V. concluyó el 15 de enero de 2026 su expansión en Ogden, Utah"))
    }

    @Test(
        "Exports and jobs go to both (the figures each digest counts); meetings and initiatives to both, immigration and security first for the consulate"
    )
    func pressRelease() async throws {
        var fixture = try DigestFixture()
        let lines = try DigestFixture.pressRelease()
        // The meeting was on immigration and security.
        let meeting = try await fixture.fold([lines[0]])
        #expect(try routes(meeting) == ["consulate": 4, "governors-office": 2])
        let initiative = try await fixture.fold([lines[1]])
        #expect(try routes(initiative) == ["consulate": 2, "governors-office": 2])
        let exports = try await fixture.fold([lines[2]])
        #expect(try routes(exports) == ["consulate": 1, "governors-office": 2])
        let jobs = try await fixture.fold([lines[4]])
        #expect(try routes(jobs) == ["consulate": 1, "governors-office": 2])
        let economicOnly = lines[0].replacingOccurrences(
            of: #""topics":["economic","immigration","security"]"#, with: #""topics":["economic"]"#)
        #expect(economicOnly != lines[0])
        let anotherMeeting = economicOnly.replacingOccurrences(
            of: #""id":"c-[0-9a-f]{32}""#, with: #""id":"another-meeting""#, options: .regularExpression)
        let another = try await fixture.fold([anotherMeeting])
        #expect(try routes(another) == ["consulate": 2, "governors-office": 2])
    }

    @Test(
        "The items of a partition's last event in a batch carry the partition's totals after the batch, the others none; every item what a digest shows of its event, its data as consumed"
    )
    func itemsCarryTotals() async throws {
        var fixture = try DigestFixture()
        let lines = try DigestFixture.pressRelease()
        let items = try await fixture.fold(lines, partition: 3)
        #expect(items.count == 10)
        let last = try NotificationItem(json: items.last!.item)
        let totals = try JSONDecoder().decode(PartitionTotals.self, from: Data(try #require(last.totalsJSON).utf8))
        let read = try items.map { try NotificationItem(json: $0.item) }
        let lastEvent = read.filter { $0.event.id == last.event.id }
        #expect(lastEvent.count == 2 && lastEvent.allSatisfy { $0.totalsJSON == last.totalsJSON })
        #expect(read.filter { $0.event.id != last.event.id }.allSatisfy { $0.totalsJSON == nil })
        #expect(
            totals.exports.map {
                [$0.series, $0.period, "\($0.value)", $0.previousPeriod, $0.previousValue.map(String.init)]
            }
                == [["US-UT→MX", "2022", "110000000000", "2018", "73825503356"]])
        // The totals keep how the release states each figure, so every later window still reads "about".
        #expect(totals.exports.first?.stated?.value?.approximation == .about)
        #expect(totals.exports.first?.previousStated?.value?.basis == .derived)
        #expect(totals.jobs.map(\.value) == [51_000])
        #expect(totals.jobs.first?.stated?.value?.approximation == .moreThan)
        #expect(totals.jobs.first?.stated?.period?.basis == .notStated)
        #expect(totals.meetings == 1 && totals.initiatives == 1)
        #expect(last.originPartition == 3 && last.originTopic == "jump.events")
        // The event's data as it was consumed, and of its envelope only what a digest shows.
        let dataStart = try #require(lines[4].range(of: #""data":"#)).upperBound
        let dataEnd = try #require(lines[4].range(of: #"},"id":""#, range: dataStart..<lines[4].endIndex)).lowerBound
        let data = lines[4][dataStart...dataEnd]
        #expect(data.hasPrefix("{") && lines[4].contains(#""specversion""#) && lines[4].contains(#""assumptions""#))
        let shown =
            #","event":{"id":"\#(last.event.id)","type":"jump.jobs.reported","subject":"jobs.mexico-utah-trade","#
            + #""time":"2023-11-08T18:00:00Z","data":\#(data)}}"#
        #expect(String(decoding: items.last!.item, as: UTF8.self).hasSuffix(shown))
    }

    @Test(
        "A window after the press release's still shows its figures as stated: about $1.1 billion, more than 51,000 (year not stated), never as exact"
    )
    func statedFiguresLastBeyondTheirWindow() async throws {
        var fixture = try DigestFixture()
        try await fixture.closeOneWindow(try DigestFixture.pressRelease())
        let windows = try fixture.windows()
        _ = try await fixture.fold([try DigestFixture.example("meeting-held")])
        try await fixture.receiveOutbox(at: ms("2026-11-29T15:20:00Z"))
        let later = try await windows.closeDue(now: ms("2026-11-29T16:00:00Z"))
        let governors = try DigestCoding.decode(try #require(later.first { $0.audience == "governors-office" }).json)
        let text = try #require(governors.text["en"])
        #expect(!text.contains("Export figure"), "the meeting's window holds no export report: \(text)")
        #expect(text.contains("Exports from Utah to Mexico: about $1.1 billion in 2022"), "\(text)")
        #expect(text.contains("Jobs supported by Mexico-Utah trade: more than 51,000 (year not stated"), "\(text)")
    }

    @Test(
        "Items composed before the transaction (as a worker prepares them) are byte for byte the items composed inside it, hostile names included"
    )
    func preparedItemsAreTheSame() async throws {
        var lines = EventGenerator(seed: 5).prefix(400).map { String(decoding: $0, as: UTF8.self) }
        let hostile = try #require(lines.first { $0.contains("expansion-announced") })
        lines.append(
            hostile.replacingOccurrences(of: #""name":""#, with: #""name":"<b>\"Q\" \\ \u202E ñ</b> "#)
                .replacingOccurrences(of: #""id":"gen-"#, with: #""id":"hostile-"#))
        var inside = try DigestFixture()
        var before = try DigestFixture()
        let composedInside = try await inside.fold(lines, partition: 2)
        let composedBefore = try await before.fold(lines, partition: 2, prepared: true)
        #expect(composedInside.count > lines.count / 2)
        #expect(composedInside.map(\.item) == composedBefore.map(\.item))
        #expect(composedInside.map(\.audience) == composedBefore.map(\.audience))
        // Both paths ran: completions and withdrawals are composed inside, the rest before.
        #expect(
            lines.contains { $0.contains("expansion-completed") }
                && lines.contains { $0.contains("expansion-withdrawn") })
        #expect(composedBefore.contains { String(decoding: $0.item, as: UTF8.self).contains(#"\"Q\" \\"#) })
    }

    @Test("A configured rule can narrow an audience to one type, direction or topic")
    func customRules() throws {
        let rule = RouteRule(types: ["jump.delegation.meeting-held"], topics: ["water"], importance: 5)
        let router = DigestRouter(
            audiences: [
                Audience(
                    id: "water-desk", name: "Water", languages: [.en], timeZone: "UTC", schedule: .every(minutes: 5),
                    staff: [], routes: [rule])
            ])
        let lines = try DigestFixture.pressRelease()
        let meeting = try EventDecoder().decode(Array(lines[0].utf8))
        #expect(router.routes(for: NotificationFacts(event: meeting)).isEmpty)
        let water = try EventDecoder().decode(
            Array(lines[0].replacingOccurrences(of: #""economic","immigration","security""#, with: #""water""#).utf8))
        #expect(
            router.routes(for: NotificationFacts(event: water)) == [
                NotificationRoute(audience: "water-desk", importance: 5)
            ])
    }
}
