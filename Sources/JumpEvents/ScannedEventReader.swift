extension EventScanner {
    /// The typed event, in one scan and one walk over its bytes (no JSON tree, no second validation), when the scan
    /// proves it valid and complete; `nil` when ``EventDecoder`` must decide (and say why, if it refuses it).
    /// Whatever this returns, the decoder returns too (`EventScannerTests` holds it to that).
    package func decode(_ bytes: ArraySlice<UInt8>) -> JumpEvent? {
        decodeLocatingData(bytes)?.event
    }

    /// ``decode(_:)``, and where the event's `data` is: its offsets from the start of `bytes`, `{` to `}`.
    package func decodeLocatingData(_ bytes: ArraySlice<UInt8>) -> (event: JumpEvent, data: Range<Int>)? {
        bytes.withUnsafeBytes { raw in
            guard let scanned = scan(raw), let base = raw.baseAddress else { return nil }
            var reader = ScannedEventReader(base: base.assumingMemoryBound(to: UInt8.self), count: raw.count)
            guard let event = reader.event(scanned.type) else { return nil }
            return (event, scanned.data)
        }
    }
}

/// A member's key, compared with the names the schema gives (`case "expansionId":` in a `switch`).
private struct MemberKey {
    let bytes: UnsafeBufferPointer<UInt8>

    static func ~= (name: StaticString, key: MemberKey) -> Bool {
        key.bytes.count == name.utf8CodeUnitCount
            && key.bytes.elementsEqual(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
    }
}

/// Reads the values of an event ``EventScanner`` has proved valid: it checks nothing the scan checked and builds
/// each `String` once from its bytes (the scan accepts no escapes). Anything unexpected (which would be a
/// disagreement with the scan) sets ``failed``, and the decoder decides instead.
private struct ScannedEventReader: JSONByteCursor {
    let base: UnsafePointer<UInt8>
    let count: Int
    var index = 0
    var failed = false

    init(base: UnsafePointer<UInt8>, count: Int) {
        self.base = base
        self.count = count
    }

    mutating func event(_ type: JumpEventType) -> JumpEvent? {
        var event = JumpEvent(
            id: "", source: "", type: type, subject: "", time: "", dataschema: nil, extensions: [:],
            payload: .initiativeAnnounced(
                InitiativeAnnounced(
                    initiativeId: "", title: "", parties: [], announcedOn: "", status: .proposed, summary: "")))
        members { reader, key in
            switch key {
            case "id": event.id = reader.string()
            case "source": event.source = reader.string()
            case "subject": event.subject = reader.string()
            case "time": event.time = reader.string()
            case "dataschema": event.dataschema = reader.string()
            case "data": event.payload = reader.payload(type)
            default: reader.skipValue()
            }
        }
        return failed ? nil : event
    }

    mutating func payload(_ type: JumpEventType) -> JumpEventPayload {
        switch type {
        case .expansionAnnounced: .expansionAnnounced(expansionAnnounced())
        case .expansionCompleted: .expansionCompleted(expansionCompleted())
        case .expansionWithdrawn: .expansionWithdrawn(expansionWithdrawn())
        case .investmentAnnounced: .investmentAnnounced(investmentAnnounced())
        case .exportsReported: .exportsReported(exportsReported())
        case .jobsReported: .jobsReported(jobsReported())
        case .meetingHeld: .meetingHeld(meetingHeld())
        case .initiativeAnnounced: .initiativeAnnounced(initiativeAnnounced())
        }
    }

    // MARK: Payloads

    mutating func expansionAnnounced() -> ExpansionAnnounced {
        var data = ExpansionAnnounced(
            expansionId: "", company: Self.noCompany, direction: .mexicoToUtah, city: "", region: "",
            plannedJobs: nil, plannedInvestmentUsdCents: nil, announcedOn: "")
        members { reader, key in
            switch key {
            case "expansionId": data.expansionId = reader.string()
            case "company": data.company = reader.company()
            case "direction": data.direction = reader.enumeration() ?? .mexicoToUtah
            case "location":
                reader.members { reader, key in
                    switch key {
                    case "city": data.city = reader.string()
                    case "region": data.region = reader.string()
                    default: reader.failed = true
                    }
                }
            case "plannedJobs": data.plannedJobs = reader.integerValue()
            case "plannedInvestmentUsdCents": data.plannedInvestmentUsdCents = reader.integerValue()
            case "announcedOn": data.announcedOn = reader.string()
            case "qualifiers": data.qualifiers = reader.qualifiers()
            default: reader.failed = true
            }
        }
        return data
    }

    mutating func expansionCompleted() -> ExpansionCompleted {
        var data = ExpansionCompleted(
            expansionId: "", companyId: "", actualJobs: 0, actualInvestmentUsdCents: 0, openedOn: "")
        members { reader, key in
            switch key {
            case "expansionId": data.expansionId = reader.string()
            case "companyId": data.companyId = reader.string()
            case "actualJobs": data.actualJobs = reader.integerValue()
            case "actualInvestmentUsdCents": data.actualInvestmentUsdCents = reader.integerValue()
            case "openedOn": data.openedOn = reader.string()
            case "qualifiers": data.qualifiers = reader.qualifiers()
            default: reader.failed = true
            }
        }
        return data
    }

    mutating func expansionWithdrawn() -> ExpansionWithdrawn {
        var data = ExpansionWithdrawn(expansionId: "", companyId: "", reason: .correction, note: nil, withdrawnOn: "")
        members { reader, key in
            switch key {
            case "expansionId": data.expansionId = reader.string()
            case "companyId": data.companyId = reader.string()
            case "reason": data.reason = reader.enumeration() ?? .correction
            case "note": data.note = reader.string()
            case "withdrawnOn": data.withdrawnOn = reader.string()
            case "qualifiers": data.qualifiers = reader.qualifiers()
            default: reader.failed = true
            }
        }
        return data
    }

    mutating func investmentAnnounced() -> InvestmentAnnounced {
        var data = InvestmentAnnounced(
            investmentId: "", investor: Self.noCompany, direction: .mexicoToUtah, amountUsdCents: 0, sector: "",
            region: "", announcedOn: "")
        members { reader, key in
            switch key {
            case "investmentId": data.investmentId = reader.string()
            case "investor": data.investor = reader.company()
            case "direction": data.direction = reader.enumeration() ?? .mexicoToUtah
            case "amountUsdCents": data.amountUsdCents = reader.integerValue()
            case "sector": data.sector = reader.string()
            case "region": data.region = reader.string()
            case "announcedOn": data.announcedOn = reader.string()
            case "qualifiers": data.qualifiers = reader.qualifiers()
            default: reader.failed = true
            }
        }
        return data
    }

    mutating func exportsReported() -> ExportsReported {
        var data = ExportsReported(
            origin: "", destination: "", period: Period(year: 0), valueUsdCents: 0, source: "", note: nil)
        members { reader, key in
            switch key {
            case "origin": data.origin = reader.string()
            case "destination": data.destination = reader.string()
            case "period": data.period = reader.period()
            case "valueUsdCents": data.valueUsdCents = reader.integerValue()
            case "source": data.source = reader.string()
            case "note": data.note = reader.string()
            case "qualifiers": data.qualifiers = reader.qualifiers()
            default: reader.failed = true
            }
        }
        return data
    }

    mutating func jobsReported() -> JobsReported {
        var data = JobsReported(scope: "", period: Period(year: 0), jobsSupported: 0, source: "", note: nil)
        members { reader, key in
            switch key {
            case "scope": data.scope = reader.string()
            case "period": data.period = reader.period()
            case "jobsSupported": data.jobsSupported = reader.integerValue()
            case "source": data.source = reader.string()
            case "note": data.note = reader.string()
            case "qualifiers": data.qualifiers = reader.qualifiers()
            default: reader.failed = true
            }
        }
        return data
    }

    mutating func meetingHeld() -> MeetingHeld {
        var data = MeetingHeld(
            meetingId: "", heldOn: "", place: Place(name: "", city: "", country: ""), participants: [], topics: [],
            summary: "")
        members { reader, key in
            switch key {
            case "meetingId": data.meetingId = reader.string()
            case "heldOn": data.heldOn = reader.string()
            case "place":
                reader.members { reader, key in
                    switch key {
                    case "name": data.place.name = reader.string()
                    case "city": data.place.city = reader.string()
                    case "country": data.place.country = reader.string()
                    default: reader.failed = true
                    }
                }
            case "participants":
                reader.items { reader in
                    var participant = Participant(name: "", role: "", organization: "", country: "")
                    reader.members { reader, key in
                        switch key {
                        case "name": participant.name = reader.string()
                        case "role": participant.role = reader.string()
                        case "organization": participant.organization = reader.string()
                        case "country": participant.country = reader.string()
                        default: reader.failed = true
                        }
                    }
                    data.participants.append(participant)
                }
            case "topics": reader.items { reader in data.topics.append(reader.enumeration() ?? .other) }
            case "summary": data.summary = reader.string()
            case "qualifiers": data.qualifiers = reader.qualifiers()
            default: reader.failed = true
            }
        }
        return data
    }

    mutating func initiativeAnnounced() -> InitiativeAnnounced {
        var data = InitiativeAnnounced(
            initiativeId: "", title: "", parties: [], announcedOn: "", status: .proposed, summary: "")
        members { reader, key in
            switch key {
            case "initiativeId": data.initiativeId = reader.string()
            case "title": data.title = reader.string()
            case "parties": reader.items { reader in data.parties.append(reader.string()) }
            case "announcedOn": data.announcedOn = reader.string()
            case "status": data.status = reader.enumeration() ?? .proposed
            case "summary": data.summary = reader.string()
            case "qualifiers": data.qualifiers = reader.qualifiers()
            default: reader.failed = true
            }
        }
        return data
    }

    // MARK: Shared parts

    static let noCompany = Company(id: "", name: "", country: .mexico, sector: "")

    mutating func company() -> Company {
        var company = Self.noCompany
        members { reader, key in
            switch key {
            case "id": company.id = reader.string()
            case "name": company.name = reader.string()
            case "country": company.country = reader.enumeration() ?? .mexico
            case "sector": company.sector = reader.string()
            default: reader.failed = true
            }
        }
        return company
    }

    mutating func period() -> Period {
        var period = Period(year: 0)
        members { reader, key in
            switch key {
            case "year": period.year = Int(reader.integerValue())
            case "quarter": period.quarter = Int(reader.integerValue())
            default: reader.failed = true
            }
        }
        return period
    }

    mutating func qualifiers() -> [String: FigureQualifier] {
        var qualifiers: [String: FigureQualifier] = [:]
        members { reader, key in
            var qualifier = FigureQualifier()
            reader.members { reader, key in
                switch key {
                case "approximation": qualifier.approximation = reader.enumeration()
                case "basis": qualifier.basis = reader.enumeration()
                case "note": qualifier.note = reader.string()
                default: reader.failed = true
                }
            }
            qualifiers[String(decoding: key.bytes, as: UTF8.self)] = qualifier
        }
        return qualifiers
    }

    // MARK: Values

    /// Calls `body` for each member of the object at the cursor, the cursor at the member's value; `body` reads
    /// or skips the value.
    mutating func members(_ body: (inout Self, MemberKey) -> Void) {
        guard expect(UInt8(ascii: "{")) else { return }
        if take(UInt8(ascii: "}")) { return }
        repeat {
            let key = MemberKey(bytes: stringBytes())
            guard expect(UInt8(ascii: ":")) else { return }
            body(&self, key)
        } while !failed && take(UInt8(ascii: ","))
        _ = expect(UInt8(ascii: "}"))
    }

    /// Calls `body` for each item of the array at the cursor.
    mutating func items(_ body: (inout Self) -> Void) {
        guard expect(UInt8(ascii: "[")) else { return }
        if take(UInt8(ascii: "]")) { return }
        repeat { body(&self) } while !failed && take(UInt8(ascii: ","))
        _ = expect(UInt8(ascii: "]"))
    }

    mutating func string() -> String { String(decoding: stringBytes(), as: UTF8.self) }

    mutating func enumeration<Value: RawRepresentable<String>>() -> Value? {
        guard let value = Value(rawValue: string()) else {
            failed = true
            return nil
        }
        return value
    }

    /// The bytes of the string at the cursor, which has no escapes.
    mutating func stringBytes() -> UnsafeBufferPointer<UInt8> {
        let empty = UnsafeBufferPointer(start: base, count: 0)
        guard expect(UInt8(ascii: "\"")) else { return empty }
        let start = index
        while index < count, base[index] != UInt8(ascii: "\"") { index += 1 }
        guard expect(UInt8(ascii: "\"")) else { return empty }
        return UnsafeBufferPointer(start: base + start, count: index - 1 - start)
    }

    /// The integer at the cursor, read as the scan reads it (``JSONByteCursor/integer()``).
    mutating func integerValue() -> Int64 {
        guard let value = integer() else {
            failed = true
            return 0
        }
        return value
    }

    /// Passes over the string value at the cursor (the envelope's `specversion`, `type` and `datacontenttype`:
    /// the scan allows no other value there).
    mutating func skipValue() { _ = stringBytes() }

    /// Takes `byte`, which must come next; else the read has failed.
    mutating func expect(_ byte: UInt8) -> Bool {
        if take(byte) { return true }
        failed = true
        return false
    }
}
