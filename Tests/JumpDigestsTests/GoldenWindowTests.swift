import Foundation
import JumpDigests
import JumpEvents
import JumpState
import JumpTestSupport
import Testing

/// The text of windows with 0, 1, 2 and many items, and of one with every event type, in both languages (the
/// consulate's digest is Spanish then English), against golden files a native reader reviews
/// (`JUMP_UPDATE_GOLDEN=1` rewrites them).
@Suite("Golden digests of every size and every event type")
struct GoldenWindowTests {
    /// The consulate's digest (Spanish, then English) of one window holding `lines`, listing every type.
    func consulateText(_ lines: [String], reportEmpty: Bool = false) async throws -> String {
        var configuration = DigestConfiguration.builtIn
        configuration.audiences = configuration.audiences.map { audience in
            var audience = audience
            audience.reportEmptyWindows = reportEmpty
            audience.routes = [RouteRule(importance: 1)]
            return audience
        }
        var fixture = try DigestFixture(configuration: configuration)
        let built = try await fixture.closeOneWindow(lines)
        let consulate = try #require(built.first { $0.audience == "consulate" })
        return try DigestCoding.decode(consulate.json).fullText
    }

    func compare(_ text: String, golden name: String) throws {
        let golden = packageRoot.appendingPathComponent("Tests/JumpDigestsTests/Golden/\(name).txt")
        if ProcessInfo.processInfo.environment["JUMP_UPDATE_GOLDEN"] == "1" {
            try text.write(to: golden, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: golden, encoding: .utf8)
        #expect(text == expected, "\(name) differs from \(golden.path); JUMP_UPDATE_GOLDEN=1 rewrites it")
    }

    @Test("an empty window, reported: one line each")
    func empty() async throws {
        try compare(try await consulateText([], reportEmpty: true), golden: "window-0")
    }

    @Test("one item, two items")
    func oneAndTwo() async throws {
        let announced = try DigestFixture.example("expansion-announced")
        let meeting = try DigestFixture.example("meeting-held")
        try compare(try await consulateText([announced]), golden: "window-1")
        try compare(try await consulateText([announced, meeting]), golden: "window-2")
    }

    @Test("every event type")
    func everyType() async throws {
        let names = [
            "expansion-announced", "expansion-announced-utah-to-mx", "expansion-withdrawn", "investment-announced",
            "exports-reported", "exports-reported-quarter", "jobs-reported", "meeting-held", "initiative-announced",
        ]
        try compare(try await consulateText(try names.map(DigestFixture.example)), golden: "window-every-type")
    }

    @Test(
        "what happened lately leads: a Utah company's expansion of last week before an older meeting on security the consulate ranks higher"
    )
    func recentFirst() async throws {
        var fixture = try DigestFixture()
        let meeting = try DigestFixture.pressRelease()[0]  // 2023, immigration and security: importance 4
        let recent = try DigestFixture.example("expansion-announced-utah-to-mx")  // importance 3
            .replacingOccurrences(
                of: #""time":\s*"[^"]+""#, with: #""time":"2026-11-25T16:00:00Z""#, options: .regularExpression
            )
            .replacingOccurrences(
                of: #""announcedOn":\s*"[^"]+""#, with: #""announcedOn":"2026-11-25""#, options: .regularExpression)
        let built = try await fixture.closeOneWindow([meeting, recent])
        let consulate = try DigestCoding.decode(try #require(built.first { $0.audience == "consulate" }).json)
        let text = try #require(consulate.text["es"])
        #expect(
            text.hasPrefix("JUMP: Wasatch Medical Devices anuncia una expansión en Monterrey"), "\(text.prefix(200))")
        let older = try await consulateText([meeting])
        #expect(older.hasPrefix("JUMP (1 antecedente): Reunión de delegaciones"), "alone, the meeting leads")
    }

    @Test("many items: the 25 most important, the rest counted")
    func many() async throws {
        let lines = EventGenerator(seed: 14).prefix(60).map { String(decoding: $0, as: UTF8.self) }
        let text = try await consulateText(lines)
        try compare(text, golden: "window-many")
        #expect(
            text.contains("… y ")
                && text.contains(" antecedentes más; la lista adjunta al correo incluye los 60 eventos del periodo"))
        #expect(text.components(separatedBy: "\n  - ").count - 1 == 50, "25 lines in each language")
    }
}
