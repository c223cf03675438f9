import Foundation
import JumpEvents
import Testing

/// One hostile document and the outcome it must have: accepted, or refused with a kind of rejection.
struct HostileDocument: CustomTestStringConvertible, Sendable {
    var name: String
    var bytes: [UInt8]
    /// `nil`: must be accepted.
    var refusal: EventRejection.Kind?

    var testDescription: String { name }
}

/// Documents from outside at every limit of the decoder and every bound of the schema: each has one stated
/// outcome, and none ends in a trap.
@Suite("Hostile documents: decoding limits and schema bounds")
struct HostileDocumentTests {
    static let reference =
        #"{"specversion":"1.0","id":"e1","source":"s","type":"jump.investment.announced","subject":"inv.x","time":"2025-01-01T00:00:00Z","data":{"investmentId":"inv.x","investor":{"id":"co.x","name":"X","country":"MX","sector":"steel"},"direction":"mx-to-utah","amountUsdCents":AMOUNT,"sector":"steel","region":"US-UT","announcedOn":"2025-01-01"}}"#

    static func investment(amount: String) -> [UInt8] { Array(reference.replacing("AMOUNT", with: amount).utf8) }

    static func jobs(_ field: String) -> [UInt8] {
        Array(
            #"{"specversion":"1.0","id":"j1","source":"s","type":"jump.jobs.reported","subject":"jobs.x","time":"2025-01-01T00:00:00Z","data":{"scope":"x","period":{"year":2022},"jobsSupported":FIELD,"source":"press"}}"#
                .replacing("FIELD", with: field).utf8)
    }

    /// Numbers at every bound of `amountUsdCents` (0 to 10^15) and of JSON itself.
    static let amounts: [HostileDocument] = [
        ("0", nil), ("1", nil), ("999999999999999", nil), ("1000000000000000", nil),
        ("1000000000000001", .schema), ("-1", .schema), ("-0", nil), ("9223372036854775807", .schema),
        ("9223372036854775808", .schema), ("-9223372036854775808", .schema), ("-9223372036854775809", .schema),
        ("1e15", nil), ("1.0e15", nil), ("1e16", .schema), ("1e308", .schema), ("1e309", .syntax),
        ("-1e309", .syntax), ("0.5", .schema), ("1000000000000000.5", .schema), ("1E2", nil),
        ("12345678901234567890123456789", .schema), ("0x10", .syntax), ("01", .syntax), ("+1", .syntax),
        ("NaN", .syntax), ("Infinity", .syntax), ("\"1000\"", .schema), ("null", .schema), ("true", .schema),
        ("[]", .schema), ("{}", .schema), ("1.", .syntax), (".5", .syntax), ("1e", .syntax), ("--1", .syntax),
    ].map { HostileDocument(name: "amountUsdCents \($0.0)", bytes: investment(amount: $0.0), refusal: $0.1) }

    /// Counts (0 to 10^8).
    static let counts: [HostileDocument] = [
        ("0", nil), ("100000000", nil), ("100000001", .schema), ("-1", .schema), ("1.5", .schema),
        ("4294967296", .schema), ("9223372036854775807", .schema), ("2e8", .schema),
    ].map { HostileDocument(name: "jobsSupported \($0.0)", bytes: jobs($0.0), refusal: $0.1) }

    /// Sizes and nesting around every limit.
    static let limits: [HostileDocument] = {
        var cases: [HostileDocument] = []
        let base = Array(reference.replacing("AMOUNT", with: "1").utf8)
        for total in [65_535, 65_536, 65_537, 200_000, 1_000_000] {
            // Extension attributes (values of at most 256 characters) pad the document to exactly `total` bytes.
            var document = base
            document.removeLast()
            var index = 0
            while total - document.count - 1 > 300 {
                document += Array(",\"p\(index)\":\"\(String(repeating: "z", count: 256))\"".utf8)
                index += 1
            }
            let rest = total - document.count - 1 - 8
            document += Array(",\"qq\":\"\(String(repeating: "z", count: rest))\"".utf8)
            document += Array("}".utf8)
            let refusal: EventRejection.Kind? = document.count > 65_536 ? .tooLarge : nil
            cases.append(HostileDocument(name: "\(document.count) bytes", bytes: document, refusal: refusal))
        }
        for depth in [15, 16, 17, 100, 10_000] {
            let nested = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            cases.append(
                HostileDocument(
                    name: "nested \(depth)", bytes: Array(nested.utf8), refusal: depth > 16 ? .tooDeep : .schema))
        }
        for length in [8_191, 8_192, 8_193] {
            let document = "{\"k\":\"\(String(repeating: "s", count: length))\"}"
            cases.append(
                HostileDocument(
                    name: "string of \(length) bytes", bytes: Array(document.utf8),
                    refusal: length > 8_192 ? .stringTooLong : .schema))
        }
        return cases
    }()

    /// Broken encodings and syntax.
    static let syntax: [HostileDocument] = {
        let valid = Array(reference.replacing("AMOUNT", with: "1").utf8)
        var cases: [HostileDocument] = [
            .init(name: "empty", bytes: [], refusal: .syntax),
            .init(name: "white space only", bytes: Array(" \n\t\r ".utf8), refusal: .syntax),
            .init(name: "NUL byte", bytes: [0], refusal: .syntax),
            .init(name: "byte-order mark first", bytes: [0xEF, 0xBB, 0xBF] + valid, refusal: .syntax),
            .init(
                name: "UTF-16 document", bytes: Array(reference.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }),
                refusal: .syntax),
            .init(
                name: "lone continuation byte", bytes: Array("{\"k\":\"".utf8) + [0x80] + Array("\"}".utf8),
                refusal: .invalidUTF8),
            .init(
                name: "overlong encoding", bytes: Array("{\"k\":\"".utf8) + [0xC0, 0xAF] + Array("\"}".utf8),
                refusal: .invalidUTF8),
            .init(
                name: "encoded surrogate", bytes: Array("{\"k\":\"".utf8) + [0xED, 0xA0, 0x80] + Array("\"}".utf8),
                refusal: .invalidUTF8),
            .init(name: "lone surrogate escape", bytes: Array(#"{"k":"\ud800"}"#.utf8), refusal: .syntax),
            .init(
                name: "raw control character in a string", bytes: Array("{\"k\":\"a\u{01}b\"}".utf8), refusal: .syntax),
            .init(name: "raw line feed in a string", bytes: Array("{\"k\":\"a\nb\"}".utf8), refusal: .syntax),
            .init(name: "single quotes", bytes: Array("{'k':'v'}".utf8), refusal: .syntax),
            .init(name: "trailing comma", bytes: Array(#"{"k":1,}"#.utf8), refusal: .syntax),
            .init(name: "two documents", bytes: valid + valid, refusal: .syntax),
            .init(name: "comment", bytes: Array("/* c */".utf8) + valid, refusal: .syntax),
            .init(name: "duplicate key", bytes: Array(#"{"id":"a","id":"b"}"#.utf8), refusal: .duplicateKey),
            .init(
                name: "duplicate key after escapes", bytes: Array(#"{"id":"a","\u0069d":"b"}"#.utf8),
                refusal: .duplicateKey),
            .init(name: "an array, not an object", bytes: Array("[1,2]".utf8), refusal: .schema),
            .init(name: "a bare string", bytes: Array("\"event\"".utf8), refusal: .schema),
            .init(
                name: "unknown type",
                bytes: Array(
                    reference.replacing("AMOUNT", with: "1").replacing(
                        "jump.investment.announced", with: "jump.unknown"
                    ).utf8), refusal: .unknownType),
            .init(
                name: "script in a name is data, accepted",
                bytes: Array(
                    reference.replacing("AMOUNT", with: "1").replacing(
                        #""name":"X""#, with: #""name":"<script>alert(1)</script>""#
                    ).utf8), refusal: nil),
            .init(
                name: "bidi override in a name is data, accepted",
                bytes: Array(
                    reference.replacing("AMOUNT", with: "1").replacing(#""name":"X""#, with: "\"name\":\"A\u{202E}B\"")
                        .utf8), refusal: nil),
            .init(
                name: "escaped NUL in a name",
                bytes: Array(
                    reference.replacing("AMOUNT", with: "1").replacing(#""name":"X""#, with: #""name":"A\u0000B""#).utf8
                ), refusal: nil),
        ]
        // Every prefix of a valid event is incomplete JSON.
        for length in stride(from: 1, to: valid.count, by: max(1, valid.count / 60)) {
            cases.append(.init(name: "first \(length) bytes", bytes: Array(valid.prefix(length)), refusal: .syntax))
        }
        return cases
    }()

    @Test("each hostile document has its stated outcome", arguments: amounts + counts + limits + syntax)
    func outcome(_ document: HostileDocument) {
        do {
            let event = try EventDecoder().decode(document.bytes)
            #expect(document.refusal == nil, "accepted \(event.id), expected \(document.refusal?.name ?? "")")
        } catch {
            #expect(error.kind == document.refusal, "\(error)")
            #expect(!error.description.isEmpty)
        }
    }
}
