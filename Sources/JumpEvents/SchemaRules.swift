/// The rules of `Schemas/defs.schema.json`, mirrored: each reads one value at a JSON pointer or throws a
/// ``EventRejection`` naming it. Paths are built only when a rule fails.
enum SchemaRules {
    typealias Path = () -> String

    static func string(_ value: JSONValue, _ path: Path, length: ClosedRange<Int>) throws(EventRejection) -> String {
        guard case .string(let string) = value else {
            throw .schema(path(), "must be a string, got \(value.typeName)")
        }
        // JSON Schema counts code points; the byte count bounds it cheaply for ASCII.
        let bytes = string.utf8.count
        if bytes < length.lowerBound || bytes > length.upperBound {
            let count = string.unicodeScalars.count
            guard length.contains(count) else {
                throw .schema(path(), "must have \(length.lowerBound) to \(length.upperBound) characters, has \(count)")
            }
        }
        return string
    }

    static func name(_ value: JSONValue, _ path: Path) throws(EventRejection) -> String {
        try string(value, path, length: 1...200)
    }

    static func text(_ value: JSONValue, _ path: Path) throws(EventRejection) -> String {
        try string(value, path, length: 1...2000)
    }

    static func sector(_ value: JSONValue, _ path: Path) throws(EventRejection) -> String {
        try string(value, path, length: 1...100)
    }

    /// `^[a-z0-9][a-z0-9._:-]{0,63}$`.
    static func identifier(_ value: JSONValue, _ path: Path) throws(EventRejection) -> String {
        guard case .string(let string) = value else {
            throw .schema(path(), "must be an identifier string, got \(value.typeName)")
        }
        guard isIdentifier(string.utf8) else { throw invalidIdentifier(string, path) }
        return string
    }

    /// `^[a-z0-9][a-z0-9._:-]{0,63}$` over UTF-8 bytes.
    static func isIdentifier(_ bytes: some Sequence<UInt8>) -> Bool {
        var count = 0
        for byte in bytes {
            let isAlphanumeric =
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            let isPunctuation =
                byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":")
                || byte == UInt8(ascii: "-")
            guard isAlphanumeric || (count > 0 && isPunctuation) else { return false }
            count += 1
        }
        return (1...64).contains(count)
    }

    private static func invalidIdentifier(_ string: String, _ path: Path) -> EventRejection {
        .schema(
            path(),
            "\(quoted(string)) is not an identifier (1 to 64 of a-z, 0-9, '.', '_', ':', '-', starting with a-z or 0-9)"
        )
    }

    static func integer(_ value: JSONValue, _ path: Path, _ range: ClosedRange<Int64>) throws(EventRejection) -> Int64 {
        guard let integer = value.integerValue else {
            throw .schema(path(), "must be an integer, got \(value.typeName)")
        }
        guard range.contains(integer) else {
            throw .schema(path(), "must be from \(range.lowerBound) to \(range.upperBound), got \(integer)")
        }
        return integer
    }

    static func usdCents(_ value: JSONValue, _ path: Path) throws(EventRejection) -> Int64 {
        guard value.integerValue != nil else {
            throw .schema(path(), "must be a whole number of US cents, got \(value.typeName)")
        }
        return try integer(value, path, 0...1_000_000_000_000_000)
    }

    static func count(_ value: JSONValue, _ path: Path) throws(EventRejection) -> Int64 {
        try integer(value, path, 0...100_000_000)
    }

    /// `format: date`: `YYYY-MM-DD`, a real calendar date in years 1 to 9999.
    static func date(_ value: JSONValue, _ path: Path) throws(EventRejection) -> String {
        guard case .string(let string) = value else {
            throw .schema(path(), "must be a date string, got \(value.typeName)")
        }
        guard isDate(Array(string.utf8)) else { throw .schema(path(), "\(quoted(string)) is not a date (YYYY-MM-DD)") }
        return string
    }

    /// `YYYY-MM-DD`, a real calendar date.
    static func isDate<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes) -> Bool where Bytes.Index == Int {
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            let year = digits(bytes, 0..<4), let month = digits(bytes, 5..<7), let day = digits(bytes, 8..<10)
        else { return false }
        return isValidDate(year: year, month: month, day: day)
    }

    /// `format: date-time` (RFC 3339, as Python's rfc3339-validator reads it) with no white space.
    static func dateTime(_ value: JSONValue, _ path: Path) throws(EventRejection) -> String {
        guard case .string(let string) = value else {
            throw .schema(path(), "must be an RFC 3339 time, got \(value.typeName)")
        }
        guard isRFC3339(Array(string.utf8)) else {
            throw .schema(path(), "\(quoted(string)) is not an RFC 3339 time (such as 2023-06-15T17:00:00Z)")
        }
        return string
    }

    /// RFC 3339 `date-time` over UTF-8 bytes.
    static func isRFC3339<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes) -> Bool where Bytes.Index == Int {
        guard bytes.count >= 20, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            bytes[10] | 0x20 == UInt8(ascii: "t"), bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
            let year = digits(bytes, 0..<4), let month = digits(bytes, 5..<7), let day = digits(bytes, 8..<10),
            let hour = digits(bytes, 11..<13), let minute = digits(bytes, 14..<16),
            let second = digits(bytes, 17..<19), isValidDate(year: year, month: month, day: day), hour < 24,
            minute < 60, second <= 60
        else { return false }
        var index = 19
        if bytes[index] == UInt8(ascii: ".") {
            index += 1
            let start = index
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            guard index > start else { return false }
        }
        guard index < bytes.count else { return false }
        // A leap second (:60) is RFC 3339's only where the time in UTC is 23:59:60 (section 5.7).
        func leapSecondAllowed(offsetMinutes: Int) -> Bool {
            second < 60 || ((hour * 60 + minute - offsetMinutes) % 1440 + 1440) % 1440 == 23 * 60 + 59
        }
        if bytes[index] | 0x20 == UInt8(ascii: "z") {
            return index + 1 == bytes.count && leapSecondAllowed(offsetMinutes: 0)
        }
        guard bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-"), index + 6 == bytes.count,
            bytes[index + 3] == UInt8(ascii: ":"), let offsetHour = digits(bytes, index + 1..<index + 3),
            let offsetMinute = digits(bytes, index + 4..<index + 6), offsetHour < 24, offsetMinute < 60
        else { return false }
        let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
        return leapSecondAllowed(offsetMinutes: sign * (offsetHour * 60 + offsetMinute))
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    private static func digits<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes, _ range: Range<Int>) -> Int?
    where Bytes.Index == Int {
        var value = 0
        for index in range {
            guard isDigit(bytes[index]) else { return nil }
            value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
        }
        return value
    }

    static func isValidDate(year: Int, month: Int, day: Int) -> Bool {
        guard year >= 1, (1...12).contains(month), day >= 1 else { return false }
        let isLeap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let lengths = [31, isLeap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= lengths[month - 1]
    }

    /// `^[A-Z]{2}$`.
    static func country(_ value: JSONValue, _ path: Path) throws(EventRejection) -> String {
        guard case .string(let string) = value, isRegion(Array(string.utf8), subdivision: false) else {
            throw .schema(path(), "must be an ISO 3166-1 alpha-2 country code such as \"MX\", got \(describe(value))")
        }
        return string
    }

    /// `^[A-Z]{2}(-[A-Z0-9]{1,3})?$`.
    static func region(_ value: JSONValue, _ path: Path) throws(EventRejection) -> String {
        guard case .string(let string) = value, isRegion(Array(string.utf8), subdivision: true) else {
            throw .schema(path(), "must be an ISO 3166 code such as \"MX\" or \"US-UT\", got \(describe(value))")
        }
        return string
    }

    /// `^[A-Z]{2}$`, or with `subdivision` `^[A-Z]{2}(-[A-Z0-9]{1,3})?$`, over UTF-8 bytes.
    static func isRegion<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes, subdivision: Bool) -> Bool
    where Bytes.Index == Int {
        func isUpper(_ byte: UInt8) -> Bool { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) }
        guard bytes.count >= 2, isUpper(bytes[0]), isUpper(bytes[1]) else { return false }
        if bytes.count == 2 { return true }
        guard subdivision, (4...6).contains(bytes.count), bytes[2] == UInt8(ascii: "-") else { return false }
        return bytes[3...].allSatisfy { isUpper($0) || isDigit($0) }
    }

    static func enumeration<E: RawRepresentable<String> & CaseIterable>(
        _ value: JSONValue, _ path: Path, _: E.Type = E.self
    ) throws(EventRejection) -> E {
        guard case .string(let string) = value, let result = E(rawValue: string) else {
            let allowed = E.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            throw .schema(path(), "must be one of \(allowed), got \(describe(value))")
        }
        return result
    }

    static func array(_ value: JSONValue, _ path: Path, count: ClosedRange<Int>) throws(EventRejection) -> [JSONValue] {
        guard case .array(let elements) = value else {
            throw .schema(path(), "must be an array, got \(value.typeName)")
        }
        guard count.contains(elements.count) else {
            throw .schema(path(), "must have \(count.lowerBound) to \(count.upperBound) items, has \(elements.count)")
        }
        return elements
    }

    static func unique(_ strings: [String], _ path: Path) throws(EventRejection) {
        var seen = Set<String>()
        for string in strings where !seen.insert(string).inserted {
            throw .schema(path(), "items must be unique; \(quoted(string)) appears twice")
        }
    }

    /// A short, safe rendering of a value for a message (strings are quoted and cut).
    static func describe(_ value: JSONValue) -> String {
        if case .string(let string) = value { return quoted(string) }
        return value.typeName
    }

    static func quoted(_ string: String) -> String {
        let shown = string.unicodeScalars.prefix(60).map {
            $0.properties.generalCategory == .control ? "\u{FFFD}" : String($0)
        }
        return "\"\(shown.joined())\(string.unicodeScalars.count > 60 ? "…" : "")\""
    }
}

/// Reads an object's members under a JSON pointer, mirroring `required` and `additionalProperties: false`.
struct ObjectReader {
    let object: JSONObject
    let path: String
    private var consumed = 0

    init(_ value: JSONValue, at path: String) throws(EventRejection) {
        guard case .object(let object) = value else {
            throw .schema(path, "must be an object, got \(value.typeName)")
        }
        self.object = object
        self.path = path
    }

    /// The member, or a rejection naming the missing property.
    mutating func required(_ key: String) throws(EventRejection) -> JSONValue {
        guard let value = object[key] else {
            throw .schema(path.isEmpty ? "" : path, "missing required property \"\(key)\"")
        }
        consumed += 1
        return value
    }

    /// The member, if present.
    mutating func optional(_ key: String) -> JSONValue? {
        guard let value = object[key] else { return nil }
        consumed += 1
        return value
    }

    /// How many members were read.
    var consumedCount: Int { consumed }

    /// The JSON pointer of a member.
    func pointer(_ key: String) -> String { path + "/" + key }

    /// Refuses members this reader did not read.
    func rejectUnknown(allowed: [String]) throws(EventRejection) {
        guard consumed != object.members.count else { return }
        for member in object.members where !allowed.contains(member.key) {
            throw .schema(pointer(member.key), "unknown property (allowed: \(allowed.joined(separator: ", ")))")
        }
    }
}

extension ObjectReader {
    /// Reads a required member with a rule.
    mutating func read<T>(
        _ key: String, _ rule: (JSONValue, SchemaRules.Path) throws(EventRejection) -> T
    ) throws(EventRejection) -> T {
        let value = try required(key)
        let base = path
        return try rule(value, { base + "/" + key })
    }

    /// Reads an optional member with a rule.
    mutating func readIfPresent<T>(
        _ key: String, _ rule: (JSONValue, SchemaRules.Path) throws(EventRejection) -> T
    ) throws(EventRejection) -> T? {
        guard let value = optional(key) else { return nil }
        let base = path
        return try rule(value, { base + "/" + key })
    }
}
