import JumpEvents
import Testing

@Suite("Event generator, content ids and completion")
struct GeneratorAndIDTests {
    let decoder = EventDecoder()

    @Test("the same seed gives the same bytes; another seed does not")
    func deterministic() {
        let first = Array(EventGenerator(seed: 99, invalidRatio: 0.1).prefix(500))
        let second = Array(EventGenerator(seed: 99, invalidRatio: 0.1).prefix(500))
        let other = Array(EventGenerator(seed: 100, invalidRatio: 0.1).prefix(500))
        #expect(first == second)
        #expect(first != other)
    }

    @Test("valid generated events decode, cover every type, and keep the story consistent")
    func realisticMix() throws {
        var types: [JumpEventType: Int] = [:]
        var announced = Set<String>()
        var closed = Set<String>()
        var ids = Set<String>()
        for line in EventGenerator(seed: 5).prefix(3_000) {
            let event = try decoder.decode(line)
            types[event.type, default: 0] += 1
            #expect(ids.insert(event.id).inserted, "ids are unique")
            switch event.payload {
            case .expansionAnnounced(let expansion):
                announced.insert(expansion.expansionId)
                #expect(event.subject == expansion.company.id)
                #expect((expansion.direction == .mexicoToUtah) == (expansion.company.country == .mexico))
            case .expansionCompleted(let completion):
                #expect(announced.contains(completion.expansionId) && closed.insert(completion.expansionId).inserted)
            case .expansionWithdrawn(let withdrawal):
                #expect(announced.contains(withdrawal.expansionId) && closed.insert(withdrawal.expansionId).inserted)
            default: break
            }
        }
        #expect(Set(types.keys) == Set(JumpEventType.allCases))
        #expect(types[.expansionAnnounced]! > types[.expansionWithdrawn]!)
        #expect(types[.expansionCompleted]! > types[.expansionWithdrawn]!)
    }

    @Test("the invalid ratio is respected, and every invalid line is refused")
    func invalidShare() {
        var refused = 0
        let lines = Array(EventGenerator(seed: 8, invalidRatio: 0.25).prefix(4_000))
        for line in lines where (try? decoder.decode(line)) == nil { refused += 1 }
        #expect((800...1_200).contains(refused), "about a quarter refused, got \(refused)")
        let none = EventGenerator(seed: 8, invalidRatio: 0).prefix(1_000).filter { (try? decoder.decode($0)) == nil }
        #expect(none.isEmpty)
    }

    @Test("SHA-256 matches the standard test vectors")
    func sha256Vectors() {
        func hex(_ bytes: [UInt8]) -> String {
            bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }
                .joined()
        }
        #expect(hex(SHA256.hash([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(
            hex(SHA256.hash(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            hex(SHA256.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(
            hex(SHA256.hash([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test("a content id ignores key order, white space and any given id, and changes with the content")
    func contentIDs() throws {
        let parser = JSONParser()
        let a = try #require(try parser.parse(#"{"type":"t","subject":"s","data":{"x":1,"y":[1,2]}}"#).objectValue)
        let b = try #require(
            try parser.parse(#"{ "data": {"y":[1,2], "x":1}, "subject":"s", "type":"t", "id":"given" }"#).objectValue)
        let c = try #require(try parser.parse(#"{"type":"t","subject":"s","data":{"x":2,"y":[1,2]}}"#).objectValue)
        #expect(EventCompletion.contentID(of: a) == EventCompletion.contentID(of: b))
        #expect(EventCompletion.contentID(of: a) != EventCompletion.contentID(of: c))
        #expect(EventCompletion.contentID(of: a).count == 34)
    }

    @Test("completion fills only what is absent, and the result is a valid event")
    func completion() throws {
        var object = try #require(
            try JSONParser().parse(
                #"{"type":"jump.jobs.reported","subject":"jobs.x","data":{"scope":"x","period":{"year":2022},"jobsSupported":1,"source":"s"}}"#
            ).objectValue)
        let before = EventCompletion.contentID(of: object)
        let filled = EventCompletion.complete(&object, source: "urn:test", now: { "2025-01-01T00:00:00Z" })
        #expect(filled == ["id", "specversion", "source", "time", "datacontenttype", "dataschema"])
        let event = try decoder.validate(.object(object))
        #expect(event.id == before)
        #expect(event.source == "urn:test")
        #expect(event.dataschema == "urn:jump:schema:jump.jobs.reported:v1")
        var again = object
        #expect(EventCompletion.complete(&again, source: "other", now: { "never" }).isEmpty)
        #expect(again == object)
    }
}
