import JumpEvents
import JumpState

/// The news of an item in a few words: the mail subject and the text's first line.
extension DigestText {
    /// The news of an item in a few words, for a mail subject and the first line (a phone shows about 40 to 60
    /// characters): `Aceros del Norte abre en Ogden, 205 empleos`; `Aceros del Norte opens in Ogden, 205 jobs`.
    package static func news(
        _ item: NotificationItem, language: DigestLanguage, glossary: Glossary = .standard, past: Bool = false
    ) -> String {
        let spanish = language == .es
        let company = shortName(clean(item.facts.companyName ?? ""))
        let qualifiers = item.event.qualifiers
        /// A figure as its source states it (`alrededor de USD 1,100 millones`), in few words.
        func stated(_ figure: String, _ pointer: String) -> String {
            DigestText.stated(figure, qualifiers[pointer], language: language)
        }
        /// `(2022)`; a year the source does not state, or that is assumed, is marked (`(2022?)`).
        func when(_ period: Period) -> String {
            let basis = qualifiers["/period"]?.basis
            return "(\(shortPeriod(period, spanish))\(basis == .notStated || basis == .assumed ? "?" : ""))"
        }
        func name(_ code: String) -> String { clean(glossary.name(code, language: language)) }
        func jobs(_ count: Int64) -> String {
            spanish ? Wording.counted(count, "empleo", "empleos") : Wording.counted(count, "job", "jobs")
        }
        switch item.event.payload {
        case .expansionAnnounced(let expansion):
            let who = shortName(clean(expansion.company.name))
            // Jobs lead the news only when the company stated a number of them.
            let count = expansion.plannedJobs.flatMap {
                $0 > 0
                    ? (spanish
                        ? " con " + Wording.counted($0, "empleo previsto", "empleos previstos")
                        : ", " + Wording.counted($0, "job planned", "jobs planned")) : nil
            }
            let place = name(expansion.city)
            return switch (spanish, past) {
            case (true, false): "\(who) anuncia una expansión en \(place)\(count ?? "")"
            case (true, true): "\(who) anunció una expansión en \(place)\(count ?? "")"
            case (false, false): "\(who) to expand in \(place)\(count ?? "")"
            case (false, true): "\(who) announced expansion in \(place)\(count ?? "")"
            }
        case .expansionCompleted(let completed):
            let who = company.isEmpty ? clean(completed.companyId) : company
            let place = item.facts.city.map { name($0) }
            let created = jobs(completed.actualJobs)
            return switch (spanish, past, place) {
            case (true, false, let place?): "\(who) abre en \(place) con \(created)"
            case (true, true, let place?):
                "\(who) concluyó su expansión \(Wording.inPlace(place)) con \(created) creados"
            case (true, _, nil): "\(who) \(past ? "concluyó" : "concluye") su expansión con \(created)"
            case (false, false, let place?): "\(who) adds \(created) in \(place)"
            case (false, true, let place?): "\(who) completed \(place) expansion, adding \(created)"
            case (false, _, nil): "\(who) \(past ? "completed" : "completes") expansion, adding \(created)"
            }
        case .expansionWithdrawn(let withdrawn):
            let who = company.isEmpty ? clean(withdrawn.companyId) : company
            return switch (spanish, past) {
            case (true, false): "\(who) cancela su proyecto de expansión"
            case (true, true): "\(who) canceló su proyecto de expansión"
            case (false, false): "\(who) cancels planned expansion"
            case (false, true): "\(who) canceled planned expansion"
            }
        case .investmentAnnounced(let investment):
            let money = dollars(investment.amountUsdCents, language: language)
            let who = shortName(clean(investment.investor.name))
            let region = name(investment.region)
            return switch (spanish, past) {
            case (true, false): "\(who) invertirá \(money) en \(region)"
            case (true, true): "\(who) anunció inversión de \(money) en \(region)"
            case (false, false): "\(who) to invest \(money) in \(region)"
            case (false, true): "\(who) announced \(money) investment in \(region)"
            }
        case .exportsReported(let exports):
            let money = stated(
                dollars(exports.valueUsdCents, language: language, rough: isRough(qualifiers["/valueUsdCents"])),
                "/valueUsdCents")
            return spanish
                ? "Exportaciones de \(name(exports.origin)) a \(name(exports.destination)): \(money) \(when(exports.period))"
                : "Exports from \(name(exports.origin)) to \(name(exports.destination)): \(money) \(when(exports.period))"
        case .jobsReported(let jobsReported):
            return "\(jobsLabel(jobsReported.scope, language: language, glossary: glossary)): "
                + "\(stated(number(jobsReported.jobsSupported), "/jobsSupported")) \(when(jobsReported.period))"
        case .meetingHeld(let meeting):
            let place = name(meeting.place.name)
            return spanish
                ? "Reunión de delegaciones \(Wording.inPlace(place))" : "Delegation meeting at \(place)"
        case .initiativeAnnounced(let initiative):
            let status = initiativeStatus(initiative.status, language)
            return spanish
                ? "Iniciativa “\(name(initiative.title))” \(status)"
                : "Initiative “\(name(initiative.title))” \(status)"
        }
    }

    /// A company's name without its legal form, for the few words of a subject: `Aceros del Norte S.A. de C.V.`
    /// → `Aceros del Norte`, `Wasatch Medical Devices, Inc.` → `Wasatch Medical Devices`.
    static func shortName(_ name: String) -> String {
        for form in [
            " S.A.B. de C.V.", " S.A.P.I. de C.V.", " S. de R.L. de C.V.", " S.A. de C.V.", " S. de R.L.", " S.A.",
            " Inc.", " LLC", " L.L.C.", " Corp.", " Co.", " Ltd.",
        ] where name.hasSuffix(form) {
            var short = String(name.dropLast(form.count))
            if short.hasSuffix(",") { short.removeLast() }
            return short.isEmpty ? name : short
        }
        return name
    }

    /// `2022`, `T4 2023` / `Q4 2023`.
    private static func shortPeriod(_ period: Period, _ spanish: Bool) -> String {
        period.quarter.map { "\(spanish ? "T" : "Q")\($0) \(period.year)" } ?? "\(period.year)"
    }

    private static func initiativeStatus(_ status: InitiativeStatus, _ language: DigestLanguage) -> String {
        switch (status, language) {
        case (.proposed, .es): "propuesta"
        case (.agreed, .es): "acordada"
        case (.signed, .es): "firmada"
        case (.proposed, .en): "proposed"
        case (.agreed, .en): "agreed"
        case (.signed, .en): "signed"
        }
    }
}
