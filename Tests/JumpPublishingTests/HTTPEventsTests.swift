import JumpEvents
import Testing

@testable import JumpPublishing

/// What `jump-producer serve` reads of a request before any event is validated: the mode, a batch's elements, a
/// binary-mode event's headers, and the tokens file.
@Suite("Events over HTTP: modes, batches, binary headers, tokens")
struct HTTPEventsTests {
    @Test("the mode follows ce-specversion, then the media type; other media types have none")
    func modes() {
        #expect(HTTPEventMode(contentType: "application/cloudevents+json", hasSpecVersionHeader: false) == .structured)
        #expect(
            HTTPEventMode(contentType: "Application/CloudEvents+JSON; charset=UTF-8", hasSpecVersionHeader: false)
                == .structured)
        #expect(HTTPEventMode(contentType: "application/cloudevents-batch+json", hasSpecVersionHeader: false) == .batch)
        #expect(HTTPEventMode(contentType: "application/json", hasSpecVersionHeader: true) == .binary)
        #expect(HTTPEventMode(contentType: nil, hasSpecVersionHeader: true) == .binary)
        #expect(HTTPEventMode(contentType: "text/plain", hasSpecVersionHeader: true) == nil)
        #expect(HTTPEventMode(contentType: "application/json", hasSpecVersionHeader: false) == nil)
        #expect(
            HTTPEventMode(contentType: "application/cloudevents+json; charset=latin1", hasSpecVersionHeader: false)
                == nil)
        #expect(HTTPEventMode(contentType: nil, hasSpecVersionHeader: false) == nil)
        #expect(HTTPEventMode(contentType: "application/cloudevents+json", hasSpecVersionHeader: true) == .structured)
        #expect(
            HTTPEventMode(contentType: "application/cloudevents+json; charset = utf-8", hasSpecVersionHeader: false)
                == .structured)
    }

    @Test("a batch is one JSON array; its elements are numbered from 1, at most 1,000 of them")
    func batches() throws {
        let records = try HTTPEvents.records(.batch, body: Array(#" [{"a":1}, {"b":[2,3]}] "#.utf8))
        #expect(records.map { String(decoding: $0.bytes, as: UTF8.self) } == [#"{"a":1}"#, #"{"b":[2,3]}"#])
        #expect(records.map(\.line) == [1, 2])
        #expect(throws: HTTPBodyProblem.self) { try HTTPEvents.records(.batch, body: Array(#"{"a":1}"#.utf8)) }
        #expect(throws: HTTPBodyProblem.self) { try HTTPEvents.records(.batch, body: Array("[{}, ".utf8)) }
        #expect(throws: HTTPBodyProblem.self) { try HTTPEvents.records(.batch, body: Array(" [ ] ".utf8)) }
        do {
            _ = try HTTPEvents.records(
                .batch, body: Array(("[\"" + String(repeating: "x", count: 70_000) + "\"]").utf8))
            Issue.record("an element over 64 KiB was accepted")
        } catch {
            #expect(error.isOverLimit, "\(error)")
        }
        let many = "[" + Array(repeating: "{}", count: 1_001).joined(separator: ",") + "]"
        do {
            _ = try HTTPEvents.records(.batch, body: Array(many.utf8))
            Issue.record("1,001 events accepted")
        } catch {
            #expect(error.isOverLimit && error.description.contains("1001"))
        }
    }

    @Test("binary mode: ce- headers become attributes (percent-decoded), Content-Type the datacontenttype")
    func binary() throws {
        let record = try HTTPEvents.binaryRecord(
            headers: [
                ("ce-specversion", "1.0"), ("CE-ID", "b1"), ("ce-source", "urn%3Acrm%3Ad%C3%ADa"),
                ("ce-type", "jump.jobs.reported"), ("ce-subject", "jobs.x"), ("content-type", "application/json"),
                ("authorization", "Bearer secret"),
            ], body: Array(#"{"n":1}"#.utf8), decoder: EventDecoder())
        let object = try JSONParser().parse(record.bytes)
        #expect(object.objectValue?["source"] == .string("urn:crm:día"))
        #expect(object.objectValue?["id"] == .string("b1"))
        #expect(object.objectValue?["datacontenttype"] == .string("application/json"))
        #expect(object.objectValue?["authorization"] == nil)
        #expect(object.objectValue?["data"] == .object(["n": .integer(1)]))
        do {
            _ = try HTTPEvents.binaryRecord(
                headers: [("ce-specversion", "1.0"), ("ce-id", "bad%4")], body: Array(#"{"n":1}"#.utf8),
                decoder: EventDecoder())
            Issue.record("a malformed escape was accepted")
        } catch {
            #expect(error.path == "/id" && error.message.contains("percent-encoded"), "\(error)")
        }
    }

    static let hash = PublishTokens.hashText(of: "the-token")

    @Test("a token is found by its hash; it may publish the sources and types its patterns match")
    func tokens() throws {
        let tokens = try PublishTokens(
            parsing: Array(
                #"{"tokens":[{"name":"crm","sha256":"\#(Self.hash)","sources":["urn:crm:*","urn:exact"],"types":["jump.jobs.reported"],"eventsPerSecond":10}]}"#
                    .utf8))
        let token = try #require(tokens.authenticate("the-token"))
        #expect(token.name == "crm" && token.eventsPerSecond == 10)
        #expect(tokens.authenticate("the-token ") == nil && tokens.authenticate("") == nil)
        #expect(token.allows(source: "urn:crm:anything", type: "jump.jobs.reported"))
        #expect(token.allows(source: "urn:exact", type: "jump.jobs.reported"))
        #expect(!token.allows(source: "urn:exact:more", type: "jump.jobs.reported"))
        #expect(!token.allows(source: "urn:crm:x", type: "jump.exports.reported"))
        // Patterns compare bytes, not characters: a source spelled with a combining accent is not the precomposed
        // one, and a prefix may end inside a character.
        #expect(PublishTokens.Token.matches("urn:caf\u{E9}", "urn:caf\u{E9}"))
        #expect(!PublishTokens.Token.matches("urn:caf\u{E9}", "urn:cafe\u{301}"))
        #expect(PublishTokens.Token.matches("urn:cafe*", "urn:cafe\u{301}"))
        #expect(!PublishTokens.Token.matches("urn:crm:*", "urn:crm"))
    }

    @Test("a tokens file with a mistake is refused at the mistake's place")
    func badTokens() {
        let hash = Self.hash
        let cases: [(String, String)] = [
            ("[]", "must be an object with a \"tokens\" array"),
            (#"{"tokens":[], "extra": 1}"#, "/extra"),
            (#"{"tokens":[{"name":"a","sha256":"abc","sources":["x"],"types":["y"]}]}"#, "/tokens/0/sha256"),
            (#"{"tokens":[{"name":"a b","sha256":"\#(hash)","sources":["x"],"types":["y"]}]}"#, "/tokens/0/name"),
            (#"{"tokens":[{"name":"a","sha256":"\#(hash)","sources":[],"types":["y"]}]}"#, "/tokens/0/sources"),
            (#"{"tokens":[{"name":"a","sha256":"\#(hash)","sources":["x*y"],"types":["y"]}]}"#, "/tokens/0/sources/0"),
            (
                #"{"tokens":[{"name":"a","sha256":"\#(hash)","sources":["x"],"types":["y"],"eventsPerSecond":0}]}"#,
                "/tokens/0/eventsPerSecond"
            ),
            (
                #"{"tokens":[{"name":"a","sha256":"\#(hash)","sources":["x"],"types":["y"],"token":"t"}]}"#,
                "/tokens/0/token"
            ),
            (
                #"{"tokens":[{"name":"a","sha256":"\#(hash)","sources":["x"],"types":["y"]},{"name":"b","sha256":"\#(hash)","sources":["x"],"types":["y"]}]}"#,
                "/tokens/1/sha256"
            ),
        ]
        for (text, place) in cases {
            do {
                _ = try PublishTokens(parsing: Array(text.utf8))
                Issue.record("accepted: \(text)")
            } catch {
                #expect(error.description.contains(place), "\(error)")
            }
        }
    }
}
