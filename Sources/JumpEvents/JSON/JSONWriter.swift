/// Writes ``JSONValue`` as compact JSON (no white space), UTF-8.
///
/// Strings escape `"`, `\` and every control character, so a written document is always one line.
/// `sortedKeys` gives the canonical form used to derive content ids.
public struct JSONWriter {
    private var bytes: [UInt8] = []
    private let sortedKeys: Bool

    private init(sortedKeys: Bool) {
        self.sortedKeys = sortedKeys
        bytes.reserveCapacity(512)
    }

    /// The compact encoding of `value`; members in document order, or sorted by key.
    public static func encode(_ value: JSONValue, sortedKeys: Bool = false) -> [UInt8] {
        var writer = JSONWriter(sortedKeys: sortedKeys)
        writer.write(value)
        return writer.bytes
    }

    /// The compact encoding as a string.
    public static func string(_ value: JSONValue, sortedKeys: Bool = false) -> String {
        String(decoding: encode(value, sortedKeys: sortedKeys), as: UTF8.self)
    }

    /// `value` indented two spaces a level, members in document order, for a person to read (a dead letter's
    /// payload in the console); strings are escaped as in the compact form.
    package static func indented(_ value: JSONValue) -> String {
        var writer = JSONWriter(sortedKeys: false)
        writer.writeIndented(value, level: 0)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    private mutating func writeIndented(_ value: JSONValue, level: Int) {
        func newline(_ level: Int) {
            bytes.append(UInt8(ascii: "\n"))
            bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * level))
        }
        switch value {
        case .array(let elements) where !elements.isEmpty:
            bytes.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                newline(level + 1)
                writeIndented(element, level: level + 1)
            }
            newline(level)
            bytes.append(UInt8(ascii: "]"))
        case .object(let object) where !object.members.isEmpty:
            bytes.append(UInt8(ascii: "{"))
            for (index, member) in object.members.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                newline(level + 1)
                write(member.key)
                bytes.append(contentsOf: ": ".utf8)
                writeIndented(member.value, level: level + 1)
            }
            newline(level)
            bytes.append(UInt8(ascii: "}"))
        default: write(value)
        }
    }

    private mutating func write(_ value: JSONValue) {
        switch value {
        case .null: bytes.append(contentsOf: "null".utf8)
        case .bool(let flag): bytes.append(contentsOf: (flag ? "true" : "false").utf8)
        case .integer(let number): bytes.append(contentsOf: String(number).utf8)
        case .double(let number):
            if let integer = value.integerValue, abs(number) < 1e15 {
                bytes.append(contentsOf: String(integer).utf8)
            } else {
                bytes.append(contentsOf: "\(number)".utf8)
            }
        case .string(let string): write(string)
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                write(element)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let object):
            bytes.append(UInt8(ascii: "{"))
            let members =
                sortedKeys
                ? object.members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) } : object.members
            for (index, member) in members.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                write(member.key)
                bytes.append(UInt8(ascii: ":"))
                write(member.value)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    private mutating func write(_ string: String) { Self.appendString(string, to: &bytes) }

    /// Appends `string` as a JSON string literal (quoted, escaped as ``JSONWriter`` escapes) to `bytes`: for
    /// writers that compose a document from parts without building a ``JSONValue``.
    public static func appendString(_ string: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        appendEscaped(string, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends `string`'s content escaped for a JSON string literal, without the quotes: runs that need no escape
    /// (nearly all text) are copied whole.
    package static func appendEscaped(_ string: String, to bytes: inout [UInt8]) {
        let copied = string.utf8.withContiguousStorageIfAvailable { utf8 -> Bool in
            var runStart = 0
            for index in utf8.indices where needsEscape(utf8[index]) {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                appendEscape(of: utf8[index], to: &bytes)
                runStart = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
            return true
        }
        if copied == nil {
            for byte in string.utf8 {
                if needsEscape(byte) { appendEscape(of: byte, to: &bytes) } else { bytes.append(byte) }
            }
        }
    }

    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == 0x7F || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    private static func appendEscape(of byte: UInt8, to bytes: inout [UInt8]) {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"):
            bytes.append(UInt8(ascii: "\\"))
            bytes.append(byte)
        case 0x0A:
            bytes.append(UInt8(ascii: "\\"))
            bytes.append(UInt8(ascii: "n"))
        case 0x0D:
            bytes.append(UInt8(ascii: "\\"))
            bytes.append(UInt8(ascii: "r"))
        case 0x09:
            bytes.append(UInt8(ascii: "\\"))
            bytes.append(UInt8(ascii: "t"))
        case 0..<0x20, 0x7F:
            let hex: StaticString = "0123456789abcdef"
            bytes.append(UInt8(ascii: "\\"))
            bytes.append(UInt8(ascii: "u"))
            bytes.append(UInt8(ascii: "0"))
            bytes.append(UInt8(ascii: "0"))
            bytes.append(hex.utf8Start[Int(byte >> 4)])
            bytes.append(hex.utf8Start[Int(byte & 0xF)])
        default: bytes.append(byte)
        }
    }
}
