/// Limits a decoder enforces before any schema rule: they bound the memory and time one document may cost.
public struct JSONLimits: Sendable, Equatable {
    /// The largest document, in bytes; default 64 KiB.
    public var maximumBytes: Int = 64 * 1024
    /// The deepest nesting of arrays and objects; default 16.
    public var maximumDepth: Int = 16
    /// The longest string (key or value), in UTF-8 bytes after unescaping; default 8 KiB.
    public var maximumStringBytes: Int = 8 * 1024

    /// The default limits.
    public init() {}
}

/// Why a document is not acceptable JSON, and the byte offset where that was found.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of problem it is.
    public enum Kind: String, Sendable {
        /// The document is larger than ``JSONLimits/maximumBytes``.
        case tooLarge = "too-large"
        /// The bytes are not valid UTF-8.
        case invalidUTF8 = "invalid-utf8"
        /// Not JSON (RFC 8259).
        case syntax
        /// Nested deeper than ``JSONLimits/maximumDepth``.
        case tooDeep = "too-deep"
        /// A string longer than ``JSONLimits/maximumStringBytes``.
        case stringTooLong = "string-too-long"
        /// An object has the same key twice.
        case duplicateKey = "duplicate-key"
    }

    /// What kind of problem it is.
    public var kind: Kind
    /// Where in the document (bytes from its start).
    public var offset: Int
    /// A sentence naming the problem.
    public var message: String

    /// `message (at byte N)`.
    public var description: String { "\(message) (at byte \(offset))" }
}

/// A strict, fast JSON parser (RFC 8259) over UTF-8 bytes, with limits: it refuses invalid UTF-8, duplicate
/// keys, lone surrogate escapes, control characters in strings, and anything past the limits.
public struct JSONParser {
    private let limits: JSONLimits

    /// A parser with the given limits.
    public init(limits: JSONLimits = JSONLimits()) { self.limits = limits }

    /// Parses one complete document; only white space may surround it.
    public func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONParseError) -> JSONValue {
        guard bytes.count <= limits.maximumBytes else {
            throw JSONParseError(
                kind: .tooLarge, offset: limits.maximumBytes,
                message: "document of \(bytes.count) bytes exceeds the limit of \(limits.maximumBytes)")
        }
        var cursor = Cursor(buffer: bytes, limits: limits)
        return try cursor.parseDocument()
    }

    /// Parses one complete document from bytes.
    public func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        try parse(bytes[...])
    }

    /// Parses one complete document from a slice of bytes (a line of a larger input).
    public func parse(_ bytes: ArraySlice<UInt8>) throws(JSONParseError) -> JSONValue {
        let result = bytes.withUnsafeBytes { buffer in Result { () throws(JSONParseError) in try parse(buffer) } }
        return try result.get()
    }

    /// Parses one complete document from a string's UTF-8.
    public func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8))
    }
}

/// The parser's position in the document.
private struct Cursor {
    let buffer: UnsafeRawBufferPointer
    let limits: JSONLimits
    var index = 0
    var depth = 0

    init(buffer: UnsafeRawBufferPointer, limits: JSONLimits) {
        self.buffer = buffer
        self.limits = limits
    }

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        guard index == buffer.count else { throw error(.syntax, "unexpected \(describeCurrent()) after the value") }
        return value
    }

    func error(_ kind: JSONParseError.Kind, _ message: String) -> JSONParseError {
        JSONParseError(kind: kind, offset: index, message: message)
    }

    func describeCurrent() -> String {
        guard index < buffer.count else { return "end of input" }
        let byte = buffer[index]
        return (0x21..<0x7F).contains(byte)
            ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
    }

    mutating func skipWhitespace() {
        while index < buffer.count {
            switch buffer[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    mutating func parseValue() throws(JSONParseError) -> JSONValue {
        guard index < buffer.count else { throw error(.syntax, "unexpected end of input, expected a value") }
        switch buffer[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): return try parseLiteral("true", .bool(true))
        case UInt8(ascii: "f"): return try parseLiteral("false", .bool(false))
        case UInt8(ascii: "n"): return try parseLiteral("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error(.syntax, "unexpected \(describeCurrent()), expected a value")
        }
    }

    mutating func parseLiteral(_ word: StaticString, _ value: JSONValue) throws(JSONParseError) -> JSONValue {
        let count = word.utf8CodeUnitCount
        guard index + count <= buffer.count,
            (0..<count).allSatisfy({ buffer[index + $0] == word.utf8Start[$0] })
        else { throw error(.syntax, "unexpected \(describeCurrent()), expected a value") }
        index += count
        return value
    }

    mutating func enter() throws(JSONParseError) {
        depth += 1
        guard depth <= limits.maximumDepth else {
            throw error(.tooDeep, "nested deeper than \(limits.maximumDepth) levels")
        }
    }

    mutating func parseObject() throws(JSONParseError) -> JSONValue {
        try enter()
        index += 1
        var members: [JSONMember] = []
        members.reserveCapacity(8)
        skipWhitespace()
        if index < buffer.count, buffer[index] == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return .object(JSONObject(members))
        }
        var keys: Set<String>?
        while true {
            skipWhitespace()
            guard index < buffer.count, buffer[index] == UInt8(ascii: "\"") else {
                throw error(.syntax, "unexpected \(describeCurrent()), expected a key in double quotes")
            }
            let keyOffset = index
            let key = try parseString()
            // Small objects are searched; large ones get a set.
            if members.count < 16 {
                if members.contains(where: { $0.key == key }) {
                    throw JSONParseError(kind: .duplicateKey, offset: keyOffset, message: "duplicate key \"\(key)\"")
                }
            } else {
                if keys == nil { keys = Set(members.map(\.key)) }
                if !keys!.insert(key).inserted {
                    throw JSONParseError(kind: .duplicateKey, offset: keyOffset, message: "duplicate key \"\(key)\"")
                }
            }
            skipWhitespace()
            guard index < buffer.count, buffer[index] == UInt8(ascii: ":") else {
                throw error(.syntax, "unexpected \(describeCurrent()), expected ':' after key \"\(key)\"")
            }
            index += 1
            skipWhitespace()
            members.append(JSONMember(key: key, value: try parseValue()))
            skipWhitespace()
            guard index < buffer.count else { throw error(.syntax, "unexpected end of input in an object") }
            if buffer[index] == UInt8(ascii: ",") {
                index += 1
            } else if buffer[index] == UInt8(ascii: "}") {
                index += 1
                depth -= 1
                return .object(JSONObject(members))
            } else {
                throw error(.syntax, "unexpected \(describeCurrent()), expected ',' or '}'")
            }
        }
    }

    mutating func parseArray() throws(JSONParseError) -> JSONValue {
        try enter()
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if index < buffer.count, buffer[index] == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue())
            skipWhitespace()
            guard index < buffer.count else { throw error(.syntax, "unexpected end of input in an array") }
            if buffer[index] == UInt8(ascii: ",") {
                index += 1
            } else if buffer[index] == UInt8(ascii: "]") {
                index += 1
                depth -= 1
                return .array(elements)
            } else {
                throw error(.syntax, "unexpected \(describeCurrent()), expected ',' or ']'")
            }
        }
    }

    mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = index
        var isInteger = true
        if buffer[index] == UInt8(ascii: "-") { index += 1 }
        guard index < buffer.count, isDigit(buffer[index]) else {
            throw error(.syntax, "a number needs digits after '-'")
        }
        if buffer[index] == UInt8(ascii: "0") {
            index += 1
            if index < buffer.count, isDigit(buffer[index]) { throw error(.syntax, "a number may not start with 0") }
        } else {
            while index < buffer.count, isDigit(buffer[index]) { index += 1 }
        }
        if index < buffer.count, buffer[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard index < buffer.count, isDigit(buffer[index]) else {
                throw error(.syntax, "digits expected after '.'")
            }
            while index < buffer.count, isDigit(buffer[index]) { index += 1 }
        }
        if index < buffer.count, buffer[index] | 0x20 == UInt8(ascii: "e") {
            isInteger = false
            index += 1
            if index < buffer.count, buffer[index] == UInt8(ascii: "+") || buffer[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard index < buffer.count, isDigit(buffer[index]) else {
                throw error(.syntax, "digits expected in the exponent")
            }
            while index < buffer.count, isDigit(buffer[index]) { index += 1 }
        }
        let text = UnsafeRawBufferPointer(rebasing: buffer[start..<index])
        if isInteger, text.count <= 19 {
            var value: Int64 = 0
            let negative = text[0] == UInt8(ascii: "-")
            for byte in text.dropFirst(negative ? 1 : 0) { value = value &* 10 &+ Int64(byte &- 48) }
            if text.count < 19 || value >= 0 { return .integer(negative ? -value : value) }
        }
        // A fraction or an exponent: a whole number written so (`1.0`, `1E2`, `1.5e15`) is an integer, decided
        // from the digits themselves; `1e-400` or `99999999.99999999999999` stay fractions, although a Double
        // would round them to whole numbers.
        if !isInteger, let whole = NumberLiteral.exactInteger(text) { return .integer(whole) }
        let string = String(decoding: text, as: UTF8.self)
        guard let double = Double(string), double.isFinite else {
            throw JSONParseError(kind: .syntax, offset: start, message: "number \(string) is out of range")
        }
        return .double(double)
    }

    func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    /// Parses a string at the opening quote; fast path when it has no escapes.
    mutating func parseString() throws(JSONParseError) -> String {
        index += 1
        let start = index
        var isASCII = true
        while index < buffer.count {
            let byte = buffer[index]
            isASCII = isASCII && byte < 0x80
            if byte == UInt8(ascii: "\"") {
                let bytes = UnsafeRawBufferPointer(rebasing: buffer[start..<index])
                try checkLength(bytes.count, at: start)
                if isASCII {
                    index += 1
                    return String(decoding: bytes, as: UTF8.self)
                }
                guard let string = String(validating: bytes, as: UTF8.self) else {
                    throw JSONParseError(kind: .invalidUTF8, offset: start, message: "a string is not valid UTF-8")
                }
                index += 1
                return string
            }
            if byte == UInt8(ascii: "\\") { return try parseEscapedString(from: start) }
            if byte < 0x20 { throw error(.syntax, "control character 0x\(String(byte, radix: 16)) in a string") }
            index += 1
        }
        throw error(.syntax, "unterminated string")
    }

    func checkLength(_ count: Int, at offset: Int) throws(JSONParseError) {
        guard count <= limits.maximumStringBytes else {
            throw JSONParseError(
                kind: .stringTooLong, offset: offset,
                message: "a string of more than \(limits.maximumStringBytes) bytes")
        }
    }

    mutating func parseEscapedString(from start: Int) throws(JSONParseError) -> String {
        var bytes = [UInt8](UnsafeRawBufferPointer(rebasing: buffer[start..<index]))
        while index < buffer.count {
            let byte = buffer[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                try checkLength(bytes.count, at: start)
                guard let string = String(validating: bytes, as: UTF8.self) else {
                    throw JSONParseError(kind: .invalidUTF8, offset: start, message: "a string is not valid UTF-8")
                }
                return string
            case UInt8(ascii: "\\"):
                index += 1
                guard index < buffer.count else { break }
                let escape = buffer[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): bytes.append(escape)
                case UInt8(ascii: "b"): bytes.append(0x08)
                case UInt8(ascii: "f"): bytes.append(0x0C)
                case UInt8(ascii: "n"): bytes.append(0x0A)
                case UInt8(ascii: "r"): bytes.append(0x0D)
                case UInt8(ascii: "t"): bytes.append(0x09)
                case UInt8(ascii: "u"): bytes.append(contentsOf: try parseUnicodeEscape())
                default:
                    index -= 1
                    throw error(.syntax, "invalid escape \\\(Character(Unicode.Scalar(escape)))")
                }
            case 0..<0x20:
                throw error(.syntax, "control character 0x\(String(byte, radix: 16)) in a string")
            default:
                bytes.append(byte)
                index += 1
            }
            if bytes.count > limits.maximumStringBytes { try checkLength(bytes.count, at: start) }
        }
        throw error(.syntax, "unterminated string")
    }

    /// After `\u`: four hex digits, and a second escape for a surrogate pair; returns the UTF-8 bytes.
    mutating func parseUnicodeEscape() throws(JSONParseError) -> [UInt8] {
        let first = try parseHex4()
        var scalarValue = UInt32(first)
        if (0xD800..<0xDC00).contains(first) {
            guard index + 1 < buffer.count, buffer[index] == UInt8(ascii: "\\"), buffer[index + 1] == UInt8(ascii: "u")
            else { throw error(.syntax, "lone surrogate \\u\(String(first, radix: 16)) in a string") }
            index += 2
            let second = try parseHex4()
            guard (0xDC00..<0xE000).contains(second) else {
                throw error(.syntax, "lone surrogate \\u\(String(first, radix: 16)) in a string")
            }
            scalarValue = 0x10000 + ((UInt32(first) - 0xD800) << 10) + (UInt32(second) - 0xDC00)
        } else if (0xDC00..<0xE000).contains(first) {
            throw error(.syntax, "lone surrogate \\u\(String(first, radix: 16)) in a string")
        }
        return Array(String(Character(Unicode.Scalar(scalarValue)!)).utf8)
    }

    mutating func parseHex4() throws(JSONParseError) -> UInt16 {
        guard index + 4 <= buffer.count else { throw error(.syntax, "\\u needs four hex digits") }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let byte = buffer[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error(.syntax, "\\u needs four hex digits")
            }
            value = value << 4 | UInt16(digit)
            index += 1
        }
        return value
    }
}
