import JumpEvents
import JumpState

/// The words of a digest in each language: headlines of items, labels of counts and totals, figures.
/// Every piece of event text passes through ``Sanitizer``.
public enum DigestText {
    /// The languages digests are written in.
    public static let languages = ["es", "en"]

    /// One line describing the item's event.
    public static func headline(_ item: NotificationItem, language: String) -> String {
        let spanish = language == "es"
        let facts = item.facts
        let company = clean(facts.companyName ?? "")
        switch item.event.payload {
        case .expansionAnnounced(let expansion):
            let place = clean("\(expansion.city), \(expansion.region)")
            let jobs = number(expansion.plannedJobs)
            let money = dollars(expansion.plannedInvestmentUsdCents, language: language)
            return spanish
                ? "\(company) anuncia una expansión en \(place) (\(direction(expansion.direction, language))): "
                    + "\(jobs) empleos previstos, \(money) de inversión"
                : "\(company) announces an expansion in \(place) (\(direction(expansion.direction, language))): "
                    + "\(jobs) planned jobs, \(money) investment"
        case .expansionCompleted(let completed):
            let who = company.isEmpty ? clean(completed.companyId) : company
            let place = facts.city.map { clean($0) } ?? clean(completed.expansionId)
            let jobs = number(completed.actualJobs)
            let money = dollars(completed.actualInvestmentUsdCents, language: language)
            return spanish
                ? "\(who) completa su expansión en \(place): \(jobs) empleos creados, \(money) invertidos"
                : "\(who) completes its expansion in \(place): \(jobs) jobs created, \(money) invested"
        case .expansionWithdrawn(let withdrawn):
            let who = company.isEmpty ? clean(withdrawn.companyId) : company
            let place = facts.city.map { clean($0) } ?? clean(withdrawn.expansionId)
            let reason =
                switch (withdrawn.reason, spanish) {
                case (.correction, true): "corrección"
                case (.retraction, true): "retractación"
                case (.correction, false): "correction"
                case (.retraction, false): "retraction"
                }
            return spanish
                ? "Se retira la expansión de \(who) en \(place) (\(reason))"
                : "\(who)'s expansion in \(place) is withdrawn (\(reason))"
        case .investmentAnnounced(let investment):
            let who = clean(investment.investor.name)
            let money = dollars(investment.amountUsdCents, language: language)
            let sector = clean(investment.sector)
            let region = clean(investment.region)
            return spanish
                ? "\(who) anuncia una inversión de \(money) en \(sector), \(region) "
                    + "(\(direction(investment.direction, language)))"
                : "\(who) announces a \(money) investment in \(sector), \(region) "
                    + "(\(direction(investment.direction, language)))"
        case .exportsReported(let exports):
            let series = clean("\(exports.origin) → \(exports.destination)")
            let money = dollars(exports.valueUsdCents, language: language)
            return spanish
                ? "Exportaciones \(series), \(exports.period): \(money)"
                : "Exports \(series), \(exports.period): \(money)"
        case .jobsReported(let jobs):
            let scope = clean(jobs.scope)
            return spanish
                ? "Empleos sostenidos (\(scope)), \(jobs.period): \(number(jobs.jobsSupported))"
                : "Jobs supported (\(scope)), \(jobs.period): \(number(jobs.jobsSupported))"
        case .meetingHeld(let meeting):
            let place = clean("\(meeting.place.name), \(meeting.place.city)")
            let topics = meeting.topics.map { topic($0, language) }.joined(separator: ", ")
            return spanish
                ? "Reunión de delegaciones en \(place) el \(clean(meeting.heldOn)) "
                    + "(\(meeting.participants.count) participantes; temas: \(topics))"
                : "Delegation meeting at \(place) on \(clean(meeting.heldOn)) "
                    + "(\(meeting.participants.count) participants; topics: \(topics))"
        case .initiativeAnnounced(let initiative):
            let title = clean(initiative.title)
            let parties = clean(initiative.parties.joined(separator: ", "))
            let status = initiativeStatus(initiative.status, language)
            return spanish
                ? "Iniciativa «\(title)» (\(status)): \(parties)"
                : "Initiative “\(title)” (\(status)): \(parties)"
        }
    }

    /// The plural label of an event type.
    public static func typeLabel(_ type: JumpEventType, language: String) -> String {
        let spanish = language == "es"
        return switch type {
        case .expansionAnnounced: spanish ? "expansiones anunciadas" : "expansions announced"
        case .expansionCompleted: spanish ? "expansiones completadas" : "expansions completed"
        case .expansionWithdrawn: spanish ? "expansiones retiradas" : "expansions withdrawn"
        case .investmentAnnounced: spanish ? "inversiones anunciadas" : "investments announced"
        case .exportsReported: spanish ? "cifras de exportación" : "export figures"
        case .jobsReported: spanish ? "cifras de empleo" : "jobs figures"
        case .meetingHeld: spanish ? "reuniones de delegaciones" : "delegation meetings"
        case .initiativeAnnounced: spanish ? "iniciativas" : "initiatives"
        }
    }

    /// A direction in words.
    public static func direction(_ direction: Direction, _ language: String) -> String {
        switch (direction, language == "es") {
        case (.mexicoToUtah, true): "de México a Utah"
        case (.utahToMexico, true): "de Utah a México"
        case (.mexicoToUtah, false): "Mexico to Utah"
        case (.utahToMexico, false): "Utah to Mexico"
        }
    }

    /// A meeting topic in words.
    public static func topic(_ topic: MeetingTopic, _ language: String) -> String {
        guard language == "es" else { return topic.rawValue }
        return switch topic {
        case .economic: "economía"
        case .immigration: "migración"
        case .security: "seguridad"
        case .trade: "comercio"
        case .investment: "inversión"
        case .education: "educación"
        case .culture: "cultura"
        case .energy: "energía"
        case .water: "agua"
        case .health: "salud"
        case .technology: "tecnología"
        case .other: "otros"
        }
    }

    private static func initiativeStatus(_ status: InitiativeStatus, _ language: String) -> String {
        switch (status, language == "es") {
        case (.proposed, true): "propuesta"
        case (.agreed, true): "acordada"
        case (.signed, true): "firmada"
        case (.proposed, false): "proposed"
        case (.agreed, false): "agreed"
        case (.signed, false): "signed"
        }
    }

    /// A whole number with thousands separators (`51,000`; Mexico writes it the same way).
    public static func number(_ value: Int64) -> String {
        if SaturatingTotal.isSaturated(value) { return "≥ " + plainNumber(value) }
        return plainNumber(value)
    }

    private static func plainNumber(_ value: Int64) -> String {
        let digits = String(value.magnitude)
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return value < 0 ? "-" + result : result
    }

    /// US dollars from cents, rounded for reading: `USD 1.1 billion` / `USD 1.1 mil millones`,
    /// `USD 738.3 million` / `USD 738.3 millones`, `USD 250,000`.
    /// A saturated total (``SaturatingTotal``) reads `≥ USD …`: at least that much.
    public static func dollars(_ cents: Int64, language: String) -> String {
        let spanish = language == "es"
        if SaturatingTotal.isSaturated(cents) {
            return "≥ " + dollars(cents - 1, language: language)
        }
        let whole = cents / 100
        let sign = whole < 0 ? "-" : ""
        let magnitude = whole.magnitude
        func tenths(_ unit: UInt64) -> String {
            let scaled = (magnitude / unit) * 10 + ((magnitude % unit) * 10 + unit / 2) / unit
            return "\(number(Int64(scaled / 10))).\(scaled % 10)"
        }
        if magnitude >= 1_000_000_000 {
            return "USD \(sign)\(tenths(1_000_000_000)) \(spanish ? "mil millones" : "billion")"
        }
        if magnitude >= 1_000_000 { return "USD \(sign)\(tenths(1_000_000)) \(spanish ? "millones" : "million")" }
        return "USD \(sign)\(number(Int64(magnitude)))"
    }

    /// A change between two values as a signed percentage (`+49.0 %`), or `nil` without a previous value.
    public static func change(from previous: Int64?, to value: Int64) -> String? {
        guard let previous, previous != 0 else { return nil }
        let tenths = ((Double(value) - Double(previous)) / Double(previous) * 1000).rounded()
        let sign = tenths >= 0 ? "+" : "-"
        // Validated figures keep the ratio far below this bound; the clamp keeps any input from trapping.
        let magnitude = Int64(min(tenths.magnitude, 1e15))
        return "\(sign)\(magnitude / 10).\(magnitude % 10) %"
    }

    private static func clean(_ text: String) -> String { Sanitizer.clean(text) }
}
