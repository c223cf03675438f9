import JumpEvents
import JumpPublishing
import Testing

/// What `prepare` hands to Kafka, on the scanner's fast path and on the decoder's path.
@Suite("EventPublisher prepares each event once, as given when it can")
struct EventPublisherTests {
    let publisher: EventPublisher = {
        var publisher = EventPublisher(topic: "jump.events", source: "urn:test")
        publisher.now = { "2026-12-01T00:00:00Z" }
        return publisher
    }()

    static let complete =
        #"{"specversion":"1.0","id":"j1","source":"s","type":"jump.jobs.reported","subject":"jobs.x","time":"2025-01-01T00:00:00Z","datacontenttype":"application/json","dataschema":"urn:jump:schema:jump.jobs.reported:v1","data":{"scope":"x","period":{"year":2022},"jobsSupported":5,"source":"press"}}"#

    func record(_ text: String, line: Int = 1) -> EventRecord {
        // Inside a larger buffer, as the splitter gives records: offsets must count from the slice.
        let buffer = Array(("xx\n" + text + "\nyy").utf8)
        return EventRecord(origin: "in.jsonl", line: line, bytes: buffer[3..<3 + text.utf8.count])
    }

    @Test("a complete event is sent byte for byte, keyed by its subject, with its id")
    func complete() throws {
        let record = record(Self.complete)
        let prepared = try publisher.prepare(record)
        #expect(Array(prepared.value) == Array(record.bytes))
        #expect(String(decoding: prepared.key, as: UTF8.self) == "jobs.x")
        #expect(prepared.eventID == "j1")
        #expect(prepared.location == "in.jsonl:1")
    }

    @Test("an event without id, time, source or content attributes is completed by the decoder")
    func completed() throws {
        let text =
            #"{"specversion":"1.0","type":"jump.jobs.reported","subject":"jobs.x","data":{"scope":"x","period":{"year":2022},"jobsSupported":5,"source":"press"}}"#
        let prepared = try publisher.prepare(record(text))
        let event = try EventDecoder().decode(Array(prepared.value))
        #expect(event.id.hasPrefix("c-") && prepared.eventID == event.id)
        #expect(event.source == "urn:test" && event.time == "2026-12-01T00:00:00Z")
        #expect(String(decoding: prepared.key, as: UTF8.self) == "jobs.x")
    }

    @Test("a complete event with an escape takes the decoder's path and is still sent as given")
    func escaped() throws {
        let text = Self.complete.replacing(#""press""#, with: #""pr\u00e9ss""#)
        let prepared = try publisher.prepare(record(text))
        #expect(Array(prepared.value) == Array(text.utf8))
        #expect(prepared.eventID == "j1")
    }

    @Test("validate keeps input order across chunks and reports each rejection with its place")
    func order() async {
        let records = (1...2_000).map { index in
            index % 7 == 0
                ? record(Self.complete.replacing(#""jobsSupported":5"#, with: #""jobsSupported":-1"#), line: index)
                : record(Self.complete.replacing(#""id":"j1""#, with: #""id":"j\#(index)""#), line: index)
        }
        let (prepared, rejected) = await publisher.validate(records)
        #expect(prepared.map(\.line) == (1...2_000).filter { $0 % 7 != 0 })
        #expect(prepared.map(\.eventID) == (1...2_000).filter { $0 % 7 != 0 }.map { "j\($0)" })
        #expect(rejected.map(\.location) == (1...2_000).filter { $0 % 7 == 0 }.map { "in.jsonl:\($0)" })
        #expect(rejected.allSatisfy { $0.reason.contains("/data/jobsSupported") })
    }
}
