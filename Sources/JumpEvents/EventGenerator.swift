/// A deterministic source of realistic synthetic events for tests and benchmarks: the same seed gives the same
/// bytes. Companies announce expansions, most complete them, some withdraw; investments, export figures (with
/// revisions), jobs figures, meetings and initiatives come in between. With an invalid ratio above zero, that
/// share of the lines is broken in one of several ways (bad JSON, unknown type, schema violations).
package struct EventGenerator: IteratorProtocol, Sequence {
    private var random: SplitMix64
    private let invalidRatio: Double
    private let seedTag: String
    private var counter = 0
    private var openExpansions: [(expansionId: String, companyId: String, jobs: Int64, cents: Int64)] = []
    private var companies: [(id: String, name: String, country: String, sector: String)] = []

    /// A generator for `seed`; `invalidRatio` (0...1) of the events are invalid.
    package init(seed: UInt64, invalidRatio: Double = 0) {
        random = SplitMix64(seed: seed)
        self.invalidRatio = Swift.min(Swift.max(invalidRatio, 0), 1)
        seedTag = String(seed, radix: 36)
    }

    /// The next event as one line of JSON (no newline).
    package mutating func next() -> [UInt8]? {
        counter += 1
        let valid = makeEvent()
        guard invalidRatio > 0, random.nextDouble() < invalidRatio else { return JSONWriter.encode(valid) }
        return breakEvent(valid)
    }

    private mutating func makeEvent() -> JSONValue {
        let roll = random.next(below: 100)
        let (type, subject, data): (JumpEventType, String, JSONValue)
        switch roll {
        case 0..<30: (type, subject, data) = announce()
        case 30..<45 where !openExpansions.isEmpty: (type, subject, data) = complete()
        case 45..<49 where !openExpansions.isEmpty: (type, subject, data) = withdraw()
        case 30..<62: (type, subject, data) = invest()
        case 62..<76: (type, subject, data) = exports()
        case 76..<84: (type, subject, data) = jobs()
        case 84..<96: (type, subject, data) = meeting()
        default: (type, subject, data) = initiative()
        }
        let minutes = counter * 7
        let time =
            "2025-\(pad(1 + minutes / 43_200 % 12))-\(pad(1 + minutes / 1440 % 28))T\(pad(minutes / 60 % 24)):\(pad(minutes % 60)):00Z"
        return [
            "specversion": "1.0", "id": .string("gen-\(seedTag)-\(counter)-\(random.hex(8))"),
            "source": "urn:jump:generator", "type": .string(type.rawValue), "subject": .string(subject),
            "time": .string(time), "datacontenttype": "application/json", "dataschema": .string(type.currentSchema),
            "data": data,
        ]
    }

    private mutating func date(year: Int = 2025) -> JSONValue {
        .string("\(year)-\(pad(1 + random.next(below: 12)))-\(pad(1 + random.next(below: 28)))")
    }

    private mutating func company() -> (id: String, name: String, country: String, sector: String) {
        if companies.count > 20, random.next(below: 3) > 0 { return companies[random.next(below: companies.count)] }
        let mexican = random.next(below: 2) == 0
        let first = mexican ? Self.mexicanNames : Self.utahNames
        let name =
            "\(first[random.next(below: first.count)]) \(Self.companyWords[random.next(below: Self.companyWords.count)])"
        let suffix = mexican ? " S.A. de C.V." : " Inc."
        let id =
            "co.\(name.lowercased().filter { $0.isLetter && $0.isASCII || $0 == " " }.replacing(" ", with: "-")).\(companies.count)"
        let created = (id, name + suffix, mexican ? "MX" : "US", Self.sectors[random.next(below: Self.sectors.count)])
        companies.append(created)
        return created
    }

    private mutating func announce() -> (JumpEventType, String, JSONValue) {
        let company = company()
        let toUtah = company.country == "MX"
        let expansionId = "exp.\(counter).\(random.hex(4))"
        let jobs = Int64(5 + random.next(below: 600))
        let cents = Int64(random.next(below: 50_000)) * 100_000
        openExpansions.append((expansionId, company.id, jobs, cents))
        let place =
            toUtah
            ? Self.utahCities[random.next(below: Self.utahCities.count)]
            : Self.mexicanCities[random.next(below: Self.mexicanCities.count)]
        var data: JSONObject = [
            "expansionId": .string(expansionId),
            "company": [
                "id": .string(company.id), "name": .string(company.name), "country": .string(company.country),
                "sector": .string(company.sector),
            ],
            "direction": toUtah ? "mx-to-utah" : "utah-to-mx",
            "location": ["city": .string(place.city), "region": .string(place.region)],
            "announcedOn": date(),
        ]
        // About one announcement in 25 leaves its figures out (not disclosed), decided without drawing another
        // random number so that the rest of the stream stays as it was.
        if jobs % 25 != 7 {
            data.set("plannedJobs", .integer(jobs))
            data.set("plannedInvestmentUsdCents", .integer(cents))
        }
        return (.expansionAnnounced, company.id, .object(data))
    }

    private mutating func complete() -> (JumpEventType, String, JSONValue) {
        let expansion = openExpansions.remove(at: random.next(below: openExpansions.count))
        return (
            .expansionCompleted, expansion.companyId,
            [
                "expansionId": .string(expansion.expansionId), "companyId": .string(expansion.companyId),
                "actualJobs": .integer(expansion.jobs * Int64(80 + random.next(below: 40)) / 100),
                "actualInvestmentUsdCents": .integer(expansion.cents), "openedOn": date(year: 2026),
            ]
        )
    }

    private mutating func withdraw() -> (JumpEventType, String, JSONValue) {
        let expansion = openExpansions.remove(at: random.next(below: openExpansions.count))
        let correction = random.next(below: 3) == 0
        var data: JSONObject = [
            "expansionId": .string(expansion.expansionId), "companyId": .string(expansion.companyId),
            "reason": correction ? "correction" : "retraction", "withdrawnOn": date(),
        ]
        if !correction { data.set("note", "Plans changed after the announcement.") }
        return (.expansionWithdrawn, expansion.companyId, .object(data))
    }

    private mutating func invest() -> (JumpEventType, String, JSONValue) {
        let company = company()
        let toUtah = company.country == "MX"
        let id = "inv.\(counter).\(random.hex(4))"
        return (
            .investmentAnnounced, id,
            [
                "investmentId": .string(id),
                "investor": [
                    "id": .string(company.id), "name": .string(company.name), "country": .string(company.country),
                    "sector": .string(company.sector),
                ],
                "direction": toUtah ? "mx-to-utah" : "utah-to-mx",
                "amountUsdCents": .integer(Int64(1 + random.next(below: 20_000)) * 1_000_000),
                "sector": .string(company.sector), "region": toUtah ? "US-UT" : "MX",
                "announcedOn": date(),
            ]
        )
    }

    private mutating func exports() -> (JumpEventType, String, JSONValue) {
        let toMexico = random.next(below: 2) == 0
        let (origin, destination) = toMexico ? ("US-UT", "MX") : ("MX", "US-UT")
        var period: JSONObject = ["year": .integer(Int64(2015 + random.next(below: 11)))]
        if random.next(below: 2) == 0 { period.set("quarter", .integer(Int64(1 + random.next(below: 4)))) }
        let base: Int64 = toMexico ? 100_000_000_000 : 80_000_000_000
        return (
            .exportsReported, "exports.\(origin.lowercased()).\(destination.lowercased())",
            [
                "origin": .string(origin), "destination": .string(destination), "period": .object(period),
                "valueUsdCents": .integer(
                    base / (period["quarter"] == nil ? 1 : 4) + Int64(random.next(below: 1_000_000)) * 10_000),
                "source": "U.S. Census Bureau",
            ]
        )
    }

    private mutating func jobs() -> (JumpEventType, String, JSONValue) {
        let scope = ["mexico-utah-trade", "mexican-firms-in-utah", "utah-firms-in-mexico"][random.next(below: 3)]
        return (
            .jobsReported, "jobs.\(scope)",
            [
                "scope": .string(scope), "period": ["year": .integer(Int64(2018 + random.next(below: 8)))],
                "jobsSupported": .integer(Int64(10_000 + random.next(below: 50_000))), "source": "Utah GOEO",
            ]
        )
    }

    private mutating func meeting() -> (JumpEventType, String, JSONValue) {
        let id = "meeting.\(counter).\(random.hex(4))"
        let inUtah = random.next(below: 2) == 0
        var topics = MeetingTopic.allCases.map(\.rawValue)
        var chosen: [JSONValue] = []
        for _ in 0..<(1 + random.next(below: 3)) {
            chosen.append(.string(topics.remove(at: random.next(below: topics.count))))
        }
        return (
            .meetingHeld, id,
            [
                "meetingId": .string(id), "heldOn": date(),
                "place": inUtah
                    ? ["name": "Utah State Capitol", "city": "Salt Lake City", "country": "US"]
                    : ["name": "Secretaría de Relaciones Exteriores", "city": "Ciudad de México", "country": "MX"],
                "participants": [
                    [
                        "name": "Eduardo Baca", "role": "Consul General",
                        "organization": "Consulado General de México en Salt Lake City",
                        "country": "MX",
                    ],
                    [
                        "name": "Ryan Starks", "role": "Executive Director",
                        "organization": "Utah Governor's Office of Economic Opportunity", "country": "US",
                    ],
                ],
                "topics": .array(chosen), "summary": "Follow-up on JUMP projects and pending company cases.",
            ]
        )
    }

    private mutating func initiative() -> (JumpEventType, String, JSONValue) {
        let id = "initiative.\(counter).\(random.hex(4))"
        let statuses = ["proposed", "agreed", "signed"]
        return (
            .initiativeAnnounced, id,
            [
                "initiativeId": .string(id), "title": "Cross-border supplier program",
                "parties": ["Secretaría de Economía", "State of Utah"], "announcedOn": date(),
                "status": .string(statuses[random.next(below: 3)]),
                "summary": "Connects Utah manufacturers with Mexican suppliers.",
            ]
        )
    }

    /// Breaks a valid event in one of several ways, each a reason a real publisher might get wrong.
    private mutating func breakEvent(_ valid: JSONValue) -> [UInt8] {
        guard case .object(var object) = valid, case .object(var data) = object["data"] else { return [] }
        switch random.next(below: 8) {
        case 0:
            let bytes = JSONWriter.encode(valid)
            return Array(bytes.prefix(bytes.count / 2))
        case 1: object.set("type", "jump.company.merged")
        case 2: object.remove("subject")
        case 3: object.set("time", "yesterday")
        case 4:
            let key = data.members[random.next(below: data.members.count)].key
            data.set(key, .double(-1.5))
            object.set("data", .object(data))
        case 5:
            data.set("unexpected", "field")
            object.set("data", .object(data))
        case 6:
            var bytes = JSONWriter.encode(valid)
            bytes.removeLast()
            bytes.append(contentsOf: Array(",\"subject\":\"again\"}".utf8))
            return bytes
        default: object.set("specversion", "0.3")
        }
        return JSONWriter.encode(.object(object))
    }

    private func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    private static let mexicanNames = [
        "Aceros", "Grupo", "Industrias", "Textiles", "Alimentos", "Cementos", "Logística", "Vidrios",
    ]
    private static let utahNames = [
        "Wasatch", "Bonneville", "Beehive", "Uinta", "Zion", "Cottonwood", "Timpanogos", "Moab",
    ]
    private static let companyWords = [
        "del Norte", "Pacífico", "Solutions", "Labs", "Manufacturing", "Foods", "Analytics", "Steel",
    ]
    private static let sectors = [
        "aerospace", "food processing", "software", "medical devices", "steel fabrication", "logistics", "energy",
        "textiles",
    ]
    private static let utahCities: [(city: String, region: String)] = [
        ("Salt Lake City", "US-UT"), ("Ogden", "US-UT"), ("Provo", "US-UT"), ("St. George", "US-UT"),
    ]
    private static let mexicanCities: [(city: String, region: String)] = [
        ("Monterrey", "MX-NLE"), ("Guadalajara", "MX-JAL"), ("Querétaro", "MX-QUE"), ("Ciudad de México", "MX-CMX"),
    ]
}

/// SplitMix64: a small, fast, well-distributed generator, deterministic for a seed (the generator's, and the
/// decoder fuzzer's).
package struct SplitMix64: Sendable {
    private var state: UInt64
    /// A generator that always gives the same sequence for `seed`.
    package init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<bound` (0 when `bound` is 0 or 1).
    package mutating func next(below bound: Int) -> Int { bound <= 1 ? 0 : Int(next() % UInt64(bound)) }
    mutating func nextDouble() -> Double { Double(next() >> 11) / Double(1 << 53) }
    mutating func hex(_ bytes: Int) -> String {
        let value = next()
        let text = String(value, radix: 16)
        return String((String(repeating: "0", count: max(0, 16 - text.count)) + text).prefix(bytes * 2))
    }
}
