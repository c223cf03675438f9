import Foundation
import JumpCommandLine
import JumpEvents
import JumpKafka
import JumpService
import Logging
import Synchronization
import Testing

/// Secrets are redacted in their places, never as substrings, and every line for people shows control and
/// bidirectional characters as visible escapes.
@Suite("Redaction in place and terminal-safe text")
struct RedactionAndTerminalTests {
    @Test("librdkafka's text is escaped by the same rule as TerminalText, scalar for scalar")
    func librdkafkaTextRule() {
        for value in UInt32(0)...0x3000 {
            guard let scalar = Unicode.Scalar(value) else { continue }
            #expect(LibrdkafkaText.isUnsafe(scalar) == TerminalText.isUnsafe(scalar), "U+\(String(value, radix: 16))")
        }
        for value: UInt32 in [0xFEFF, 0xFFFD, 0x1F600, 0xE0001] {
            let scalar = Unicode.Scalar(value)!
            #expect(LibrdkafkaText.isUnsafe(scalar) == TerminalText.isUnsafe(scalar))
        }
        let text = "broker \u{1B}[2Jevil:9092 \u{202E}x\\y\n"
        #expect(LibrdkafkaText.escaped(text) == TerminalText.escaped(text))
    }

    /// Logs one record through a handler configured with `secrets` and returns the line.
    func logged(
        _ message: String, metadata: Logger.Metadata = [:], secrets: [String],
        format: StructuredLogHandler.Format = .logfmt
    ) -> String {
        let lines = Mutex<[String]>([])
        let handler = StructuredLogHandler(label: "test", format: format, secrets: secrets) { line in
            lines.withLock { $0.append(line) }
        }
        var logger = Logger(label: "test") { _ in handler }
        logger.logLevel = .trace
        logger.info("\(message)", metadata: metadata)
        return lines.withLock { $0.joined() }
    }

    @Test(
        "a password that is a common word leaves the rest of the line alone",
        arguments: ["info", "level", "time", "test", "a", "1", "=", "\"", "message"])
    func commonWordPassword(_ password: String) {
        let line = logged("partitions info assigned", secrets: [password])
        #expect(line.contains("level=info"), "\(line)")
        #expect(line.contains("label=test"), "\(line)")
        #expect(!line.contains(KafkaProperties.redacted), "\(line)")
    }

    static let placed: [(String, String)] = [
        ("sasl.password=hunter2", "sasl.password=[redacted]"),
        ("JUMP_KAFKA_SASL_PASSWORD=hunter2 set", "JUMP_KAFKA_SASL_PASSWORD=[redacted] set"),
        (#"{"saslPassword": "hunter2"}"#, #"{"saslPassword": "[redacted]"}"#),
        ("ssl.key.password: hunter2", "ssl.key.password: [redacted]"),
        ("Invalid value \"hunter2\" for property", "Invalid value \"[redacted]\" for property"),
        ("value 'hunter2' refused", "value '[redacted]' refused"),
        ("client.secret=abc,next=1", "client.secret=[redacted],next=1"),
        ("hunter2", "[redacted]"),
        ("mechanism correct-horse-battery refused", "mechanism [redacted] refused"),
        ("xhunter2x stays", "xhunter2x stays"),
    ]

    @Test("secrets are redacted where they stand as values", arguments: placed)
    func inPlace(_ text: String, _ expected: String) {
        #expect(KafkaProperties.redact(text, secrets: ["hunter2", "correct-horse-battery"]) == expected)
    }

    @Test("the handler's own fields are never redacted; metadata values are, in place")
    func handlerFields() {
        let line = logged("sasl.password=info", metadata: ["password": "info", "other": "info"], secrets: ["info"])
        #expect(line.contains("level=info") && line.contains("message=\"sasl.password=[redacted]\""), "\(line)")
        #expect(line.contains("password=[redacted]") && line.contains("other=[redacted]"), "\(line)")
    }

    static let unsafe: [(String, String)] = [
        ("\u{1B}[31mred", "\\e[31mred"), ("a\rb", "a\\rb"), ("a\nb", "a\\nb"), ("a\tb", "a\\tb"),
        ("a\u{0}b", "a\\u{0}b"), ("a\u{7F}b", "a\\u{7F}b"), ("a\u{85}b", "a\\u{85}b"), ("a\u{9B}b", "a\\u{9B}b"),
        ("evil\u{202E}txt.exe", "evil\\u{202E}txt.exe"), ("a\u{2028}b", "a\\u{2028}b"), ("a\u{2029}b", "a\\u{2029}b"),
        ("a\u{061C}b", "a\\u{61C}b"), ("a\u{200E}b", "a\\u{200E}b"), ("a\u{200F}b", "a\\u{200F}b"),
        ("a\u{2066}b\u{2069}", "a\\u{2066}b\\u{2069}"), ("\u{FEFF}bom", "\\u{FEFF}bom"),
        ("back\\slash", "back\\\\slash"),
        ("Querétaro 日本 🇲🇽", "Querétaro 日本 🇲🇽"), ("plain", "plain"),
    ]

    @Test("operator text shows every unsafe character as a visible escape", arguments: unsafe)
    func escaped(_ text: String, _ expected: String) {
        let escaped = TerminalText.escaped(text)
        #expect(escaped == expected)
        #expect(!escaped.unicodeScalars.contains { TerminalText.isUnsafe($0) })
    }

    @Test(
        "JSON keeps metadata's types: numbers and Booleans given as such, arrays and objects; text stays text, redacted in place"
    )
    func typedJSON() throws {
        let metadata: Logger.Metadata = [
            "applied": .stringConvertible(1000), "ratio": .stringConvertible(1.5), "ready": .stringConvertible(true),
            "text": "42", "partitions": .array([.string("jump.events[0]"), .string("jump.events[3]")]),
            "start": .dictionary(["jump.events[0]": .string("17"), "secret": .string("hunter2")]),
            "nested": .array([.stringConvertible(7), .string("sasl.password=hunter2")]),
            "infinite": .stringConvertible(Double.infinity),
        ]
        let line = logged("batch applied", metadata: metadata, secrets: ["hunter2"], format: .json)
        let record = try #require(
            try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
        #expect(line.contains(#""applied":1000"#) && line.contains(#""ratio":1.5"#) && line.contains(#""ready":true"#))
        #expect(record["text"] as? String == "42", "text that looks like a number stays text")
        #expect(record["partitions"] as? [String] == ["jump.events[0]", "jump.events[3]"])
        #expect((record["start"] as? [String: String]) == ["jump.events[0]": "17", "secret": "[redacted]"])
        let nested = try #require(record["nested"] as? [Any])
        #expect(nested.first as? Int == 7 && nested.last as? String == "sasl.password=[redacted]")
        #expect(record["infinite"] as? String == "inf", "a number JSON cannot hold is text")
        #expect(!line.contains("hunter2"))
        let logfmt = logged("batch applied", metadata: metadata, secrets: ["hunter2"])
        #expect(logfmt.contains("applied=1000 ") && logfmt.contains(" partitions=jump.events[0],jump.events[3] "))
        #expect(logfmt.contains(" start=jump.events[0]:17,secret:[redacted] "), "\(logfmt)")
        #expect(!logfmt.contains("hunter2"), "\(logfmt)")
    }

    @Test("log lines never carry an unsafe character, in logfmt or JSON", arguments: unsafe.map(\.0))
    func logLines(_ text: String) {
        for format in [StructuredLogHandler.Format.logfmt, .json] {
            let line = logged(text, metadata: ["value": "\(text)"], secrets: [], format: format)
            #expect(line.hasSuffix("\n") && line.dropLast().allSatisfy { $0 != "\n" })
            #expect(!line.dropLast().unicodeScalars.contains { TerminalText.isUnsafe($0) }, "\(line)")
        }
    }
}
