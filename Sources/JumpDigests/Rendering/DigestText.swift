import JumpEvents
import JumpState

/// The words of a digest in each language: headlines of items, labels of counts and totals, figures.
/// Every piece of event text passes through ``Sanitizer``.
public enum DigestText {
    /// The languages digests are written in.
    public static let languages = ["es", "en"]

    /// One line describing the item's event, with the names of ``Glossary`` and the rules of ``Wording``.
    public static func headline(
        _ item: NotificationItem, language: String, glossary: Glossary = .standard
    ) -> String {
        let spanish = language == "es"
        let facts = item.facts
        let company = clean(facts.companyName ?? "")
        func name(_ code: String) -> String { clean(glossary.name(code, language: language)) }
        switch item.event.payload {
        case .expansionAnnounced(let expansion):
            let place = "\(clean(expansion.city)), \(name(expansion.region))"
            let money = dollars(expansion.plannedInvestmentUsdCents, language: language)
            let way = direction(expansion.direction, language)
            return spanish
                ? "\(company) anuncia una expansión en \(place) (\(way)): "
                    + "\(Wording.counted(expansion.plannedJobs, "empleo previsto", "empleos previstos")) y \(money) de inversión"
                : "\(company) announces an expansion in \(place) (\(way)): "
                    + "\(Wording.counted(expansion.plannedJobs, "planned job", "planned jobs")) and a \(money) investment"
        case .expansionCompleted(let completed):
            let who = company.isEmpty ? clean(completed.companyId) : company
            let place = facts.city.map { clean($0) } ?? clean(completed.expansionId)
            let money = dollars(completed.actualInvestmentUsdCents, language: language)
            return spanish
                ? "\(who) completa su expansión en \(place): "
                    + "\(Wording.counted(completed.actualJobs, "empleo creado", "empleos creados")) y \(money) invertidos"
                : "\(who) completes its expansion in \(place): "
                    + "\(Wording.counted(completed.actualJobs, "job created", "jobs created")) and \(money) invested"
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
                : "\(Wording.possessive(who)) expansion in \(place) is withdrawn (\(reason))"
        case .investmentAnnounced(let investment):
            let who = clean(investment.investor.name)
            let money = dollars(investment.amountUsdCents, language: language)
            let sector = name(investment.sector)
            let region = name(investment.region)
            let way = direction(investment.direction, language)
            return spanish
                ? "\(who) anuncia una inversión de \(money) en \(region) (\(sector); \(way))"
                : "\(who) announces a \(money) investment in \(region) (\(sector); \(way))"
        case .exportsReported(let exports):
            let money = dollars(exports.valueUsdCents, language: language)
            let period = Wording.period(exports.period.description, language: language)
            return spanish
                ? "Exportaciones de \(name(exports.origin)) a \(name(exports.destination)) en \(period): \(money)"
                : "Exports from \(name(exports.origin)) to \(name(exports.destination)) in \(period): \(money)"
        case .jobsReported(let jobs):
            let period = Wording.period(jobs.period.description, language: language)
            return spanish
                ? "Empleos sostenidos (\(name(jobs.scope))) en \(period): \(number(jobs.jobsSupported))"
                : "Jobs supported (\(name(jobs.scope))) in \(period): \(number(jobs.jobsSupported))"
        case .meetingHeld(let meeting):
            let place = clean(Wording.place(meeting.place.name, city: meeting.place.city))
            let topics = meeting.topics.map { topic($0, language) }.joined(separator: ", ")
            let people = Int64(meeting.participants.count)
            let date = Wording.date(clean(meeting.heldOn), language: language)
            return spanish
                ? "Reunión de delegaciones \(Wording.inPlace(place)) el \(date) "
                    + "(\(Wording.counted(people, "participante", "participantes")); "
                    + "\(meeting.topics.count == 1 ? "tema" : "temas"): \(topics))"
                : "Delegation meeting at \(place) on \(date) "
                    + "(\(Wording.counted(people, "participant", "participants")); "
                    + "\(meeting.topics.count == 1 ? "topic" : "topics"): \(topics))"
        case .initiativeAnnounced(let initiative):
            let title = clean(initiative.title)
            let parties = clean(Wording.list(initiative.parties, language: language))
            let status = initiativeStatus(initiative.status, language)
            return spanish
                ? "Iniciativa «\(title)» (\(status)): \(parties)"
                : "Initiative “\(title)” (\(status)): \(parties)"
        }
    }

    /// The heading of a group of `count` lines of one event type: `Expansiones anunciadas (2)`,
    /// `Expansion announced (1)`.
    public static func typeLabel(_ type: JumpEventType, language: String, count: Int) -> String {
        let (spanish, english) = typeLabels(type)
        let (one, other) = language == "es" ? spanish : english
        return "\(count == 1 ? one : other) (\(DigestText.number(Int64(count))))"
    }

    /// Each type's heading, singular and plural, in Spanish and English.
    private static func typeLabels(_ type: JumpEventType) -> (es: (String, String), en: (String, String)) {
        switch type {
        case .expansionAnnounced:
            (
                ("Expansión anunciada", "Expansiones anunciadas"), ("Expansion announced", "Expansions announced")
            )
        case .expansionCompleted:
            (
                ("Expansión completada", "Expansiones completadas"), ("Expansion completed", "Expansions completed")
            )
        case .expansionWithdrawn:
            (
                ("Expansión retirada", "Expansiones retiradas"), ("Expansion withdrawn", "Expansions withdrawn")
            )
        case .investmentAnnounced:
            (
                ("Inversión anunciada", "Inversiones anunciadas"), ("Investment announced", "Investments announced")
            )
        case .exportsReported:
            (("Cifra de exportaciones", "Cifras de exportaciones"), ("Export figure", "Export figures"))
        case .jobsReported: (("Cifra de empleo", "Cifras de empleo"), ("Jobs figure", "Jobs figures"))
        case .meetingHeld:
            (
                ("Reunión de delegaciones", "Reuniones de delegaciones"), ("Delegation meeting", "Delegation meetings")
            )
        case .initiativeAnnounced: (("Iniciativa", "Iniciativas"), ("Initiative", "Initiatives"))
        }
    }

    /// The expansion or initiative an event is about, for one line per thread; `nil` for other events.
    public static func thread(of event: JumpEvent) -> String? {
        switch event.payload {
        case .expansionAnnounced(let expansion): "expansion:" + expansion.expansionId
        case .expansionCompleted(let completed): "expansion:" + completed.expansionId
        case .expansionWithdrawn(let withdrawn): "expansion:" + withdrawn.expansionId
        case .initiativeAnnounced(let initiative): "initiative:" + initiative.initiativeId
        default: nil
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

    /// US dollars from cents, exact, for reports and the console: `1,234,567.89` (`1,234,567` for whole dollars);
    /// a saturated total (``SaturatingTotal``) reads `92,233,720,368,547,758.07 or more (saturated)`.
    public static func exactDollars(_ cents: Int64) -> String {
        let whole = Int64(cents.magnitude / 100)
        let fraction = cents.magnitude % 100
        let text =
            (cents < 0 ? "-" : "") + plainNumber(whole)
            + (fraction == 0 ? "" : "." + (fraction < 10 ? "0" : "") + String(fraction))
        return SaturatingTotal.isSaturated(cents) ? text + " or more (saturated)" : text
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
