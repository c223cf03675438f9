import Foundation

/// What ``EventScanner`` found in a valid, complete event: its type and where its subject, id and source are.
public struct ScannedEvent: Sendable, Equatable {
    /// The event type.
    public var type: JumpEventType
    /// The byte offsets of the subject's text (the Kafka key), within the scanned bytes.
    public var subject: Range<Int>
    /// The byte offsets of the id's text.
    public var id: Range<Int>
    /// The byte offsets of the source's text.
    package var source: Range<Int>
    /// The byte offsets of `data`, from its `{` to its `}`.
    package var data: Range<Int>
}

/// A one-pass check of an event against the contract that builds nothing (no tree, no strings): the fast path of
/// `jump-producer`, and, with its typed read (``decode(_:)``), of the state worker.
///
/// It answers only "valid and complete" or "ask ``EventDecoder``": `nil` for anything it does not prove valid,
/// which includes every invalid event but also valid ones written unusually (escapes in strings, numbers such as
/// `1.0`, extension attributes, `data` before `type`, absent attributes the publisher fills in). The decoder then
/// gives the exact verdict and reason, so a scan never changes what is accepted: whatever it accepts, the decoder
/// accepts with the same type, subject and id, and ``decode(_:)`` reads the same event, field for field
/// (`EventScannerTests` and the fuzzer hold it to that).
public struct EventScanner: Sendable {
    /// The decoder's limits, which the scan respects.
    public var limits: JSONLimits

    /// A scanner with the given limits.
    public init(limits: JSONLimits = JSONLimits()) { self.limits = limits }

    /// Scans one event; `nil` when the full decoder must decide.
    public func scan(_ bytes: UnsafeRawBufferPointer) -> ScannedEvent? {
        guard bytes.count <= limits.maximumBytes, let base = bytes.baseAddress else { return nil }
        var cursor = ScanCursor(
            base: base.assumingMemoryBound(to: UInt8.self), count: bytes.count, limits: limits)
        return cursor.envelope()
    }

    /// Scans one event held in a slice (its offsets count from the slice's start).
    public func scan(_ bytes: ArraySlice<UInt8>) -> ScannedEvent? {
        bytes.withUnsafeBytes { scan($0) }
    }
}

/// The envelope attributes, one bit each.
private enum Envelope: UInt16, CaseIterable {
    case specversion, id, source, type, subject, time, datacontenttype, dataschema, data

    static let all: UInt16 = (1 << UInt16(allCases.count)) - 1
    var bit: UInt16 { 1 << rawValue }
    var name: StaticString {
        switch self {
        case .specversion: "specversion"
        case .id: "id"
        case .source: "source"
        case .type: "type"
        case .subject: "subject"
        case .time: "time"
        case .datacontenttype: "datacontenttype"
        case .dataschema: "dataschema"
        case .data: "data"
        }
    }
}

/// A string found by the scan: its content's offsets and its length in code points.
private struct ScannedString {
    var range: Range<Int>
    var codePoints: Int
}

/// The scan's position. Every method returns `nil` (or `false`) for anything outside the fast path.
private struct ScanCursor: JSONByteCursor {
    let base: UnsafePointer<UInt8>
    let count: Int
    let limits: JSONLimits
    let rules = CompiledScanRules.shared
    var index = 0

    init(base: UnsafePointer<UInt8>, count: Int, limits: JSONLimits) {
        self.base = base
        self.count = count
        self.limits = limits
    }

    /// The envelope attribute a key names.
    func attribute(_ key: Range<Int>) -> Envelope? {
        let candidate: Envelope
        switch key.count {
        case 2: candidate = .id
        case 4:
            switch base[key.lowerBound + 1] {
            case UInt8(ascii: "y"): candidate = .type
            case UInt8(ascii: "i"): candidate = .time
            default: candidate = .data
            }
        case 6: candidate = .source
        case 7: candidate = .subject
        case 10: candidate = .dataschema
        case 11: candidate = .specversion
        case 15: candidate = .datacontenttype
        default: return nil
        }
        return equals(key, candidate.name) ? candidate : nil
    }

    mutating func envelope() -> ScannedEvent? {
        guard limits.maximumDepth >= 4, take(UInt8(ascii: "{")) else { return nil }
        var seen: UInt16 = 0
        var type: Int?
        var subject: Range<Int>?
        var id: Range<Int>?
        var source: Range<Int>?
        var dataschema: Range<Int>?
        var data: Range<Int>?
        while true {
            guard let key = key(), let attribute = attribute(key), seen & attribute.bit == 0 else { return nil }
            seen |= attribute.bit
            if attribute == .data {
                skipWhitespace()
                let start = index
                guard let type, object(rules.dataObjects[type], depth: 2) else { return nil }
                data = start..<index
            } else {
                guard let value = string(), string(value, attribute, type: &type, subject: &subject, id: &id) else {
                    return nil
                }
                if attribute == .dataschema { dataschema = value.range }
                if attribute == .source { source = value.range }
            }
            guard let more = next(closing: UInt8(ascii: "}")) else { return nil }
            if !more { break }
        }
        skipWhitespace()
        guard index == count, seen == Envelope.all, let type, let subject, let id, let source, let dataschema,
            let data
        else {
            return nil
        }
        let schemas = rules.dataschemas[type]
        guard
            (schemas.firstField..<schemas.firstField + schemas.fieldCount).contains(where: {
                rules.isName($0, bytes(dataschema))
            })
        else { return nil }
        return ScannedEvent(type: JumpEventType.allCases[type], subject: subject, id: id, source: source, data: data)
    }

    /// Checks the string value of an envelope attribute (all but `data`), noting the type, subject and id.
    func string(
        _ value: ScannedString, _ attribute: Envelope, type: inout Int?, subject: inout Range<Int>?,
        id: inout Range<Int>?
    ) -> Bool {
        let text = bytes(value.range)
        switch attribute {
        case .specversion: return equals(value.range, "1.0")
        case .id:
            id = value.range
            return (1...128).contains(value.codePoints)
        case .source: return (1...256).contains(value.codePoints)
        case .type:
            type = rules.typeNames.firstIndex { rules.isName($0, text) }
            return type != nil
        case .subject:
            subject = value.range
            return SchemaRules.isIdentifier(text)
        case .time: return SchemaRules.isRFC3339(text)
        case .datacontenttype: return equals(value.range, "application/json")
        case .dataschema, .data: return true
        }
    }

    // MARK: Values

    mutating func value(_ ruleIndex: Int32, depth: Int) -> Bool {
        let rule = rules.rules[Int(ruleIndex)]
        switch rule.kind {
        case .object: return object(rule.child, depth: depth + 1)
        case .array: return array(rule, depth: depth + 1)
        case .qualifiers: return qualifiers(rule, depth: depth + 1)
        case .integer:
            guard let integer = integer() else { return false }
            return (rule.lower...rule.upper).contains(integer)
        default: break
        }
        guard let value = string() else { return false }
        let text = bytes(value.range)
        switch rule.kind {
        case .identifier: return SchemaRules.isIdentifier(text)
        case .string: return (rule.lower...rule.upper).contains(Int64(value.codePoints))
        case .date: return SchemaRules.isDate(text)
        case .dateTime: return SchemaRules.isRFC3339(text)
        case .country: return SchemaRules.isRegion(text, subdivision: false)
        case .region: return SchemaRules.isRegion(text, subdivision: true)
        case .oneOf: return (rule.child..<rule.child + Int32(rule.upper)).contains { rules.isName($0, text) }
        case .integer, .object, .array, .qualifiers: return false
        }
    }

    /// An object whose members follow object `objectIndex`, every required one present, none twice, no other.
    mutating func object(_ objectIndex: Int32, depth: Int) -> Bool {
        guard depth <= limits.maximumDepth, take(UInt8(ascii: "{")) else { return false }
        let object = rules.objects[Int(objectIndex)]
        if object.requiredMask == 0, take(UInt8(ascii: "}")) { return true }
        var seen: UInt64 = 0
        while true {
            guard let key = key() else { return false }
            let name = bytes(key)
            guard
                let field = (object.firstField..<object.firstField + object.fieldCount).first(where: {
                    rules.isName($0, name)
                })
            else { return false }
            let bit: UInt64 = 1 << UInt64(field - object.firstField)
            guard seen & bit == 0 else { return false }
            seen |= bit
            guard value(rules.fields[Int(field)].rule, depth: depth), let more = next(closing: UInt8(ascii: "}"))
            else { return false }
            if !more { return seen & object.requiredMask == object.requiredMask }
        }
    }

    /// `data.qualifiers`: members named by JSON Pointers (no escapes, none twice), each an object of `rule.child`,
    /// at most `rule.upper` of them.
    mutating func qualifiers(_ rule: CompiledScanRules.Rule, depth: Int) -> Bool {
        guard depth <= limits.maximumDepth, take(UInt8(ascii: "{")) else { return false }
        skipWhitespace()
        if take(UInt8(ascii: "}")) { return true }
        var keys: [Range<Int>] = []
        while true {
            guard let key = key() else { return false }
            // A key with an escape ends the scan before this, so its bytes are its text.
            let name = bytes(key)
            guard FigureQualifier.isPointer(name), !keys.contains(where: { bytes($0).elementsEqual(name) }),
                keys.count < rule.upper, object(rule.child, depth: depth + 1)
            else { return false }
            keys.append(key)
            guard let more = next(closing: UInt8(ascii: "}")) else { return false }
            if !more { return true }
        }
    }

    /// An array following `rule`: items of its rule, as many as it allows; with `unique`, no two equal (as Swift
    /// compares strings).
    mutating func array(_ rule: CompiledScanRules.Rule, depth: Int) -> Bool {
        guard depth <= limits.maximumDepth, take(UInt8(ascii: "[")) else { return false }
        var items: [Range<Int>] = []
        var itemCount: Int64 = 0
        while true {
            skipWhitespace()
            let start = index
            guard itemCount < rule.upper, value(rule.child, depth: depth) else { return false }
            if rule.unique { items.append(start..<index) }
            itemCount += 1
            guard let more = next(closing: UInt8(ascii: "]")) else { return false }
            if !more { return itemCount >= rule.lower && (!rule.unique || allDifferent(items)) }
        }
    }

    /// Whether no two of these string values are equal; non-ASCII ones are compared as `String`s (canonical
    /// equivalence), as the decoder's set of strings does.
    func allDifferent(_ items: [Range<Int>]) -> Bool {
        let strings = items.map { String(decoding: bytes($0.lowerBound + 1..<$0.upperBound - 1), as: UTF8.self) }
        return Set(strings).count == strings.count
    }

    // MARK: Tokens

    /// After a value: `true` at a comma (more follows), `false` at `closing` (taken), `nil` at anything else.
    mutating func next(closing: UInt8) -> Bool? {
        skipWhitespace()
        guard index < count else { return nil }
        let byte = base[index]
        index += 1
        if byte == UInt8(ascii: ",") { return true }
        if byte == closing { return false }
        return nil
    }

    /// A member's key and the colon after it.
    mutating func key() -> Range<Int>? {
        guard let key = string(), take(UInt8(ascii: ":")) else { return nil }
        return key.range
    }

    /// A string without escapes or control characters, valid UTF-8, within the string limit.
    mutating func string() -> ScannedString? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = index
        var continuationBytes = 0
        while true {
            // Eight bytes at a time to the first quote, backslash, control character or non-ASCII byte.
            while index + 8 <= count {
                let special = Self.specialBytes(UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
                if special != 0 {
                    index += special.trailingZeroBitCount >> 3
                    break
                }
                index += 8
            }
            guard index < count else { return nil }
            let byte = base[index]
            if byte == UInt8(ascii: "\"") {
                let range = start..<index
                index += 1
                guard range.count <= limits.maximumStringBytes else { return nil }
                return ScannedString(range: range, codePoints: range.count - continuationBytes)
            }
            if byte < 0x20 || byte == UInt8(ascii: "\\") { return nil }
            if byte < 0x80 {
                index += 1
            } else {
                guard let length = utf8SequenceLength() else { return nil }
                index += length
                continuationBytes += length - 1
            }
        }
    }

    /// The high bit of each byte of `word` (little-endian) that is `"`, `\`, below 0x20 or above 0x7F. Bytes after
    /// the first such byte may be marked wrongly; the first one never is, and it is all the scan uses.
    static func specialBytes(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        func zeroBytes(_ value: UInt64) -> UInt64 { (value &- ones) & ~value & highs }
        let belowSpace = (word &- ones &* 0x20) & ~word & highs
        return (word & highs) | belowSpace | zeroBytes(word ^ (ones &* 0x22)) | zeroBytes(word ^ (ones &* 0x5C))
    }

    /// The length of the well-formed UTF-8 sequence at the cursor (RFC 3629: no overlongs, surrogates or values
    /// past U+10FFFF), or `nil`.
    func utf8SequenceLength() -> Int? {
        let lead = base[index]
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0:
            length = 3
            low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED:
            length = 3
            high = 0x9F
        case 0xF0:
            length = 4
            low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4:
            length = 4
            high = 0x8F
        default: return nil
        }
        guard index + length <= count, (low...high).contains(base[index + 1]) else { return nil }
        for offset in 2..<length where !(0x80...0xBF).contains(base[index + offset]) { return nil }
        return length
    }

    func bytes(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: base + range.lowerBound, count: range.count)
    }

    func equals(_ range: Range<Int>, _ expected: StaticString) -> Bool {
        range.count == expected.utf8CodeUnitCount
            && equalBytes(base + range.lowerBound, expected.utf8Start, range.count)
    }
}

/// A position in the bytes of one JSON document, for the scan and its typed read.
protocol JSONByteCursor {
    var base: UnsafePointer<UInt8> { get }
    var count: Int { get }
    var index: Int { get set }
}

extension JSONByteCursor {
    mutating func skipWhitespace() {
        while index < count {
            switch base[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    /// Skips white space and takes `byte` if it comes next.
    mutating func take(_ byte: UInt8) -> Bool {
        skipWhitespace()
        guard index < count, base[index] == byte else { return false }
        index += 1
        return true
    }

    /// An integer written as digits only (no fraction, exponent or leading zero), of at most 18 digits.
    mutating func integer() -> Int64? {
        skipWhitespace()
        guard index < count else { return nil }
        let negative = base[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        let start = index
        var value: Int64 = 0
        while index < count, base[index] &- UInt8(ascii: "0") < 10 {
            value = value &* 10 &+ Int64(base[index] &- UInt8(ascii: "0"))
            index += 1
        }
        let digits = index - start
        guard (1...18).contains(digits), digits == 1 || base[start] != UInt8(ascii: "0") else { return nil }
        if index < count, base[index] == UInt8(ascii: ".") || base[index] | 0x20 == UInt8(ascii: "e") { return nil }
        return negative ? -value : value
    }
}
