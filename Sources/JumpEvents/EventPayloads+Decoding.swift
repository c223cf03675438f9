// Decoding each payload from JSON, mirroring `Schemas/data/*.v1.schema.json` and `Schemas/defs.schema.json`.

extension Company {
    init(_ value: JSONValue, _ path: SchemaRules.Path) throws(EventRejection) {
        var reader = try ObjectReader(value, at: path())
        id = try reader.read("id", SchemaRules.identifier)
        name = try reader.read("name", SchemaRules.name)
        country = try reader.read("country") { value, path throws(EventRejection) in
            try SchemaRules.enumeration(value, path, PartnerCountry.self)
        }
        sector = try reader.read("sector", SchemaRules.sector)
        try reader.rejectUnknown(allowed: ["id", "name", "country", "sector"])
    }
}

extension Period {
    init(_ value: JSONValue, _ path: SchemaRules.Path) throws(EventRejection) {
        var reader = try ObjectReader(value, at: path())
        year = Int(
            try reader.read("year") { value, path throws(EventRejection) in
                try SchemaRules.integer(value, path, 1990...2100)
            })
        quarter = try reader.readIfPresent("quarter") { value, path throws(EventRejection) in
            Int(try SchemaRules.integer(value, path, 1...4))
        }
        try reader.rejectUnknown(allowed: ["year", "quarter"])
    }
}

private func direction(_ value: JSONValue, _ path: SchemaRules.Path) throws(EventRejection) -> Direction {
    try SchemaRules.enumeration(value, path)
}

extension ExpansionAnnounced {
    init(_ value: JSONValue, _ path: SchemaRules.Path) throws(EventRejection) {
        var reader = try ObjectReader(value, at: path())
        expansionId = try reader.read("expansionId", SchemaRules.identifier)
        company = try reader.read("company", Company.init)
        self.direction = try reader.read("direction", JumpEvents.direction)
        var location = try ObjectReader(try reader.required("location"), at: reader.pointer("location"))
        city = try location.read("city", SchemaRules.name)
        region = try location.read("region", SchemaRules.region)
        try location.rejectUnknown(allowed: ["city", "region"])
        plannedJobs = try reader.readIfPresent("plannedJobs", SchemaRules.count)
        plannedInvestmentUsdCents = try reader.readIfPresent("plannedInvestmentUsdCents", SchemaRules.usdCents)
        announcedOn = try reader.read("announcedOn", SchemaRules.date)
        qualifiers = try reader.readIfPresent("qualifiers", FigureQualifier.map) ?? [:]
        try reader.rejectUnknown(allowed: [
            "qualifiers",
            "expansionId", "company", "direction", "location", "plannedJobs", "plannedInvestmentUsdCents",
            "announcedOn",
        ])
    }
}

extension ExpansionCompleted {
    init(_ value: JSONValue, _ path: SchemaRules.Path) throws(EventRejection) {
        var reader = try ObjectReader(value, at: path())
        expansionId = try reader.read("expansionId", SchemaRules.identifier)
        companyId = try reader.read("companyId", SchemaRules.identifier)
        actualJobs = try reader.read("actualJobs", SchemaRules.count)
        actualInvestmentUsdCents = try reader.read("actualInvestmentUsdCents", SchemaRules.usdCents)
        openedOn = try reader.read("openedOn", SchemaRules.date)
        qualifiers = try reader.readIfPresent("qualifiers", FigureQualifier.map) ?? [:]
        try reader.rejectUnknown(allowed: [
            "qualifiers",
            "expansionId", "companyId", "actualJobs", "actualInvestmentUsdCents", "openedOn",
        ])
    }
}

extension ExpansionWithdrawn {
    init(_ value: JSONValue, _ path: SchemaRules.Path) throws(EventRejection) {
        var reader = try ObjectReader(value, at: path())
        expansionId = try reader.read("expansionId", SchemaRules.identifier)
        companyId = try reader.read("companyId", SchemaRules.identifier)
        reason = try reader.read("reason") { value, path throws(EventRejection) in
            try SchemaRules.enumeration(value, path)
        }
        note = try reader.readIfPresent("note", SchemaRules.text)
        withdrawnOn = try reader.read("withdrawnOn", SchemaRules.date)
        qualifiers = try reader.readIfPresent("qualifiers", FigureQualifier.map) ?? [:]
        try reader.rejectUnknown(allowed: ["qualifiers", "expansionId", "companyId", "reason", "note", "withdrawnOn"])
    }
}

extension InvestmentAnnounced {
    init(_ value: JSONValue, _ path: SchemaRules.Path) throws(EventRejection) {
        var reader = try ObjectReader(value, at: path())
        investmentId = try reader.read("investmentId", SchemaRules.identifier)
        investor = try reader.read("investor", Company.init)
        self.direction = try reader.read("direction", JumpEvents.direction)
        amountUsdCents = try reader.read("amountUsdCents", SchemaRules.usdCents)
        sector = try reader.read("sector", SchemaRules.sector)
        region = try reader.read("region", SchemaRules.region)
        announcedOn = try reader.read("announcedOn", SchemaRules.date)
        qualifiers = try reader.readIfPresent("qualifiers", FigureQualifier.map) ?? [:]
        try reader.rejectUnknown(allowed: [
            "qualifiers",
            "investmentId", "investor", "direction", "amountUsdCents", "sector", "region", "announcedOn",
        ])
    }
}

extension ExportsReported {
    init(_ value: JSONValue, _ path: SchemaRules.Path) throws(EventRejection) {
        var reader = try ObjectReader(value, at: path())
        origin = try reader.read("origin", SchemaRules.region)
        destination = try reader.read("destination", SchemaRules.region)
        period = try reader.read("period", Period.init)
        valueUsdCents = try reader.read("valueUsdCents", SchemaRules.usdCents)
        source = try reader.read("source", SchemaRules.name)
        note = try reader.readIfPresent("note", SchemaRules.text)
        qualifiers = try reader.readIfPresent("qualifiers", FigureQualifier.map) ?? [:]
        try reader.rejectUnknown(allowed: [
            "qualifiers", "origin", "destination", "period", "valueUsdCents", "source", "note",
        ])
    }
}

extension JobsReported {
    init(_ value: JSONValue, _ path: SchemaRules.Path) throws(EventRejection) {
        var reader = try ObjectReader(value, at: path())
        scope = try reader.read("scope", SchemaRules.identifier)
        period = try reader.read("period", Period.init)
        jobsSupported = try reader.read("jobsSupported", SchemaRules.count)
        source = try reader.read("source", SchemaRules.name)
        note = try reader.readIfPresent("note", SchemaRules.text)
        qualifiers = try reader.readIfPresent("qualifiers", FigureQualifier.map) ?? [:]
        try reader.rejectUnknown(allowed: ["qualifiers", "scope", "period", "jobsSupported", "source", "note"])
    }
}

extension Place {
    init(_ value: JSONValue, _ path: SchemaRules.Path) throws(EventRejection) {
        var reader = try ObjectReader(value, at: path())
        name = try reader.read("name", SchemaRules.name)
        city = try reader.read("city", SchemaRules.name)
        country = try reader.read("country", SchemaRules.country)
        try reader.rejectUnknown(allowed: ["name", "city", "country"])
    }
}

extension Participant {
    init(_ value: JSONValue, _ path: SchemaRules.Path) throws(EventRejection) {
        var reader = try ObjectReader(value, at: path())
        name = try reader.read("name", SchemaRules.name)
        role = try reader.read("role", SchemaRules.name)
        organization = try reader.read("organization", SchemaRules.name)
        country = try reader.read("country", SchemaRules.country)
        try reader.rejectUnknown(allowed: ["name", "role", "organization", "country"])
    }
}

extension MeetingHeld {
    init(_ value: JSONValue, _ path: SchemaRules.Path) throws(EventRejection) {
        var reader = try ObjectReader(value, at: path())
        meetingId = try reader.read("meetingId", SchemaRules.identifier)
        heldOn = try reader.read("heldOn", SchemaRules.date)
        place = try reader.read("place", Place.init)
        participants = try reader.read("participants") { value, path throws(EventRejection) in
            var result: [Participant] = []
            for (index, element) in try SchemaRules.array(value, path, count: 1...100).enumerated() {
                result.append(try Participant(element, { path() + "/\(index)" }))
            }
            return result
        }
        topics = try reader.read("topics") { value, path throws(EventRejection) in
            var result: [MeetingTopic] = []
            for (index, element) in try SchemaRules.array(value, path, count: 1...12).enumerated() {
                result.append(try SchemaRules.enumeration(element, { path() + "/\(index)" }))
            }
            try SchemaRules.unique(result.map(\.rawValue), path)
            return result
        }
        summary = try reader.read("summary", SchemaRules.text)
        qualifiers = try reader.readIfPresent("qualifiers", FigureQualifier.map) ?? [:]
        try reader.rejectUnknown(allowed: [
            "qualifiers", "meetingId", "heldOn", "place", "participants", "topics", "summary",
        ])
    }
}

extension InitiativeAnnounced {
    init(_ value: JSONValue, _ path: SchemaRules.Path) throws(EventRejection) {
        var reader = try ObjectReader(value, at: path())
        initiativeId = try reader.read("initiativeId", SchemaRules.identifier)
        title = try reader.read("title", SchemaRules.name)
        parties = try reader.read("parties") { value, path throws(EventRejection) in
            var result: [String] = []
            for (index, element) in try SchemaRules.array(value, path, count: 1...20).enumerated() {
                result.append(try SchemaRules.name(element, { path() + "/\(index)" }))
            }
            try SchemaRules.unique(result, path)
            return result
        }
        announcedOn = try reader.read("announcedOn", SchemaRules.date)
        status = try reader.read("status") { value, path throws(EventRejection) in
            try SchemaRules.enumeration(value, path)
        }
        summary = try reader.read("summary", SchemaRules.text)
        qualifiers = try reader.readIfPresent("qualifiers", FigureQualifier.map) ?? [:]
        try reader.rejectUnknown(allowed: [
            "qualifiers", "initiativeId", "title", "parties", "announcedOn", "status", "summary",
        ])
    }
}

extension JumpEventPayload {
    /// Decodes `data` for a type.
    init(type: JumpEventType, data: JSONValue) throws(EventRejection) {
        let path = { "/data" }
        switch type {
        case .expansionAnnounced: self = .expansionAnnounced(try ExpansionAnnounced(data, path))
        case .expansionCompleted: self = .expansionCompleted(try ExpansionCompleted(data, path))
        case .expansionWithdrawn: self = .expansionWithdrawn(try ExpansionWithdrawn(data, path))
        case .investmentAnnounced: self = .investmentAnnounced(try InvestmentAnnounced(data, path))
        case .exportsReported: self = .exportsReported(try ExportsReported(data, path))
        case .jobsReported: self = .jobsReported(try JobsReported(data, path))
        case .meetingHeld: self = .meetingHeld(try MeetingHeld(data, path))
        case .initiativeAnnounced: self = .initiativeAnnounced(try InitiativeAnnounced(data, path))
        }
    }
}
