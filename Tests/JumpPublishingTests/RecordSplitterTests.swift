import JumpPublishing
import Testing

@Suite("RecordSplitter reads a JSON array the same, however its bytes are cut")
struct RecordSplitterTests {
    /// An array whose elements hold what could end one early: commas and brackets in strings, escaped quotes and
    /// backslashes, nested arrays and objects, line breaks between and inside elements.
    static let array = """
        [ {"a": "x,y]z", "b": [1, [2, 3]], "c": {"d": "\\\\"}},
        {"e": "a \\" quote, ] and [", "f": []}
        ,{"g": "\\\\\\"", "h": {"i": [{}]}} ,
          "plain",
        [1,2]
        ]

        """

    static let elements = [
        #"{"a": "x,y]z", "b": [1, [2, 3]], "c": {"d": "\\"}}"#,
        #"{"e": "a \" quote, ] and [", "f": []}"#,
        #"{"g": "\\\"", "h": {"i": [{}]}}"#,
        #""plain""#,
        "[1,2]",
    ]

    /// The records and problems of `text` fed in pieces of `size` bytes.
    static func split(
        _ text: String, pieces size: Int, limit: Int = 64
    ) -> (records: [(String, Int)], problems: [String]) {
        let bytes = Array(text.utf8)
        var splitter = RecordSplitter(origin: "test", maximumBytes: limit)
        var batches: [RecordBatch] = []
        for start in stride(from: 0, to: bytes.count, by: size) {
            batches.append(bytes[start..<min(start + size, bytes.count)].withUnsafeBytes { splitter.feed($0) })
        }
        batches.append(splitter.finish())
        return (
            batches.flatMap(\.records).map { (String(decoding: $0.bytes, as: UTF8.self), $0.line) },
            batches.flatMap(\.problems).map { "\($0.location): \($0.reason)" }
        )
    }

    @Test("every element is a record with the line it starts on, whatever the size of the pieces")
    func pieces() {
        for size in [1, 2, 3, 5, 7, 16, 64, 1 << 20] {
            let (records, problems) = Self.split(Self.array, pieces: size)
            #expect(records.map(\.0) == Self.elements, "pieces of \(size)")
            #expect(records.map(\.1) == [1, 2, 3, 4, 5], "pieces of \(size)")
            #expect(problems.isEmpty, "pieces of \(size): \(problems)")
        }
    }

    @Test("an element over the limit is reported at its line and skipped; the malformed places after it are found")
    func limitsAndMistakes() {
        let text = "[\"short\",\n\"" + String(repeating: "x", count: 100) + "\",\n\"after\",\n,\"end\",]"
        for size in [1, 4, 1 << 20] {
            let (records, problems) = Self.split(text, pieces: size, limit: 40)
            #expect(records.map(\.0) == [#""short""#, #""after""#, #""end""#], "pieces of \(size)")
            #expect(
                problems == [
                    "test:2: an array element of more than 40 bytes (102 read); it is skipped",
                    "test:4: an empty element (two commas, or a comma after [, is not JSON)",
                    "test:4: a comma before ] (a trailing comma is not JSON)",
                ], "pieces of \(size)")
        }
    }

    @Test("an array never closed is reported at the end, its complete elements kept")
    func notClosed() {
        let (records, problems) = Self.split("[{\"a\": \"],\"}, {\"b\": [1,\n2]}", pieces: 3)
        #expect(records.map(\.0) == [#"{"a": "],"}"#])
        #expect(problems == ["test:2: the JSON array is not closed: ] is missing at the end of the input"])
    }
}
