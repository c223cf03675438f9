/// The contract of `Schemas/` written as data, for ``EventScanner``: the rules the decoders of
/// `EventPayloads+Decoding.swift` apply in code. `ScanRulesTests` checks every rule against the schema files.
indirect enum ScanRule: Sendable, CustomStringConvertible {
    /// `^[a-z0-9][a-z0-9._:-]{0,63}$`.
    case identifier
    /// A string of this many code points.
    case string(ClosedRange<Int>)
    /// `format: date`.
    case date
    /// `format: date-time`.
    case dateTime
    /// `^[A-Z]{2}$`.
    case country
    /// `^[A-Z]{2}(-[A-Z0-9]{1,3})?$`.
    case region
    /// One of these strings.
    case oneOf([[UInt8]])
    /// An integer in this range.
    case integer(ClosedRange<Int64>)
    /// An object with these members and no others.
    case object(ScanObject)
    /// An array of values of one rule, with this many items, unique if asked.
    case array(ScanRule, count: ClosedRange<Int>, unique: Bool)
    /// `data.qualifiers`: at most ``FigureQualifier/maximumCount`` members named by JSON Pointers, each an object
    /// of this rule.
    case qualifiers(ScanObject)

    static let name = ScanRule.string(1...200)
    static let text = ScanRule.string(1...2000)
    static let sector = ScanRule.string(1...100)
    static let usdCents = ScanRule.integer(0...1_000_000_000_000_000)
    static let count = ScanRule.integer(0...100_000_000)

    /// The raw values of an enumeration.
    static func values<E: RawRepresentable<String> & CaseIterable>(_: E.Type) -> ScanRule {
        .oneOf(E.allCases.map { Array($0.rawValue.utf8) })
    }

    static let company = ScanRule.object(
        ScanObject(required: [
            "id": .identifier, "name": name, "country": values(PartnerCountry.self), "sector": sector,
        ]))
    static let qualifiers = ScanRule.qualifiers(
        ScanObject(
            required: [:],
            optional: [
                "approximation": values(FigureQualifier.Approximation.self),
                "basis": values(FigureQualifier.Basis.self), "note": text,
            ]))
    static let period = ScanRule.object(
        ScanObject(required: ["year": .integer(1990...2100)], optional: ["quarter": .integer(1...4)]))

    /// A compact rendering the schema test compares with (`string 1...200`, `object {a: …, b?: …}`).
    var description: String {
        switch self {
        case .identifier: "identifier"
        case .string(let length): "string \(length)"
        case .date: "date"
        case .dateTime: "date-time"
        case .country: "country"
        case .region: "region"
        case .oneOf(let values):
            "one of " + values.map { String(decoding: $0, as: UTF8.self) }.sorted().joined(separator: ",")
        case .integer(let range): "integer \(range)"
        case .object(let object): "\(object)"
        case .array(let item, let count, let unique): "array \(count)\(unique ? " unique" : "") of \(item)"
        case .qualifiers(let object): "qualifiers of \(object)"
        }
    }
}

/// The members an object may have, each with its rule; which are required.
struct ScanObject: Sendable, CustomStringConvertible {
    /// One member.
    struct Field: Sendable {
        var name: [UInt8]
        var rule: ScanRule
    }
    /// Required members first, then optional ones (at most 64 in all).
    let fields: [Field]
    /// One bit per required field.
    let requiredMask: UInt64

    init(required: KeyValuePairs<String, ScanRule>, optional: KeyValuePairs<String, ScanRule> = [:]) {
        fields = (required.map { $0 } + optional.map { $0 }).map { Field(name: Array($0.key.utf8), rule: $0.value) }
        requiredMask = required.count == 64 ? ~0 : (1 << UInt64(required.count)) - 1
    }

    var description: String {
        let members = fields.enumerated().map { index, field in
            String(decoding: field.name, as: UTF8.self) + (requiredMask & (1 << UInt64(index)) == 0 ? "?" : "")
                + ": \(field.rule)"
        }
        return "object {" + members.sorted().joined(separator: ", ") + "}"
    }
}

extension JumpEventType {
    /// The rules of this type's `data`.
    var dataRule: ScanObject {
        switch self {
        case .expansionAnnounced: Self.expansionAnnouncedRule
        case .expansionCompleted: Self.expansionCompletedRule
        case .expansionWithdrawn: Self.expansionWithdrawnRule
        case .investmentAnnounced: Self.investmentAnnouncedRule
        case .exportsReported: Self.exportsReportedRule
        case .jobsReported: Self.jobsReportedRule
        case .meetingHeld: Self.meetingHeldRule
        case .initiativeAnnounced: Self.initiativeAnnouncedRule
        }
    }

    private static let expansionAnnouncedRule = ScanObject(
        required: [
            "expansionId": .identifier, "company": ScanRule.company, "direction": ScanRule.values(Direction.self),
            "location": .object(ScanObject(required: ["city": ScanRule.name, "region": .region])),
            "announcedOn": .date,
        ],
        optional: [
            "plannedJobs": ScanRule.count, "plannedInvestmentUsdCents": ScanRule.usdCents,
            "qualifiers": ScanRule.qualifiers,
        ])
    private static let expansionCompletedRule = ScanObject(
        required: [
            "expansionId": .identifier, "companyId": .identifier, "actualJobs": ScanRule.count,
            "actualInvestmentUsdCents": ScanRule.usdCents, "openedOn": .date,
        ], optional: ["qualifiers": ScanRule.qualifiers])
    private static let expansionWithdrawnRule = ScanObject(
        required: [
            "expansionId": .identifier, "companyId": .identifier, "reason": ScanRule.values(WithdrawalReason.self),
            "withdrawnOn": .date,
        ], optional: ["note": ScanRule.text, "qualifiers": ScanRule.qualifiers])
    private static let investmentAnnouncedRule = ScanObject(
        required: [
            "investmentId": .identifier, "investor": ScanRule.company, "direction": ScanRule.values(Direction.self),
            "amountUsdCents": ScanRule.usdCents, "sector": ScanRule.sector, "region": .region, "announcedOn": .date,
        ], optional: ["qualifiers": ScanRule.qualifiers])
    private static let exportsReportedRule = ScanObject(
        required: [
            "origin": .region, "destination": .region, "period": ScanRule.period, "valueUsdCents": ScanRule.usdCents,
            "source": ScanRule.name,
        ], optional: ["note": ScanRule.text, "qualifiers": ScanRule.qualifiers])
    private static let jobsReportedRule = ScanObject(
        required: [
            "scope": .identifier, "period": ScanRule.period, "jobsSupported": ScanRule.count, "source": ScanRule.name,
        ], optional: ["note": ScanRule.text, "qualifiers": ScanRule.qualifiers])
    private static let meetingHeldRule = ScanObject(
        required: [
            "meetingId": .identifier, "heldOn": .date,
            "place": .object(
                ScanObject(required: ["name": ScanRule.name, "city": ScanRule.name, "country": .country])),
            "participants": .array(
                .object(
                    ScanObject(required: [
                        "name": ScanRule.name, "role": ScanRule.name, "organization": ScanRule.name,
                        "country": .country,
                    ])), count: 1...100, unique: false),
            "topics": .array(ScanRule.values(MeetingTopic.self), count: 1...12, unique: true), "summary": ScanRule.text,
        ], optional: ["qualifiers": ScanRule.qualifiers])
    private static let initiativeAnnouncedRule = ScanObject(
        required: [
            "initiativeId": .identifier, "title": ScanRule.name,
            "parties": .array(ScanRule.name, count: 1...20, unique: true), "announcedOn": .date,
            "status": ScanRule.values(InitiativeStatus.self), "summary": ScanRule.text,
        ], optional: ["qualifiers": ScanRule.qualifiers])
}

/// The rules of every event type compiled into flat tables of plain values, built once for the life of the
/// process: walking them takes no reference counting, which walking the enum tree would.
struct CompiledScanRules: @unchecked Sendable {
    /// What a rule checks; the meaning of ``Rule/lower``, ``Rule/upper`` and ``Rule/child`` depends on it.
    enum Kind: UInt8 {
        case identifier, string, date, dateTime, country, region, oneOf, integer, object, array, qualifiers
    }
    /// One rule: `string` (code points `lower...upper`), `integer` (`lower...upper`), `oneOf` (`upper` values
    /// from field `child`), `object` (object `child`), `array` (items of rule `child`, `lower...upper` of them).
    struct Rule {
        var kind: Kind
        var unique = false
        var child: Int32 = 0
        var lower: Int64 = 0
        var upper: Int64 = 0
    }
    /// A member name (or an enumeration value) in ``names``, and its rule.
    struct Field {
        var nameStart: Int32
        var nameCount: Int32
        var rule: Int32
    }
    /// An object's fields, `fieldCount` of them from `firstField`.
    struct Object {
        var firstField: Int32
        var fieldCount: Int32
        var requiredMask: UInt64
    }

    let rules: UnsafeBufferPointer<Rule>
    let fields: UnsafeBufferPointer<Field>
    let objects: UnsafeBufferPointer<Object>
    let names: UnsafeBufferPointer<UInt8>
    /// By `JumpEventType.allCases` order: each type's `data` object.
    let dataObjects: UnsafeBufferPointer<Int32>
    /// By `JumpEventType.allCases` order: each type's name (`type`), a field.
    let typeNames: UnsafeBufferPointer<Int32>
    /// By `JumpEventType.allCases` order: the `dataschema` values each type accepts, as an object's fields.
    let dataschemas: UnsafeBufferPointer<Object>

    /// The tables of every type's `data`, compiled once.
    static let shared = CompiledScanRules()

    private init() {
        var rules: [Rule] = []
        var fields: [Field] = []
        var objects: [Object] = []
        var names: [UInt8] = []
        func name(_ bytes: [UInt8], rule: Int32) -> Field {
            defer { names += bytes }
            return Field(nameStart: Int32(names.count), nameCount: Int32(bytes.count), rule: rule)
        }
        func compile(_ object: ScanObject) -> Int32 {
            let compiled = object.fields.map { name($0.name, rule: compile($0.rule)) }
            objects.append(
                Object(
                    firstField: Int32(fields.count), fieldCount: Int32(compiled.count),
                    requiredMask: object.requiredMask))
            fields += compiled
            return Int32(objects.count - 1)
        }
        func compile(_ rule: ScanRule) -> Int32 {
            let compiled: Rule
            switch rule {
            case .identifier: compiled = Rule(kind: .identifier)
            case .string(let length):
                compiled = Rule(kind: .string, lower: Int64(length.lowerBound), upper: Int64(length.upperBound))
            case .date: compiled = Rule(kind: .date)
            case .dateTime: compiled = Rule(kind: .dateTime)
            case .country: compiled = Rule(kind: .country)
            case .region: compiled = Rule(kind: .region)
            case .oneOf(let values):
                compiled = Rule(kind: .oneOf, child: Int32(fields.count), upper: Int64(values.count))
                fields += values.map { name($0, rule: -1) }
            case .integer(let range): compiled = Rule(kind: .integer, lower: range.lowerBound, upper: range.upperBound)
            case .object(let object): compiled = Rule(kind: .object, child: compile(object))
            case .array(let item, let count, let unique):
                compiled = Rule(
                    kind: .array, unique: unique, child: compile(item), lower: Int64(count.lowerBound),
                    upper: Int64(count.upperBound))
            case .qualifiers(let object):
                compiled = Rule(kind: .qualifiers, child: compile(object), upper: Int64(FigureQualifier.maximumCount))
            }
            rules.append(compiled)
            return Int32(rules.count - 1)
        }
        let dataObjects = JumpEventType.allCases.map { compile($0.dataRule) }
        let typeNames = JumpEventType.allCases.map { type -> Int32 in
            fields.append(name(Array(type.rawValue.utf8), rule: -1))
            return Int32(fields.count - 1)
        }
        let dataschemas = JumpEventType.allCases.map { type -> Object in
            let first = Int32(fields.count)
            fields += type.acceptedSchemas.map { name(Array($0.utf8), rule: -1) }
            return Object(firstField: first, fieldCount: Int32(type.acceptedSchemas.count), requiredMask: 0)
        }
        func immortal<T>(_ array: [T]) -> UnsafeBufferPointer<T> {
            let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: array.count)
            _ = buffer.initialize(from: array)
            return UnsafeBufferPointer(buffer)
        }
        self.rules = immortal(rules)
        self.fields = immortal(fields)
        self.objects = immortal(objects)
        self.names = immortal(names)
        self.dataObjects = immortal(dataObjects)
        self.typeNames = immortal(typeNames)
        self.dataschemas = immortal(dataschemas)
    }

    /// Whether `bytes` are the name of field `field`.
    func isName(_ field: Int32, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let entry = fields[Int(field)]
        guard Int(entry.nameCount) == bytes.count else { return false }
        return equalBytes(names.baseAddress! + Int(entry.nameStart), bytes.baseAddress!, bytes.count)
    }
}

/// Whether `count` bytes at `a` and `b` are equal: eight at a time, for the short names a scan compares (faster
/// than a call to `memcmp`).
@inline(__always)
func equalBytes(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
    var offset = 0
    while offset + 8 <= count {
        guard
            UnsafeRawPointer(a + offset).loadUnaligned(as: UInt64.self)
                == UnsafeRawPointer(b + offset).loadUnaligned(as: UInt64.self)
        else { return false }
        offset += 8
    }
    while offset < count {
        guard a[offset] == b[offset] else { return false }
        offset += 1
    }
    return true
}
