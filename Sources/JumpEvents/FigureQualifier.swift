/// How a source states a figure or a date of an event (`data.qualifiers`, keyed by a JSON Pointer into `data`
/// such as `/valueUsdCents` or `/period`): approximate (`about`, `more-than`), derived or assumed rather than
/// reported, with a note. Optional everywhere: an event without qualifiers states its figures as exact and reported.
public struct FigureQualifier: Sendable, Equatable, Codable {
    /// How far the figure is from exact.
    public enum Approximation: String, Sendable, CaseIterable, Codable {
        /// Roughly this much.
        case about
        /// More than this.
        case moreThan = "more-than"
        /// This or more.
        case atLeast = "at-least"
        /// Less than this.
        case lessThan = "less-than"
    }

    /// Where the figure comes from.
    public enum Basis: String, Sendable, CaseIterable, Codable {
        /// Stated by the source (the default).
        case reported
        /// Computed from reported figures.
        case derived
        /// An estimate.
        case estimated
        /// Assumed where the source says nothing (a date, a year).
        case assumed
        /// The source does not state it at all.
        case notStated = "not-stated"
    }

    /// How far from exact, if it is not.
    public var approximation: Approximation?
    /// Where it comes from, if not reported.
    public var basis: Basis?
    /// A note in the source's words.
    public var note: String?

    /// A qualifier.
    public init(approximation: Approximation? = nil, basis: Basis? = nil, note: String? = nil) {
        self.approximation = approximation
        self.basis = basis
        self.note = note
    }

    /// The most qualifiers one event may carry.
    static let maximumCount = 20

    /// Whether `key` can name a member of `data`: `/name` segments of letters and digits, at most 100 bytes.
    static func isPointer(_ key: some Collection<UInt8>) -> Bool {
        guard (2...100).contains(key.count), key.first == UInt8(ascii: "/") else { return false }
        var previous = UInt8(ascii: "/")
        for byte in key.dropFirst() {
            let letter = (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
            let digit = (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            if byte == UInt8(ascii: "/") {
                guard previous != UInt8(ascii: "/") else { return false }
            } else if previous == UInt8(ascii: "/") {
                guard letter else { return false }
            } else {
                guard letter || digit else { return false }
            }
            previous = byte
        }
        return previous != UInt8(ascii: "/")
    }
}

extension FigureQualifier {
    /// `data.qualifiers` as the schema (`defs.schema.json#/$defs/qualifiers`) states it.
    static func map(_ value: JSONValue, _ path: SchemaRules.Path) throws(EventRejection) -> [String: FigureQualifier] {
        guard case .object(let object) = value else {
            throw .schema(path(), "must be an object of JSON Pointers into data, got \(value.typeName)")
        }
        guard object.members.count <= maximumCount else {
            throw .schema(path(), "at most \(maximumCount) qualifiers, got \(object.members.count)")
        }
        var result: [String: FigureQualifier] = [:]
        for member in object.members {
            guard isPointer(Array(member.key.utf8)) else {
                throw .schema(
                    path(), "\"\(TerminalText.escaped(member.key))\" is not a JSON Pointer into data (/valueUsdCents)")
            }
            let base = path()
            var reader = try ObjectReader(member.value, at: base + "/" + Self.escapedToken(member.key))
            let qualifier = FigureQualifier(
                approximation: try reader.readIfPresent("approximation") { value, path throws(EventRejection) in
                    try SchemaRules.enumeration(value, path, Approximation.self)
                },
                basis: try reader.readIfPresent("basis") { value, path throws(EventRejection) in
                    try SchemaRules.enumeration(value, path, Basis.self)
                },
                note: try reader.readIfPresent("note", SchemaRules.text))
            try reader.rejectUnknown(allowed: ["approximation", "basis", "note"])
            result[member.key] = qualifier
        }
        return result
    }

    /// A member name as a JSON Pointer token (`~` → `~0`, `/` → `~1`).
    private static func escapedToken(_ key: String) -> String {
        key.replacing("~", with: "~0").replacing("/", with: "~1")
    }
}
