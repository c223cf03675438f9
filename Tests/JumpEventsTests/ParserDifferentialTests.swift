import Foundation
import JumpEvents
import Testing

/// Our parser against Foundation's on generated and hostile documents: both must agree on every document, apart
/// from our stricter rules (duplicate keys, depth, size), which are tested on their own.
@Suite("JSON parser agrees with Foundation's JSONSerialization")
struct ParserDifferentialTests {
    /// Foundation's reading of a document, as a JSONValue, or nil if it refuses it.
    func foundation(_ bytes: [UInt8]) -> JSONValue? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) else {
            return nil
        }
        return convert(object)
    }

    func convert(_ value: Any) -> JSONValue {
        switch value {
        case is NSNull: return .null
        case let string as String: return .string(string)
        case let array as [Any]: return .array(array.map(convert))
        case let dictionary as [String: Any]:
            return .object(JSONObject(dictionary.map { (key: $0.key, value: convert($0.value)) }))
        case let number as NSNumber:
            // Foundation on Linux marks booleans with the Objective-C type code 'c'.
            if String(cString: number.objCType) == "c" { return .bool(number.boolValue) }
            return .double(number.doubleValue)
        default: return .string("unexpected \(type(of: value))")
        }
    }

    /// Numbers compared as doubles, booleans kept apart.
    func normalized(_ value: JSONValue) -> JSONValue {
        switch value {
        case .integer(let integer): return .double(Double(integer))
        case .array(let elements): return .array(elements.map(normalized))
        case .object(let object): return .object(JSONObject(object.members.map { ($0.key, normalized($0.value)) }))
        default: return value
        }
    }

    func agree(_ bytes: [UInt8]) -> String? {
        let ours: JSONValue?
        do {
            ours = try JSONParser().parse(bytes)
        } catch  where [.duplicateKey, .tooDeep, .tooLarge, .stringTooLong].contains(error.kind) {
            return nil
        } catch {
            ours = nil
        }
        let theirs = foundation(bytes)
        switch (ours, theirs) {
        case (nil, nil): return nil
        case (let ours?, let theirs?): return normalized(ours) == normalized(theirs) ? nil : "values differ"
        case (nil, _):
            // Foundation is lax where RFC 8259 (and Python's json) are not: trailing commas and a leading BOM.
            let strict = Self.removingFoundationLaxness(bytes)
            if strict != bytes, let value = try? JSONParser().parse(strict), normalized(value) == normalized(theirs!) {
                return nil
            }
            return "only Foundation accepts"
        case (_, nil): return "only ours accepts"
        }
    }

    @Test("agreement on 2,000 generated events, valid and broken")
    func generatedEvents() {
        for (index, line) in EventGenerator(seed: 7, invalidRatio: 0.3).prefix(2_000).enumerated() {
            if let disagreement = agree(line) {
                Issue.record("line \(index + 1): \(disagreement): \(String(decoding: line, as: UTF8.self))")
            }
        }
    }

    static let hostile: [String] = [
        "", " ", "null", "true", "false", "0", "-0", "1.5e3", "-1E-2", "1e+2", "123456789012345678901234567890",
        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "0.1", ".5", "5.", "+1", "01", "1e",
        "--1", "NaN", "Infinity", "\"\"", "\"\\u0041\\u00e9\\u4e2d\"", "\"\\ud83d\\ude00\"", "\"\\ud83d\"",
        "\"\\ude00\"",
        "\"\\u12\"", "\"tab\there\"", "\"\\/\"", "[]", "[1,2,]", "[,]", "{}", "{\"a\":1,}", "{,}",
        "{\"a\" : [ 1 , { } ] }",
        "{'a':1}", "{\"a\":1}{}", "[1] x", "\u{FEFF}{}", "{\"a\":\"é\"}", "[\"\u{7F}\"]", "{\"a\":nul}", "[tru]",
        "{\"\":0}", "[1.0]", "[1E400]", "[-1e-400]", "\"\\\"\\\\\\b\\f\\n\\r\\t\"", "{\"a\":\n1\r\n}", "[\"\u{2028}\"]",
    ]

    /// Drops a leading byte order mark and every comma that only white space separates from `]` or `}`.
    static func removingFoundationLaxness(_ bytes: [UInt8]) -> [UInt8] {
        var input = bytes
        if input.starts(with: [0xEF, 0xBB, 0xBF]) { input.removeFirst(3) }
        var output: [UInt8] = []
        var inString = false
        var escaped = false
        for (index, byte) in input.enumerated() {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == UInt8(ascii: ","),
                let next = input[(index + 1)...].first(where: { ![0x20, 0x0A, 0x0D, 0x09].contains($0) }),
                next == UInt8(ascii: "]") || next == UInt8(ascii: "}")
            {
                continue
            }
            output.append(byte)
        }
        return output
    }

    @Test("trailing commas and a byte order mark, which Foundation accepts, are refused as RFC 8259 says")
    func foundationLaxnessIsRefused() {
        for text in ["[1,2,]", "{\"a\":1,}", "\u{FEFF}{}"] {
            #expect(foundation(Array(text.utf8)) != nil, "Foundation still accepts \(text.debugDescription)")
            #expect(throws: JSONParseError.self) { try JSONParser().parse(Array(text.utf8)) }
        }
    }

    @Test("agreement on hostile documents")
    func hostileDocuments() {
        for text in Self.hostile {
            if let disagreement = agree(Array(text.utf8)) { Issue.record("\(disagreement): \(text.debugDescription)") }
        }
    }

    @Test("agreement on 5,000 random byte mutations of events")
    func mutations() {
        var state: UInt64 = 42
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        let seeds = Array(EventGenerator(seed: 11).prefix(50))
        let alphabet = Array("{}[]\":,\\ 0123456789.eE-+tfnu\u{01}".utf8) + [0xC3, 0xA9, 0xFF, 0x80]
        for round in 0..<5_000 {
            var bytes = seeds[round % seeds.count]
            for _ in 0..<(1 + next(3)) {
                let position = next(bytes.count)
                switch next(3) {
                case 0: bytes[position] = alphabet[next(alphabet.count)]
                case 1: bytes.insert(alphabet[next(alphabet.count)], at: position)
                default: bytes.remove(at: position)
                }
            }
            if let disagreement = agree(bytes) {
                Issue.record("round \(round): \(disagreement): \(String(decoding: bytes, as: UTF8.self))")
                return
            }
        }
    }
}
