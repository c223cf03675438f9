import Foundation
import JumpEvents
import Testing

/// Rules of our own that come before any schema rule: limits, UTF-8, duplicate keys, unknown types.
@Suite("Decoding limits and strictness")
struct DecodingLimitTests {
    let decoder = EventDecoder()
    let valid = Array(
        #"{"specversion":"1.0","id":"e1","source":"s","type":"jump.jobs.reported","subject":"jobs.x","time":"2025-01-01T00:00:00Z","data":{"scope":"x","period":{"year":2022},"jobsSupported":51000,"source":"press"}}"#
            .utf8)

    func rejection(_ bytes: [UInt8], limits: JSONLimits = JSONLimits()) -> EventRejection? {
        do {
            _ = try EventDecoder(limits: limits).decode(bytes)
            return nil
        } catch {
            return error
        }
    }

    @Test("the reference event is valid, so each case below fails for its own reason only")
    func referenceIsValid() throws {
        #expect(try decoder.decode(valid).type == .jobsReported)
    }

    @Test("a document over the size limit is refused before parsing, naming both sizes")
    func tooLarge() {
        var limits = JSONLimits()
        limits.maximumBytes = 100
        let error = rejection(valid, limits: limits)
        #expect(error?.kind == .tooLarge)
        #expect(error?.message.contains("\(valid.count) bytes exceeds the limit of 100") == true)
    }

    @Test("nesting deeper than the limit is refused")
    func tooDeep() {
        let deep = Array((String(repeating: "[", count: 17) + String(repeating: "]", count: 17)).utf8)
        #expect(rejection(deep)?.kind == .tooDeep)
        let allowed = Array((String(repeating: "[", count: 16) + String(repeating: "]", count: 16)).utf8)
        #expect(rejection(allowed)?.kind == .schema, "16 levels parse; the array is then not an event")
    }

    @Test("a string over the limit is refused, escaped or not")
    func stringTooLong() {
        var limits = JSONLimits()
        limits.maximumStringBytes = 10
        #expect(rejection(Array(#"{"k":"12345678901"}"#.utf8), limits: limits)?.kind == .stringTooLong)
        #expect(rejection(Array(#"{"k":"\n\n\n\n\n\n\n\n\n\n\n"}"#.utf8), limits: limits)?.kind == .stringTooLong)
    }

    @Test("invalid UTF-8 in a value or a key is refused")
    func invalidUTF8() {
        var bytes = valid
        let index = bytes.firstIndex(of: UInt8(ascii: "p"))!  // inside "press"... any string byte will do
        bytes[index] = 0xC3
        #expect(rejection(bytes)?.kind == .invalidUTF8)
        #expect(
            rejection([
                UInt8(ascii: "{"), UInt8(ascii: "\""), 0xFF, UInt8(ascii: "\""), UInt8(ascii: ":"), UInt8(ascii: "1"),
                UInt8(ascii: "}"),
            ])?.kind == .invalidUTF8)
    }

    @Test("a duplicate key is refused, at any depth, naming the key")
    func duplicateKeys() {
        let top = Array(
            String(decoding: valid, as: UTF8.self).replacing(#""id":"e1""#, with: #""id":"e1","id":"e2""#).utf8)
        #expect(rejection(top)?.kind == .duplicateKey)
        #expect(rejection(top)?.message.contains("duplicate key \"id\"") == true)
        let nested = Array(
            String(decoding: valid, as: UTF8.self).replacing(#""year":2022"#, with: #""year":2022,"year":2023"#).utf8)
        #expect(rejection(nested)?.kind == .duplicateKey)
        var wide = "{"
        for index in 0..<40 { wide += "\"k\(index)\":1," }
        wide += "\"k7\":2}"
        #expect(rejection(Array(wide.utf8))?.kind == .duplicateKey, "large objects are checked with a set")
    }

    @Test("an unknown event type is refused as such, naming it and the known ones")
    func unknownType() {
        let bytes = Array(
            String(decoding: valid, as: UTF8.self).replacing("jump.jobs.reported", with: "jump.jobs.invented").utf8)
        let error = rejection(bytes)
        #expect(error?.kind == .unknownType)
        #expect(error?.path == "/type")
        #expect(error?.message.contains("\"jump.jobs.invented\"") == true)
        #expect(error?.message.contains("jump.company.expansion-announced") == true)
    }

    @Test("syntax errors say what was expected and where")
    func syntaxErrors() {
        let cases: [(String, String)] = [
            ("", "expected a value"), ("{", "expected a key"), (#"{"a" 1}"#, "expected ':'"),
            ("[1,]", "expected a value"),
            ("{} x", "after the value"), (#"{"a":01}"#, "may not start with 0"), (#"{"a":"\x"}"#, "invalid escape"),
            (#"{"a":"\ud800"}"#, "lone surrogate"), ("{\"a\":\"\u{01}\"}", "control character"),
            (#"{"a":1e999}"#, "out of range"),
            ("tru", "expected a value"), (#""unterminated"#, "unterminated string"),
        ]
        for (text, expected) in cases {
            let error = rejection(Array(text.utf8))
            #expect(error?.kind == .syntax, "\(text)")
            #expect(error?.message.contains(expected) == true, "\(text): \(String(describing: error))")
        }
    }

    @Test("a JSON document that is not an object is a schema error at the root")
    func notAnObject() {
        #expect(rejection(Array("[1]".utf8))?.description == "must be an object, got array")
    }
}
