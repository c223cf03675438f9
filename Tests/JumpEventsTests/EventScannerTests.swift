import Foundation
import JumpEvents
import JumpTestSupport
import Testing

/// The scanner is the producer's fast path and, with its typed read, the worker's: it may only say "valid" where the
/// decoder agrees (the same event, field for field), and it must say so for the events systems actually send.
@Suite("EventScanner: the fast path agrees with the decoder")
struct EventScannerTests {
    static let scanner = EventScanner()
    static let decoder = EventDecoder()

    /// Checks one input: a scan that accepts is matched by the decoder; returns whether the scan accepted.
    @discardableResult
    static func agree(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        guard let scanned = scanner.scan(bytes[...]) else { return false }
        do {
            let event = try decoder.decode(bytes)
            #expect(scanned.type == event.type, sourceLocation: sourceLocation)
            #expect(
                String(decoding: bytes[scanned.subject], as: UTF8.self) == event.subject, sourceLocation: sourceLocation
            )
            #expect(String(decoding: bytes[scanned.id], as: UTF8.self) == event.id, sourceLocation: sourceLocation)
            #expect(
                String(decoding: bytes[scanned.source], as: UTF8.self) == event.source, sourceLocation: sourceLocation)
            // The typed fast path (the worker's) reads exactly the event the decoder reads.
            #expect(scanner.decode(bytes[...]) == event, sourceLocation: sourceLocation)
        } catch {
            Issue.record(
                "the scanner accepts what the decoder refuses (\(error)): \(String(decoding: bytes, as: UTF8.self))",
                sourceLocation: sourceLocation)
        }
        return true
    }

    /// A complete event: every attribute the publisher would otherwise fill in is present.
    static let reference =
        #"{"specversion":"1.0","id":"e1","source":"s","type":"jump.initiative.announced","subject":"ini.x","time":"2025-01-01T00:00:00Z","datacontenttype":"application/json","dataschema":"urn:jump:schema:jump.initiative.announced:v1","data":{"initiativeId":"ini.x","title":"Puente","parties":["Utah","Nuevo León"],"announcedOn":"2025-01-01","status":"signed","summary":"Acuerdo"}}"#

    static func jobs(_ jobsSupported: String) -> [UInt8] {
        Array(
            #"{"specversion":"1.0","id":"j1","source":"s","type":"jump.jobs.reported","subject":"jobs.x","time":"2025-01-01T00:00:00Z","datacontenttype":"application/json","dataschema":"urn:jump:schema:jump.jobs.reported:v1","data":{"scope":"x","period":{"year":2022,"quarter":4},"jobsSupported":JOBS,"source":"press"}}"#
                .replacing("JOBS", with: jobsSupported).utf8)
    }

    static func variant(_ replacing: String, with replacement: String) -> [UInt8] {
        precondition(reference.contains(replacing))
        return Array(reference.replacing(replacing, with: replacement).utf8)
    }

    @Test("every generated valid event is scanned, and agrees with the decoder")
    func generatedEvents() {
        var scanned = 0
        for line in EventGenerator(seed: 11).prefix(3_000) where Self.agree(line) { scanned += 1 }
        #expect(scanned == 3_000)
    }

    @Test("every type, with qualifiers and spread over lines, is scanned and read as the decoder reads it")
    func qualifiedAndSpread() {
        var types = Set<JumpEventType>()
        for line in EventGenerator(seed: 13).prefix(400) {
            let text = String(decoding: line, as: UTF8.self)
            let qualified = text.replacing(
                #""data":{"#,
                with:
                    #""data":{"qualifiers":{"/x":{"approximation":"about","basis":"estimated","note":"n"},"/y/z":{}},"#)
            let spread = qualified.replacing(#"",""#, with: "\" ,\n\t\"").replacing(#"":"#, with: "\"\r\n : ")
                .replacing("{", with: " { ").replacing("}", with: " } ")
            #expect(Self.agree(Array(qualified.utf8)), "\(qualified)")
            #expect(Self.agree(Array(spread.utf8)), "\(spread)")
            if let event = try? Self.decoder.decode(Array(qualified.utf8)) {
                #expect(event.qualifiers["/x"]?.approximation == .about)
                types.insert(event.type)
            }
        }
        #expect(types.count == JumpEventType.allCases.count, "\(types)")
    }

    @Test("generated invalid events and the schema's invalid examples are never accepted by the scanner")
    func invalidInputs() throws {
        for line in EventGenerator(seed: 12, invalidRatio: 1).prefix(3_000) { Self.agree(line) }
        let invalid = packageRoot.appendingPathComponent("Schemas/examples/invalid")
        for file in try jsonFiles(in: invalid) { Self.agree(Array(try Data(contentsOf: file))) }
    }

    @Test("the schema's valid examples: what is scanned agrees; complete ones are scanned")
    func validExamples() throws {
        for file in try jsonFiles(in: schemasDirectory.appendingPathComponent("examples/valid")) {
            let bytes = Array(try Data(contentsOf: file))
            let complete = ["datacontenttype", "dataschema", "\"id\"", "\"time\"", "\"source\""].allSatisfy {
                String(decoding: bytes, as: UTF8.self).contains($0)
            }
            let scanned = Self.agree(bytes)
            if complete, !file.lastPathComponent.contains("extension"), !file.lastPathComponent.contains("float") {
                #expect(scanned, "\(file.lastPathComponent) should take the fast path")
            }
        }
    }

    @Test("numbers at the bounds of a count are scanned as the decoder reads them")
    func counts() {
        for jobs in ["0", "-0", "1", "100000000", "99999999"] { #expect(Self.agree(Self.jobs(jobs)), "\(jobs)") }
    }

    @Test("the reference, pretty-printed or with spaces everywhere, is scanned")
    func whiteSpace() throws {
        #expect(Self.agree(Array(Self.reference.utf8)))
        let spaced = Self.reference.replacing(#"",""#, with: "\" ,\n\t\"").replacing(#"":"#, with: "\"\r\n : ")
            .replacing("{", with: " { ")
        #expect(Self.agree(Array(spaced.utf8)))
    }

    /// Inputs the decoder refuses: the scanner must refuse them too.
    static let refused: [(String, [UInt8])] = [
        ("missing closing brace", Array(reference.dropLast().utf8)),
        ("trailing text", Array((reference + "x").utf8)),
        ("two documents", Array((reference + reference).utf8)),
        ("trailing comma", variant(#""Acuerdo"}"#, with: #""Acuerdo",}"#)),
        ("duplicate envelope key", variant(#""source":"s","#, with: #""source":"s","source":"s","#)),
        ("duplicate data key", variant(#""status":"signed","#, with: #""status":"signed","status":"signed","#)),
        ("unknown data key", variant(#""status":"signed","#, with: #""status":"signed","extra":1,"#)),
        ("missing required data key", variant(#""status":"signed","#, with: "")),
        ("wrong type", variant("jump.initiative.announced\",\"subject", with: "jump.initiative.nope\",\"subject")),
        (
            "schema of another type",
            variant("schema:jump.initiative.announced:v1", with: "schema:jump.jobs.reported:v1")
        ),
        ("specversion 2", variant(#""1.0""#, with: #""2.0""#)),
        ("content type", variant("application/json", with: "text/plain")),
        ("subject not an identifier", variant(#""ini.x","time""#, with: #""Ini X","time""#)),
        ("time not RFC 3339", variant("2025-01-01T00:00:00Z", with: "2025-01-01 00:00:00")),
        ("leap second not at 23:59 UTC", variant("2025-01-01T00:00:00Z", with: "2025-01-01T00:00:60Z")),
        ("impossible date", variant(#""announcedOn":"2025-01-01""#, with: #""announcedOn":"2025-02-30""#)),
        ("status not one of the values", variant(#""signed""#, with: #""Signed""#)),
        ("empty parties", variant(#"["Utah","Nuevo León"]"#, with: "[]")),
        ("parties repeat", variant(#"["Utah","Nuevo León"]"#, with: #"["Utah","Utah"]"#)),
        (
            "parties repeat, canonically equivalent",
            variant(#"["Utah","Nuevo León"]"#, with: "[\"Le\u{F3}n\",\"Leo\u{301}n\"]")
        ),
        ("a party is a number", variant(#"["Utah","Nuevo León"]"#, with: #"["Utah",5]"#)),
        ("title too long", variant(#""Puente""#, with: "\"" + String(repeating: "é", count: 201) + "\"")),
        ("empty title", variant(#""Puente""#, with: #""""#)),
        ("control character", variant("Puente", with: "Pu\u{01}ente")),
        ("invalid UTF-8", Array(reference.utf8).replacing(Array("Puente".utf8), with: [0x50, 0xC3, 0x28])),
        ("encoded surrogate", Array(reference.utf8).replacing(Array("Puente".utf8), with: [0x50, 0xED, 0xA0, 0x80])),
        ("overlong encoding", Array(reference.utf8).replacing(Array("Puente".utf8), with: [0x50, 0xC0, 0xAF])),
        ("truncated sequence at the end", Array(reference.utf8.dropLast(3)) + [0xE2, 0x82]),
        ("data not an object", variant(#""data":{"#, with: #""data":[{"#)),
        ("a NUL byte", Array(reference.utf8) + [0]),
        ("a bare word", variant("\"signed\"", with: "signed")),
        ("jobs 1e-400", jobs("1e-400")),
        ("jobs with a leading zero", jobs("05")),
        ("jobs -1", jobs("-1")),
        ("jobs over the maximum", jobs("100000001")),
        ("jobs of 19 digits", jobs("1000000000000000000")),
        ("jobs of 30 digits", jobs("100000000000000000000000000000")),
        ("jobs a string", jobs("\"5\"")),
        ("jobs a minus alone", jobs("-")),
    ]

    @Test("inputs the decoder refuses are refused by the scanner", arguments: 0..<refused.count)
    func refusals(_ index: Int) {
        let (name, bytes) = Self.refused[index]
        #expect((try? Self.decoder.decode(bytes)) == nil, "\(name): the decoder should refuse it")
        #expect(Self.scanner.scan(bytes[...]) == nil, "\(name)")
    }

    /// Valid inputs the scanner leaves to the decoder: whatever the scanner says, the decoder accepts them.
    static let unusual: [(String, [UInt8])] = [
        ("an escape in a string", variant("Puente", with: #"Pu\u00e9nte"#)),
        ("a whole number written 1.0", jobs("5.0")),
        ("a whole number written 5e0", jobs("5e0")),
        (
            "data before type",
            variant(#""type":"jump.initiative.announced","#, with: "").replacing(
                Array(#""data":"#.utf8), with: Array(#""type":"jump.initiative.announced","data":"#.utf8))
        ),
        ("an extension attribute", variant(#""source":"s","#, with: #""source":"s","traceparent":"00","#)),
        ("no dataschema", variant(#""dataschema":"urn:jump:schema:jump.initiative.announced:v1","#, with: "")),
    ]

    @Test("unusual but valid events are decoded, not scanned wrongly", arguments: 0..<unusual.count)
    func unusualEvents(_ index: Int) {
        let (name, bytes) = Self.unusual[index]
        #expect((try? Self.decoder.decode(bytes)) != nil, "\(name): the decoder should accept it")
        Self.agree(bytes)
    }

    @Test("limits smaller than the defaults are respected")
    func limits() {
        var limits = JSONLimits()
        limits.maximumStringBytes = 4
        #expect(EventScanner(limits: limits).scan(Array(Self.reference.utf8)[...]) == nil)
        limits = JSONLimits()
        limits.maximumBytes = 100
        #expect(EventScanner(limits: limits).scan(Array(Self.reference.utf8)[...]) == nil)
        limits = JSONLimits()
        limits.maximumDepth = 2
        #expect(EventScanner(limits: limits).scan(Array(Self.reference.utf8)[...]) == nil)
    }
}
