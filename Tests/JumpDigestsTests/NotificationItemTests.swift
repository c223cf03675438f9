import Foundation
import JumpDigests
import JumpEvents
import JumpState
import JumpTestSupport
import Testing

@Suite("Notification items, version 2: what a digest shows of the event, and its source's address")
struct NotificationItemTests {
    /// An example event with its CloudEvents `source` and, for a figure, its data's `source` replaced.
    static func example(_ name: String, source: String? = nil, figureSource: String? = nil) throws -> String {
        var line = try DigestFixture.example(name)
        if let source {
            line = line.replacingOccurrences(of: #""source":"urn:jump:example""#, with: #""source":"\#(source)""#)
        }
        if let figureSource {
            line = line.replacingOccurrences(
                of: #""source":"Mexican Foreign Ministry press release""#, with: #""source":"\#(figureSource)""#)
        }
        return line
    }

    static let census = "https://www.census.gov/foreign-trade/statistics/state/data/ut.html"
    static let release = "https://www.gob.mx/sre/prensa/mexico-y-utah-fortalecen-su-relacion"

    /// The press release, 300 generated events and three with addresses for sources, folded as a worker does.
    static func items() async throws -> (lines: [String], items: [OutboxNotification]) {
        var fixture = try DigestFixture()
        var lines = try DigestFixture.pressRelease()
        lines += EventGenerator(seed: 3).prefix(300).map { String(decoding: $0, as: UTF8.self) }
        lines.append(try example("exports-reported", source: release, figureSource: census))
        lines.append(try example("meeting-held", source: release))
        lines.append(
            try example("exports-reported", source: release).replacingOccurrences(
                of: #""id":"ex-0007""#, with: #""id":"ex-0007-named""#))
        lines.append(try example("investment-announced", source: "urn:jump:example"))
        return (lines, try await fixture.fold(lines, prepared: true))
    }

    @Test(
        "Every item the worker writes is valid for Python's jsonschema against version 2, and leaves the envelope out")
    func validAgainstTheSchema() async throws {
        let (_, items) = try await Self.items()
        #expect(items.count > 300)
        let texts = items.map { String(decoding: $0.item, as: UTF8.self) }
        #expect(texts.allSatisfy { !$0.contains(#""specversion""#) && !$0.contains(#""dataschema""#) })
        #expect(texts.filter { $0.contains(#""link":"\#(Self.census)""#) }.count == 2)
        #expect(texts.filter { $0.contains(#""link":"\#(Self.release)""#) }.count >= 1)
        let verdicts = try await validate(texts, schema: "urn:jump:schema:notification-item:v2")
        #expect(verdicts.count == texts.count)
        #expect(verdicts.allSatisfy { $0 }, "\(texts.indices.filter { !verdicts[$0] }.prefix(3).map { texts[$0] })")
    }

    @Test(
        "A version 1 item (the whole event, as workers before 0.12 wrote it) still reads as the same event and link; each schema refuses the other's"
    )
    func versionOneStillRead() async throws {
        let (lines, items) = try await Self.items()
        var versionOne: [String] = []
        for notification in items {
            let item = try NotificationItem(json: notification.item)
            let text = String(decoding: notification.item, as: UTF8.self)
            let line = try #require(lines.first { $0.contains(#""id":"\#(item.event.id)""#) })
            let head = try #require(text.range(of: #","event":{"id":"#)).lowerBound
            let withoutLink = text[..<head].replacingOccurrences(
                of: #","link":"[^"]*""#, with: "", options: .regularExpression)
            let old = withoutLink + #","event":"# + line + "}"
            versionOne.append(old)
            let read = try NotificationItem(json: Array(old.utf8))
            #expect(read.event.payload == item.event.payload && read.event.id == item.event.id)
            #expect(read.event.subject == item.event.subject && read.event.time == item.event.time)
            #expect(read.link == item.link && read.totalsJSON == item.totalsJSON && read.id == item.id)
            #expect(read.facts.companyName == item.facts.companyName && read.facts.city == item.facts.city)
        }
        #expect(versionOne.contains { $0.contains(Self.census) })
        let texts = items.map { String(decoding: $0.item, as: UTF8.self) }
        let sample = Array(versionOne.prefix(20)) + Array(texts.prefix(20))
        let asOne = try await validate(sample, schema: "urn:jump:schema:notification-item:v1")
        let asTwo = try await validate(sample, schema: "urn:jump:schema:notification-item:v2")
        #expect(asOne == Array(repeating: true, count: 20) + Array(repeating: false, count: 20))
        #expect(asTwo == Array(repeating: false, count: 20) + Array(repeating: true, count: 20))
    }

    @Test("The source's address ends the headline in each language: a figure's own source first, else the event's")
    func linkInTheHeadline() async throws {
        let (_, items) = try await Self.items()
        let read = try items.map { try NotificationItem(json: $0.item) }
        let exports = try #require(read.first { $0.link == Self.census })
        #expect(DigestText.headline(exports, language: .es).hasSuffix(" (fuente: \(Self.census))"))
        #expect(DigestText.headline(exports, language: .en).hasSuffix(" (source: \(Self.census))"))
        let meeting = try #require(read.first { $0.event.type == .meetingHeld && $0.link != nil })
        #expect(meeting.link == Self.release)
        #expect(DigestText.headline(meeting, language: .en).hasSuffix("; source: \(Self.release))"))
        // A URN is not an address: no link, and no source in the headline of an investment.
        let investment = try #require(read.first { $0.event.id == "ex-0006" })
        #expect(investment.link == nil)
        #expect(!DigestText.headline(investment, language: .es).contains("fuente:"))
        // A figure whose source is named and whose event comes from an address: one `source:`, the address beside it.
        let named = try #require(read.first { $0.event.id == "ex-0007-named" })
        #expect(
            DigestText.headline(named, language: .en).hasSuffix(
                "(source: Mexico's Foreign Ministry news release, \(Self.release))"),
            "\(DigestText.headline(named, language: .en))")
    }

    @Test(
        "What is not an http(s) address is no link: the writer leaves it out, and an item that claims one is refused",
        arguments: [
            "http://", "https:///path", "https://a b", "javascript:alert(1)", "ftp://example.org/x", "urn:jump:x",
            "https://example.org/\u{1B}[2J", "https://" + String(repeating: "a", count: 250),
            "https://www.census.gov@evil.example/", "https://ex\u{202E}ample.org", "https://example.org/\u{9B}x",
            "https://bücher.example", "https://example.org/\u{FEFF}", "https://?q", "https://#top",
        ])
    func notALink(_ text: String) throws {
        #expect(!SourceLink.isLink(text))
        func item(link: String) -> [UInt8] {
            let text =
                #"{"id":"consulate:ex-0009","audience":"consulate","importance":1,"#
                + #""origin":{"topic":"jump.events","partition":0,"offset":0},"facts":{},"link":"#
                + JSONWriter.string(.string(link))
                + #","event":{"id":"ex-0009","type":"jump.jobs.reported","subject":"jobs.mexico-utah-trade","#
                + #""time":"2025-03-04T16:30:00Z","data":{"scope":"mexico-utah-trade","period":{"year":2022},"#
                + #""jobsSupported":51000,"source":"Mexican Foreign Ministry press release"}}}"#
            return Array(text.utf8)
        }
        // The same item with an address reads; with this text it is refused for its link.
        #expect(
            try NotificationItem(json: item(link: "HTTPS://example.org/a?b=c#d")).link == "HTTPS://example.org/a?b=c#d")
        let error = #expect(throws: NotificationItemError.self) { try NotificationItem(json: item(link: text)) }
        #expect(error?.reason == "link: not an http(s) address")
    }

    /// jsonschema's verdict on each text, in order.
    private func validate(_ texts: [String], schema: String) async throws -> [Bool] {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("items-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: file) }
        try texts.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        let validation = try await runCommand(
            "python3",
            [
                packageRoot.appendingPathComponent("Tests/Conformance/validate_events.py").path,
                packageRoot.appendingPathComponent("Schemas").path, "--schema", schema, "--jsonl", file.path,
            ])
        #expect(validation.status == 0, "\(validation.stderr)")
        return try validation.stdout.split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return object?["valid"] as? Bool ?? false
        }
    }
}
