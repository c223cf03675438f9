import JumpEvents
import JumpState

/// The words of a digest in each language: headlines of items, labels of counts and totals, figures.
/// Every piece of event text passes through ``Sanitizer``.
public enum DigestText {
    /// The languages digests are written in.
    public static let languages = ["es", "en"]

    /// One line describing the item's event, with the names of ``Glossary`` (codes, and institutions, places and
    /// programmes by exact match) and the rules of ``Wording``; it ends with the event's own date (announced,
    /// opened, withdrawn; a meeting's and a figure's are in the line). An event dated more than 30 days before
    /// `windowStart` says it was reported in this window.
    public static func headline(
        _ item: NotificationItem, language: String, glossary: Glossary = .standard, windowStart: Int64? = nil
    ) -> String {
        let spanish = language == "es"
        let facts = item.facts
        let company = clean(facts.companyName ?? "")
        func name(_ code: String) -> String { clean(glossary.name(code, language: language)) }
        /// `Ogden, Utah`: the city of a completed or withdrawn expansion with its region, as its announcement read.
        func site(_ facts: NotificationFacts) -> String? {
            guard let city = facts.city.map({ clean($0) }) else { return nil }
            return facts.region.map { Wording.place(city, city: name($0)) } ?? city
        }
        /// ` (anunciada el 3 de marzo de 2025)`, with `; informada en este periodo` for an old date.
        let qualifiers = item.event.qualifiers
        func stated(_ figure: String, _ pointer: String) -> String {
            DigestText.stated(figure, qualifiers[pointer], language: language)
        }
        func money(_ cents: Int64, _ pointer: String) -> String {
            DigestText.stated(
                dollars(cents, language: language, rough: isRough(qualifiers[pointer])), qualifiers[pointer],
                language: language)
        }
        func when(_ pointer: String, period: Bool = false) -> String {
            statedWhen(qualifiers[pointer], period: period, language: language)
        }
        func dated(_ day: String, _ es: String, _ en: String, _ pointer: String) -> String {
            var text =
                " (\(spanish ? es : en) \(spanish ? "el " : "")\(Wording.date(clean(day), language: language))"
                + when(pointer).replacing(" (", with: "; ").replacing(")", with: "")
            if let windowStart, let dayMs = Wording.milliseconds(ofDay: day), windowStart - dayMs > 30 * 86_400_000 {
                text += spanish ? "; informada en este periodo" : "; reported in this window"
            }
            return text + ")"
        }
        switch item.event.payload {
        case .expansionAnnounced(let expansion):
            let place = Wording.place(clean(expansion.city), city: name(expansion.region))
            let money = expansion.plannedInvestmentUsdCents.map { money($0, "/plannedInvestmentUsdCents") }
            let jobs = expansion.plannedJobs.map {
                stated(
                    spanish
                        ? Wording.counted($0, "empleo previsto", "empleos previstos")
                        : Wording.counted($0, "planned job", "planned jobs"), "/plannedJobs")
            }
            // A figure the event leaves out was not disclosed: it is said so, never shown as 0.
            let figures =
                switch (jobs, money, spanish) {
                case (let jobs?, let money?, true): "\(jobs) y \(money) de inversión"
                case (let jobs?, let money?, false): "\(jobs) and a \(money) investment"
                case (let jobs?, nil, true): "\(jobs); inversión no divulgada"
                case (let jobs?, nil, false): "\(jobs); investment not disclosed"
                case (nil, let money?, true): "\(money) de inversión; empleos no divulgados"
                case (nil, let money?, false): "a \(money) investment; jobs not disclosed"
                case (nil, nil, true): "sin cifras de empleo ni inversión"
                case (nil, nil, false): "jobs and investment not disclosed"
                }
            let way = direction(expansion.direction, language)
            return spanish
                ? "\(company) anuncia una expansión en \(place) (\(way)): \(figures)"
                    + dated(expansion.announcedOn, "anunciada", "announced", "/announcedOn")
                : "\(company) announces an expansion in \(place) (\(way)): \(figures)"
                    + dated(expansion.announcedOn, "anunciada", "announced", "/announcedOn")
        case .expansionCompleted(let completed):
            let who = company.isEmpty ? clean(completed.companyId) : company
            let place = site(facts) ?? clean(completed.expansionId)
            let money = money(completed.actualInvestmentUsdCents, "/actualInvestmentUsdCents")
            return spanish
                ? "\(who) concluye su expansión en \(place): "
                    + "\(stated(Wording.counted(completed.actualJobs, "empleo creado", "empleos creados"), "/actualJobs")) y \(money) invertidos"
                    + dated(completed.openedOn, "inaugurada", "opened", "/openedOn")
                : "\(who) completes its expansion in \(place): "
                    + "\(stated(Wording.counted(completed.actualJobs, "job created", "jobs created"), "/actualJobs")) and \(money) invested"
                    + dated(completed.openedOn, "inaugurada", "opened", "/openedOn")
        case .expansionWithdrawn(let withdrawn):
            let who = company.isEmpty ? clean(withdrawn.companyId) : company
            let place = site(facts) ?? clean(withdrawn.expansionId)
            let when = dated(withdrawn.withdrawnOn, "cancelada", "withdrawn", "/withdrawnOn")
            // A correction withdraws a report that was wrong; a retraction, a plan the company gave up.
            return switch (withdrawn.reason, spanish) {
            case (.retraction, true): "\(who) cancela su proyecto de expansión en \(place)" + when
            case (.correction, true):
                "Corrección: \(who) no tiene la expansión en \(place) que se había informado" + when
            case (.retraction, false): "\(who) cancels its planned expansion in \(place)" + when
            case (.correction, false): "Correction: \(who) has no expansion in \(place) as earlier reported" + when
            }
        case .investmentAnnounced(let investment):
            let who = clean(investment.investor.name)
            let money = money(investment.amountUsdCents, "/amountUsdCents")
            let sector = name(investment.sector)
            let region = name(investment.region)
            let way = direction(investment.direction, language)
            let when = dated(investment.announcedOn, "anunciada", "announced", "/announcedOn")
            return spanish
                ? "\(who) anuncia una inversión de \(money) en \(region) (\(sector); \(way))" + when
                : "\(who) announces a \(money) investment in \(region) (\(sector); \(way))" + when
        case .exportsReported(let exports):
            let money = money(exports.valueUsdCents, "/valueUsdCents")
            let label =
                spanish
                ? "Exportaciones de \(name(exports.origin)) a \(name(exports.destination))"
                : "Exports from \(name(exports.origin)) to \(name(exports.destination))"
            return inPeriod(label, money, exports.period.description, qualifiers["/period"], language: language)
        case .jobsReported(let jobs):
            return inPeriod(
                jobsLabel(jobs.scope, language: language, glossary: glossary),
                stated(number(jobs.jobsSupported), "/jobsSupported"), jobs.period.description, qualifiers["/period"],
                language: language)
        case .meetingHeld(let meeting):
            let (venue, city) = (clean(name(meeting.place.name)), clean(name(meeting.place.city)))
            let namesCity = venue.lowercased().contains(city.lowercased())
            let place =
                spanish ? (namesCity ? venue : "\(venue), \(city),") : (namesCity ? venue : "\(venue) in \(city)")
            // Other topics close the list: `agua, entre otros` (not `agua y otros temas`).
            let named = meeting.topics.filter { $0 != .other }
            let topics =
                spanish && meeting.topics.contains(.other) && !named.isEmpty
                ? named.map { topic($0, language) }.joined(separator: ", ") + ", entre otros"
                : Wording.list(meeting.topics.map { topic($0, language) }, language: language)
            let people = Int64(meeting.participants.count)
            let date = Wording.date(clean(meeting.heldOn), language: language) + when("/heldOn")
            return spanish
                ? "Reunión de delegaciones \(Wording.inPlace(place)) el \(date) "
                    + "(\(Wording.counted(people, "participante", "participantes")); "
                    + "\(meeting.topics.count == 1 ? "tema" : "temas"): \(topics))"
                : "Delegation meeting at \(place) on \(date) "
                    + "(\(Wording.counted(people, "participant", "participants")); "
                    + "\(meeting.topics.count == 1 ? "topic" : "topics"): \(topics))"
        case .initiativeAnnounced(let initiative):
            let title = name(initiative.title)
            let parties = clean(
                Wording.list(
                    initiative.parties.map { spanish ? Wording.withArticle(name($0)) : name($0) }, language: language))
            let when = dated(initiative.announcedOn, "anunciada", "announced", "/announcedOn")
            let agreed: String =
                switch (initiative.status, spanish) {
                case (.proposed, true): "propuesta por"
                case (.agreed, true): "acordada entre"
                case (.signed, true): "firmada por"
                case (.proposed, false): "proposed by"
                case (.agreed, false): "agreed between"
                case (.signed, false): "signed by"
                }
            return spanish
                ? "Iniciativa «\(title)», \(agreed) \(parties)" + when
                : "Initiative “\(title)”, \(agreed) \(parties)" + when
        }
    }

    /// The news of an item in a few words, for a mail subject and the first line (a phone shows about 40 to 60
    /// characters): `Aceros del Norte abre en Ogden, 205 empleos`; `Aceros del Norte opens in Ogden, 205 jobs`.
    package static func news(_ item: NotificationItem, language: String, glossary: Glossary = .standard) -> String {
        let spanish = language == "es"
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
            let count = expansion.plannedJobs.flatMap { $0 > 0 ? ", " + jobs($0) : nil } ?? ""
            return spanish
                ? "\(who) anuncia expansión en \(clean(expansion.city))\(count)"
                : "\(who) to expand in \(clean(expansion.city))\(count)"
        case .expansionCompleted(let completed):
            let who = company.isEmpty ? clean(completed.companyId) : company
            let place = item.facts.city.map { clean($0) }
            return spanish
                ? "\(who) concluye su expansión\(place.map { " en \($0)" } ?? ""), \(jobs(completed.actualJobs))"
                : "\(who) completes\(place.map { " \($0)" } ?? " its") expansion, creating \(jobs(completed.actualJobs))"
        case .expansionWithdrawn(let withdrawn):
            let who = company.isEmpty ? clean(withdrawn.companyId) : company
            return spanish ? "\(who) cancela su proyecto de expansión" : "\(who) cancels its planned expansion"
        case .investmentAnnounced(let investment):
            let money = dollars(investment.amountUsdCents, language: language)
            return spanish
                ? "\(shortName(clean(investment.investor.name))) anuncia inversión de \(money) en \(name(investment.region))"
                : "\(shortName(clean(investment.investor.name))) announces \(money) investment in \(name(investment.region))"
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
                ? "Iniciativa «\(name(initiative.title))» \(status)"
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

    /// What a jobs series counts, as a label: `Empleos vinculados al comercio entre México y Utah`, `Jobs at
    /// Mexican firms in Utah`; another scope `Empleos vinculados (SCOPE)` / `Jobs supported (SCOPE)`.
    package static func jobsLabel(_ scope: String, language: String, glossary: Glossary = .standard) -> String {
        let spanish = language == "es"
        switch scope {
        case "mexico-utah-trade":
            return spanish
                ? "Empleos vinculados al comercio entre México y Utah" : "Jobs supported by Mexico–Utah trade"
        case "mexican-firms-in-utah":
            return spanish ? "Empleos en empresas mexicanas en Utah" : "Jobs at Mexican firms in Utah"
        case "utah-firms-in-mexico":
            return spanish ? "Empleos en empresas de Utah en México" : "Jobs at Utah firms in Mexico"
        default:
            let name = clean(glossary.name(scope, language: language))
            return spanish ? "Empleos vinculados (\(name))" : "Jobs supported (\(name))"
        }
    }

    /// The heading of a group of `count` lines of one event type: `Expansiones anunciadas (2)`,
    /// `Expansion announced (1)`.
    public static func typeLabel(_ type: JumpEventType, language: String, count: Int) -> String {
        let (spanish, english) = typeLabels(type)
        let (one, other) = language == "es" ? spanish : english
        return "\(count == 1 ? one : other) (\(DigestText.number(Int64(count))))"
    }

    /// The name of one event of a type: `Expansión anunciada`, `Expansion announced`.
    package static func typeName(_ type: JumpEventType, language: String) -> String {
        let (spanish, english) = typeLabels(type)
        return language == "es" ? spanish.0 : english.0
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
                ("Expansión concluida", "Expansiones concluidas"), ("Expansion completed", "Expansions completed")
            )
        case .expansionWithdrawn:
            (
                ("Expansión cancelada", "Expansiones canceladas"), ("Expansion withdrawn", "Expansions withdrawn")
            )
        case .investmentAnnounced:
            (
                ("Inversión anunciada", "Inversiones anunciadas"), ("Investment announced", "Investments announced")
            )
        case .exportsReported:
            (("Cifra de exportación", "Cifras de exportación"), ("Export figure", "Export figures"))
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
        guard language == "es" else {
            return switch topic {
            case .economic: "the economy"
            case .other: "other issues"
            default: topic.rawValue
            }
        }
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
        case .other: "otros temas"
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

    private static func clean(_ text: String) -> String { Sanitizer.clean(text) }
}
