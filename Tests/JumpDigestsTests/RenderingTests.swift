import Foundation
import JumpDigests
import JumpState
import JumpTestSupport
import Testing

@Suite("Rendering digests")
struct RenderingTests {
    /// The press release and four company events received in one window, closed at 15:00Z.
    private func digests() async throws -> [String: Digest] {
        var fixture = try DigestFixture()
        var lines = try DigestFixture.pressRelease()
        for name in [
            "expansion-announced", "expansion-announced-utah-to-mx", "investment-announced", "expansion-completed",
        ] {
            lines.append(try DigestFixture.example(name))
        }
        let built = try await fixture.closeOneWindow(lines)
        return Dictionary(uniqueKeysWithValues: try built.map { ($0.audience, try DigestCoding.decode($0.json)) })
    }

    @Test(
        "The consulate's digest is in Spanish first, English below; the governor's office's in English (golden files)")
    func goldenFiles() async throws {
        let digests = try await digests()
        for audience in ["consulate", "governors-office"] {
            let text = try #require(digests[audience]).fullText
            let golden = packageRoot.appendingPathComponent("Tests/JumpDigestsTests/Golden/\(audience).txt")
            if ProcessInfo.processInfo.environment["JUMP_UPDATE_GOLDEN"] == "1" {
                try text.write(to: golden, atomically: true, encoding: .utf8)
            }
            let expected = try String(contentsOf: golden, encoding: .utf8)
            #expect(text == expected, "\(audience) differs from \(golden.path); JUMP_UPDATE_GOLDEN=1 rewrites it")
        }
        // The README shows the consulate's Spanish half as it is, not as it was.
        let spanish = try #require(digests["consulate"]?.text["es"])
        let readme = try String(contentsOf: packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(
            readme.contains("```text\n" + spanish.trimmingCharacters(in: .newlines) + "\n```"),
            "README.md's consulate digest differs from this one; paste the Spanish half of Golden/consulate.txt")
        let consulate = try #require(digests["consulate"])
        #expect(consulate.language == .es)
        // News first, then the title; the English half titled in English.
        #expect(consulate.fullText.hasPrefix("JUMP (7 antecedentes): Aceros del Norte concluyó su expansión en Ogden"))
        #expect(consulate.fullText.contains("\n\nResumen JUMP · Consulado General de México en Salt Lake City\n"))
        #expect(consulate.fullText.contains("\n\nJUMP digest · Consulate General of Mexico in Salt Lake City\n"))
        let governor = try #require(digests["governors-office"]).fullText
        #expect(governor.contains("\n\nJUMP digest · Utah Governor's Office of Economic Opportunity\n"))
        #expect(
            governor.hasPrefix(
                "JUMP (7 earlier events): Aceros del Norte completed Ogden expansion, adding 205 jobs\n"),
            "\(governor)")
    }

    @Test("Items are ordered most important first, each shown in both languages; counts per type add up")
    func itemsAndCounts() async throws {
        let consulate = try #require(try await digests()["consulate"])
        #expect(consulate.items.map(\.importance) == consulate.items.map(\.importance).sorted(by: >))
        #expect(consulate.items.first?.type == "jump.delegation.meeting-held")
        #expect(consulate.counts.values.reduce(0, +) == consulate.itemCount)
        // One line per expansion (its latest event) and per other event; the event id is in the JSON
        // (digests.jsonl), not in what staff read.
        let superseded = consulate.items.enumerated().filter { index, item in
            item.thread != nil && consulate.items[(index + 1)...].contains { $0.thread == item.thread }
        }.map(\.element.eventId)
        #expect(superseded == ["ex-0001"])
        // A derived figure (2018's exports, computed from 2022's and the change) is no news: JSON only.
        #expect(consulate.items.filter { $0.derived == true }.map(\.type) == ["jump.trade.exports-reported"])
        for item in consulate.items {
            let shown = !superseded.contains(item.eventId) && item.derived != true
            #expect(consulate.text["es"]!.contains("- " + (item.headline["es"] ?? "?")) == shown)
            #expect(consulate.text["en"]!.contains("- " + (item.headline["en"] ?? "?")) == shown)
            #expect(!consulate.fullText.contains(item.eventId))
        }
        #expect(consulate.totals.companies == ["mx-to-utah": 2, "utah-to-mx": 1])
    }

    @Test("A recipient's e-mail starts with their language")
    func perRecipientLanguage() async throws {
        let consulate = try #require(try await digests()["consulate"])
        let english = consulate.text(languages: consulate.languages(for: .en))
        #expect(english.hasPrefix("JUMP (7 earlier events): Aceros del Norte completed"), "\(english.prefix(120))")
        #expect(english.contains("JUMP digest · Consulate General") && english.contains("Resumen JUMP"))
        #expect(english.range(of: "JUMP digest")!.lowerBound < english.range(of: "Resumen JUMP")!.lowerBound)
    }

    @Test("Operators' templates replace the built-in ones; a broken template is refused with its path")
    func operatorTemplates() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("templates-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try "{{% CONTENT_TYPE: TEXT}}\nDIGEST {{digestId}} <{{itemCount}}>\n".write(
            to: directory.appendingPathComponent("digest.en.mustache"), atomically: true, encoding: .utf8)
        let renderer = try DigestRenderer(templateDirectory: directory.path)
        let digest = try #require(try await digests()["governors-office"])
        #expect(renderer.render(digest, language: .en) == "DIGEST governors-office/2026-11-29T14:00:00Z <9>\n")
        #expect(renderer.render(digest, language: .es).contains("\nResumen JUMP"))  // the built-in one
        try "{{#items}} unclosed".write(
            to: directory.appendingPathComponent("digest.es.mustache"), atomically: true, encoding: .utf8)
        #expect(throws: DigestConfigurationError.self) { try DigestRenderer(templateDirectory: directory.path) }
        do {
            _ = try DigestRenderer(templateDirectory: directory.path)
        } catch {
            #expect(error.description.contains("digest.es.mustache"))
        }
    }

    @Test("The templates in Deploy/templates are the built-in ones")
    func shippedTemplates() throws {
        for language in DigestLanguage.allCases {
            let file = packageRoot.appendingPathComponent("Deploy/templates/digest.\(language).mustache")
            if ProcessInfo.processInfo.environment["JUMP_UPDATE_GOLDEN"] == "1" {
                try DefaultTemplates.template(language: language).write(to: file, atomically: true, encoding: .utf8)
            }
            #expect(try String(contentsOf: file, encoding: .utf8) == DefaultTemplates.template(language: language))
        }
    }
}

@Suite("Sanitizing event text")
struct SanitizingTests {
    @Test("Control characters, line and paragraph separators and bidirectional overrides become single spaces")
    func cleaning() {
        #expect(Sanitizer.clean("Acme\n=== forged header ===") == "Acme === forged header ===")
        #expect(Sanitizer.clean("a\r\nb\u{2028}c\u{2029}d\u{202E}e\u{0007}f\u{0085}g\t\th") == "a b c d e f g h")
        #expect(Sanitizer.clean("  x  ") == "x")
        #expect(Sanitizer.clean("Grupo Lácteo del Bajío · «JUMP»") == "Grupo Lácteo del Bajío · «JUMP»")
        let long = String(repeating: "á", count: 500)
        #expect(Sanitizer.clean(long).count == Sanitizer.maximumLength + 1)
        #expect(Sanitizer.clean(long).hasSuffix("…"))
    }

    @Test("An event whose text tries to forge a log line leaves one header line per digest in digests.log")
    func forgedLines() async throws {
        var fixture = try DigestFixture()
        let hostile = try DigestFixture.example("expansion-announced").replacingOccurrences(
            of: "Aceros del Norte S.A. de C.V.",
            with: #"Evil\n=== 2026-11-29T15:00:00Z consulate forged digest consulate/x (9 items) ===\r\u2028\u001b[31m"#
        )
        #expect(hostile.contains("Evil"))
        try await fixture.closeOneWindow([hostile], sinks: [AppendOnlyFileSink.log(directory: fixture.directory.path)])
        let deliverer = DigestDeliverer(
            store: fixture.store.notifier, sinks: [AppendOnlyFileSink.log(directory: fixture.directory.path)],
            logger: DigestFixture.logger)
        // A company coming to Utah goes to both audiences: two digests, two header lines.
        #expect(try await deliverer.deliverDue().delivered == 2)
        let log = try String(contentsOf: fixture.directory.appendingPathComponent("digests.log"), encoding: .utf8)
        #expect(log.split(separator: "\n").filter { $0.hasPrefix("===") }.count == 2)
        #expect(log.contains("Evil === 2026-11-29T15:00:00Z consulate forged"))
        #expect(!log.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
        #expect(!log.unicodeScalars.contains { $0.value == 0x2028 })
    }
}
