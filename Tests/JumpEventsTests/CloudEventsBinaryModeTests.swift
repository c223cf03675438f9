import Foundation
import JumpEvents
import Testing

/// Binary mode of the CloudEvents Kafka binding: the same event whichever mode carried it, and a clear reason
/// for a binary-mode message that cannot be an event.
@Suite("CloudEvents binary mode")
struct CloudEventsBinaryModeTests {
    let decoder = EventDecoder()

    static let structured =
        #"{"specversion":"1.0","id":"j1","source":"urn:py","type":"jump.jobs.reported","subject":"jobs.x","time":"2025-01-01T00:00:00Z","datacontenttype":"application/json","traceparent":"00-ab","data":{"scope":"x","period":{"year":2022,"quarter":4},"jobsSupported":5,"source":"press"}}"#

    static let headers: [(name: String, value: [UInt8]?)] = [
        ("ce_specversion", "1.0"), ("ce_id", "j1"), ("ce_source", "urn:py"), ("ce_type", "jump.jobs.reported"),
        ("ce_subject", "jobs.x"), ("ce_time", "2025-01-01T00:00:00Z"), ("content-type", "application/json"),
        ("ce_traceparent", "00-ab"), ("x-trace", "not an attribute"),
    ].map { ($0.0, Array($0.1.utf8)) }

    static let data = Array(
        #"{"scope":"x","period":{"year":2022,"quarter":4},"jobsSupported":5,"source":"press"}"#.utf8)

    func binary(
        _ headers: [(name: String, value: [UInt8]?)] = Self.headers, value: [UInt8]? = Self.data
    ) throws(EventRejection) -> JumpEvent {
        try decoder.decode(CloudEventsBinaryMode.structured(headers: headers, value: value, decoder: decoder))
    }

    @Test("a binary-mode event is the same event as its structured form, extension attributes included")
    func sameEvent() throws {
        #expect(CloudEventsBinaryMode.isBinary(headerNames: Self.headers.map(\.name)))
        #expect(!CloudEventsBinaryMode.isBinary(headerNames: ["content-type"]))
        let fromBinary = try binary()
        #expect(fromBinary == (try decoder.decode(Array(Self.structured.utf8))))
        #expect(fromBinary.extensions == ["traceparent": "00-ab"])
    }

    @Test(
        "content-type application/json with a UTF-8 charset parameter, in any case or quoted, is application/json; other parameters and types are refused",
        arguments: [
            ("application/json; charset=utf-8", true), ("Application/JSON;charset=UTF-8", true),
            ("application/json; charset=\"utf-8\"", true), ("application/json ;  charset = utf-8", true),
            ("application/json; charset=latin1", false), ("application/json; version=2", false),
            ("application/jsonx", false), ("application/json;", false),
        ])
    func contentTypeParameters(_ contentType: String, _ accepted: Bool) throws {
        let headers = Self.headers.map { $0.name == "content-type" ? ($0.name, Array(contentType.utf8)) : $0 }
        do {
            #expect(try binary(headers) == (try decoder.decode(Array(Self.structured.utf8))))
            #expect(accepted, "accepted")
        } catch {
            #expect(!accepted && "\(error)".contains("/datacontenttype"), "\(error)")
        }
    }

    @Test("binary-mode messages that cannot be events are refused with the header or value named")
    func refusals() {
        func reason(_ headers: [(name: String, value: [UInt8]?)], value: [UInt8]? = Self.data) -> String {
            do {
                _ = try binary(headers, value: value)
                return "accepted"
            } catch {
                return "\(error)"
            }
        }
        #expect(reason(Self.headers, value: nil).contains("message value"))
        #expect(reason(Self.headers + [("ce_id", Array("again".utf8))]).contains("ce_id appears twice"))
        #expect(reason(Self.headers + [("ce_data", Array("{}".utf8))]).contains("ce_data"))
        #expect(reason(Self.headers.filter { $0.name != "ce_type" }).contains("type"))
        #expect(reason(Self.headers + [("ce_Bad", Array("x".utf8))]).contains("/Bad"))
        #expect(reason(Self.headers.map { $0.name == "ce_id" ? ($0.name, [0xFF]) : $0 }).contains("not UTF-8"))
        #expect(reason(Self.headers, value: Array("{".utf8)).contains("end of input"))
        #expect(
            reason(Self.headers.map { $0.name == "content-type" ? ($0.name, Array("text/plain".utf8)) : $0 })
                .contains("/datacontenttype"))
    }
}
