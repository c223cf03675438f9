import JumpEvents
import Testing

/// The writer's string literals: escaped where JSON requires it, copied as they are elsewhere, and read back by the
/// parser as the same string.
@Suite("JSON string literals")
struct JSONWriterTests {
    @Test(
        "every ASCII byte, multi-byte UTF-8 and runs between escapes round-trip through the parser",
        arguments: [
            String(decoding: (0..<128).map { UInt8($0) }, as: UTF8.self), "Nuevo León — 🇲🇽 \"quoted\" \\ back",
            "", "plain", "\n", "a\u{7F}b\u{1F}c", "Consulado General de México en Salt Lake City",
        ])
    func roundTrip(text: String) throws {
        var bytes: [UInt8] = []
        JSONWriter.appendString(text, to: &bytes)
        #expect(try JSONParser().parse(String(decoding: bytes, as: UTF8.self)) == .string(text))
        #expect(!bytes.dropFirst().dropLast().contains { $0 < 0x20 }, "no raw control character")
    }

    @Test("escapes are the short ones where JSON has them, \\u00XX otherwise")
    func escapes() {
        var bytes: [UInt8] = []
        JSONWriter.appendString("a\"b\\c\nd\re\tf\u{01}g\u{7F}", to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == #""a\"b\\c\nd\re\tf\u0001g\u007f""#)
    }

    @Test(
        "the indented form: two spaces a level, members in document order, empty containers kept short; it parses back to the same value"
    )
    func indented() throws {
        let value = try JSONParser().parse(Array(#"{"b":1,"a":[true,null,{"c":"x\ny"}],"e":{},"f":[]}"#.utf8))
        let text = JSONWriter.indented(value)
        #expect(
            text == """
                {
                  "b": 1,
                  "a": [
                    true,
                    null,
                    {
                      "c": "x\\ny"
                    }
                  ],
                  "e": {},
                  "f": []
                }
                """)
        #expect(try JSONParser().parse(Array(text.utf8)) == value)
    }
}
