import Foundation
import JumpDigests
import JumpTestSupport
import Testing

@Suite("Digest configuration")
struct ConfigurationTests {
    private func load(_ json: String) throws(DigestConfigurationError) -> DigestConfiguration {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("digests-\(UUID().uuidString).json")
        try? json.write(to: file, atomically: true, encoding: .utf8)
        return try DigestConfiguration.load(path: file.path)
    }

    @Test("The documented example in Deploy/ loads, with e-mail on and the same audiences as the built-in")
    func example() throws {
        let configuration = try DigestConfiguration.load(
            path: packageRoot.appendingPathComponent("Deploy/digests.example.json").path)
        #expect(configuration.audiences.map(\.id) == ["consulate", "governors-office"])
        #expect(configuration.sinks.contains(.email))
        #expect(configuration.glossary["MX-SON"]?["es"] == "Sonora")
        let renderer = try DigestRenderer(glossary: configuration.glossary)
        #expect(renderer.glossary.name("MX-SON", language: .en) == "Sonora")
        #expect(renderer.glossary.name("MX-NLE", language: .es) == "Nuevo León", "the built-in names stay")
        #expect(configuration.audiences.flatMap(\.staff).allSatisfy { $0.email.hasSuffix("@example.org") })
        #expect(DigestConfiguration.builtIn.problems().isEmpty)
        #expect(DigestConfiguration.builtIn.email == nil)
        #expect(
            DigestConfiguration.builtIn.audiences.flatMap(\.staff).allSatisfy { $0.email.hasSuffix("@example.org") })
    }

    @Test(
        "A bad value is refused with the file, the key and what is wrong",
        arguments: [
            (#"{"audiences": []}"#, "audiences: at least one audience is needed"),
            (
                #"{"audiences": [{"id": "x", "name": "X", "languages": ["fr"], "timeZone": "UTC", "schedule": {"everyMinutes": 5}, "routes": [{}]}]}"#,
                #"audiences[0].languages[0]: "fr" is not one of ["es", "en"]"#
            ),
            (
                #"{"audiences": [{"id": "x", "name": "X", "languages": ["en"], "timeZone": "Mars/Olympus", "schedule": {"everyMinutes": 5}, "routes": [{}]}]}"#,
                #"audiences[0].timeZone: "Mars/Olympus" is not an IANA time zone"#
            ),
            (
                #"{"audiences": [{"id": "x", "name": "X", "languages": ["en"], "timeZone": "UTC", "schedule": {"dailyAt": "25:00"}, "routes": [{}]}]}"#,
                #"audiences[0].schedule.dailyAt: "25:00" is not a local time HH:MM"#
            ),
            (
                #"{"audiences": [{"id": "x", "name": "X", "languages": ["en"], "timeZone": "UTC", "schedule": {"everyMinutes": 5}, "routes": [{"types": ["jump.nope"]}]}]}"#,
                #"audiences[0].routes[0].types: "jump.nope" is not an event type"#
            ),
            (
                #"{"audiences": [{"id": "x", "name": "X", "languages": ["en"], "timeZone": "UTC", "schedule": {"everyMinutes": 5}, "routes": [{}], "staff": [{"name": "A", "role": "B", "email": "nobody", "language": "en"}]}]}"#,
                #"audiences[0].staff[0].email: "nobody" is not an e-mail address"#
            ),
            (
                #"{"audiences": [{"id": "x", "name": "X", "languages": ["en"], "timeZone": "UTC", "schedule": {"everyMinutes": 5}, "routes": [{}], "staff": [{"name": "A", "role": "B", "email": "consul@example.org\u202E", "language": "en"}]}]}"#,
                "audiences[0].staff[0].email: \"consul@example.org\u{202E}\" is not an e-mail address: it holds a character outside ASCII"
            ),
            (
                #"{"audiences": [{"id": "x", "name": "X", "languages": ["en"], "timeZone": "UTC", "schedule": {"everyMinutes": 5}, "routes": [{}], "staff": [{"name": "A", "role": "B", "email": "\"a b\"@example.org", "language": "en"}]}]}"#,
                #"audiences[0].staff[0].email: ""a b"@example.org" is not an e-mail address: it has a local part"#
            ),
            (
                #"{"audiences": [{"id": "x", "name": "X", "languages": ["en"], "timeZone": "UTC", "schedule": {"everyMinutes": 5}, "routes": [{}]}], "email": {"from": "relay@example.org\r\nBcc: spy@evil.example", "sendmail": ["/bin/true"]}}"#,
                "email.from: \"relay@example.org\r\nBcc: spy@evil.example\" is not an e-mail address: it holds a control character"
            ),
            (
                #"{"audiences": [{"id": "x", "name": "X", "languages": ["en"], "timeZone": "UTC", "schedule": {"everyMinutes": 5}, "routes": [{}]}], "email": {"from": "relay@exa mple.org", "sendmail": ["/bin/true"]}}"#,
                #"email.from: "relay@exa mple.org" is not an e-mail address: it has a domain"#
            ),
            (
                #"{"audiences": [{"id": "x", "name": "X", "languages": ["en"], "timeZone": "UTC", "schedule": {"everyMinutes": 5}, "routes": [{}]}], "sinks": ["email"]}"#,
                #"sinks: "email" is listed but email is not set"#
            ),
            (
                #"{"audiences": [{"id": "x", "name": "X", "languages": ["en"], "timeZone": "UTC", "schedule": {"everyMinutes": 5}, "routes": [{}]}], "sinks": ["log", "slack"]}"#,
                #"sinks[1]: "slack" is not one of ["log", "jsonl", "topic", "email"]"#
            ),
            (
                #"{"audiences": [{"id": "x", "name": "X", "languages": ["en"], "timeZone": "UTC", "schedule": {"everyMinutes": 5}, "routes": [{}], "maximumItems": 0}]}"#,
                "audiences[0].maximumItems: 0 must be from 1 to 1000"
            ),
            (
                #"{"audiences": [{"id": "x", "name": "X", "languages": ["en"], "timeZone": "UTC", "schedule": {"everyMinutes": 5}, "routes": [{}]}], "glossary": {"US-CA": {"fr": "Californie"}}}"#,
                "glossary.US-CA.fr: must be one of"
            ),
            (#"{"audiences": [{"id": "x"}]}"#, "audiences[0].name: missing"),
            (#"{"audiences": 3}"#, "audiences: expected"),
        ])
    func refusals(json: String, expected: String) {
        do {
            _ = try load(json)
            Issue.record("accepted \(json)")
        } catch {
            #expect(error.description.contains(expected), "\(error.description)")
            #expect(error.description.contains(".json: "))
        }
    }
}

@Suite("Digest configuration keys")
struct ConfigurationKeyTests {
    @Test("An unknown key (a typo) is refused with its path; comment keys are allowed")
    func unknownKeys() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("digests-\(UUID().uuidString).json")
        try #"""
        {"// note": "ok", "audiences": [{"id": "x", "name": "X", "languages": ["en"], "timeZone": "UTC",
         "schedule": {"everyMinutes": 5}, "routes": [{}], "reportEmptyWindow": true}]}
        """#.write(to: file, atomically: true, encoding: .utf8)
        #expect(throws: DigestConfigurationError.self) { try DigestConfiguration.load(path: file.path) }
        do {
            _ = try DigestConfiguration.load(path: file.path)
        } catch {
            #expect(error.description.contains("audiences[0].reportEmptyWindow: unknown key"))
        }
    }
}
