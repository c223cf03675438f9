import Foundation
import JumpEvents
import JumpState

/// The words of a digest in each language: headlines of items, labels of counts and totals, figures.
/// Every piece of event text passes through ``Sanitizer``.
package enum DigestText {
    /// One line describing the item's event, with the names of ``Glossary`` (codes, and institutions, places and
    /// programmes by exact match) and the rules of ``Wording``: what happened, in the past tense, with its own
    /// date (announced, opened, withdrawn, held) in the sentence; a figure with its period and its source; and
    /// the address of its source, when it has one (`fuente: https://…` in its closing parenthesis).
    package static func headline(
        _ item: NotificationItem, language: DigestLanguage, glossary: Glossary = .standard
    ) -> String {
        let line = sentence(item, language: language, glossary: glossary)
        guard let link = item.link else { return line }
        let label = language == .es ? "fuente: " : "source: "
        guard line.hasSuffix(")") else { return "\(line) (\(label)\(link))" }
        // A source already named in the closing parenthesis gets its address beside it, not a second `source:`.
        let closing = line[(line.lastIndex(of: "(") ?? line.startIndex)...]
        return "\(line.dropLast())\(closing.contains(label) ? ", " : "; \(label)")\(link))"
    }

    /// The headline without its link.
    private static func sentence(
        _ item: NotificationItem, language: DigestLanguage, glossary: Glossary
    ) -> String {
        let spanish = language == .es
        let facts = item.facts
        // AP drops a company's legal form (`S.A. de C.V.`, `Inc.`); Mexican official usage keeps it.
        func firm(_ name: String) -> String { spanish ? clean(name) : shortName(clean(name)) }
        let company = firm(facts.companyName ?? "")
        func name(_ code: String) -> String { clean(glossary.name(code, language: language)) }
        /// `Ogden, Utah`; a city named in its region (`Ciudad de México`) once; for an English reader a Mexican
        /// state is followed by its country (`Monterrey, Nuevo León, Mexico`).
        func site(city: String?, region: String?) -> String? {
            guard let city = city.map({ name($0) }) else { return nil }
            guard let region else { return city }
            let place = Wording.place(city, city: name(region))
            let mexican = region.hasPrefix("MX-") && !place.contains("Mexico")
            return !spanish && mexican ? place + ", Mexico" : place
        }
        let qualifiers = item.event.qualifiers
        func stated(_ figure: String, _ pointer: String) -> String {
            DigestText.stated(figure, qualifiers[pointer], language: language)
        }
        func money(_ cents: Int64, _ pointer: String) -> String {
            DigestText.stated(
                dollars(cents, language: language, rough: isRough(qualifiers[pointer])), qualifiers[pointer],
                language: language)
        }
        /// `el 3 de marzo de 2025` / `March 4, 2025`, and what the source says of it (`fecha estimada`).
        func on(_ day: String, _ pointer: String) -> (date: String, note: String) {
            let date = (spanish ? "el " : "") + Wording.date(clean(day), language: language)
            let note = statedWhen(qualifiers[pointer], period: false, language: language)
            return (date, note.trimmingPrefix(" (").dropLast().description)
        }
        /// ` (note; more)`: one parenthesis for what follows a line, never two in a row.
        func aside(_ parts: String?...) -> String {
            let kept = parts.compactMap { $0 }.filter { !$0.isEmpty }
            return kept.isEmpty ? "" : " (\(kept.joined(separator: "; ")))"
        }
        /// `text` with `part` in its closing parenthesis (`… (no year given; taken as 2022; source: …)`), or in one
        /// of its own.
        func closing(_ text: String, _ part: String?) -> String {
            guard let part, !part.isEmpty else { return text }
            guard text.hasSuffix(")") else { return text + aside(part) }
            return String(text.dropLast()) + "; \(part))"
        }
        /// A source's note the glossary words for this reader (`Preliminary figure.` → `cifra preliminar`); free
        /// text in the source's language is left out.
        func known(_ note: String?) -> String? {
            guard let note else { return nil }
            let named = glossary.name(note, language: language)
            return named == note ? nil : clean(named)
        }
        /// English dates follow a place after a comma only when the place has one (`in Ogden, Utah, on …`).
        func onDate(_ place: String) -> String { place.contains(",") ? "\(place), on" : "\(place) on" }
        switch item.event.payload {
        case .expansionAnnounced(let expansion):
            let place = site(city: expansion.city, region: expansion.region) ?? clean(expansion.city)
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
                case (let jobs?, let money?, true): ": \(jobs) y \(money) de inversión"
                case (let jobs?, let money?, false): ": \(jobs) and a \(money) investment"
                case (let jobs?, nil, true): ": \(jobs); no se dio a conocer la inversión"
                case (let jobs?, nil, false): ": \(jobs); investment not disclosed"
                case (nil, let money?, true): ": \(money) de inversión; no se dieron a conocer cifras de empleo"
                case (nil, let money?, false): ": a \(money) investment; jobs not disclosed"
                case (nil, nil, true): "; no se dieron a conocer cifras de empleo ni de inversión"
                case (nil, nil, false): "; jobs and investment not disclosed"
                }
            let way = direction(expansion.direction, language)
            let when = on(expansion.announcedOn, "/announcedOn")
            return spanish
                ? "\(company) anunció \(when.date) una expansión en \(place) (\(way))\(figures)\(aside(when.note))"
                : "\(company) announced an expansion in \(onDate(place)) \(when.date) (\(way))\(figures)\(aside(when.note))"
        case .expansionCompleted(let completed):
            let who = company.isEmpty ? clean(completed.companyId) : company
            let place = site(city: facts.city, region: facts.region) ?? clean(completed.expansionId)
            let money = money(completed.actualInvestmentUsdCents, "/actualInvestmentUsdCents")
            let when = on(completed.openedOn, "/openedOn")
            // What was planned, when the announcement gave it: the reader sees the plan met or missed.
            let jobsPlanned = facts.plannedJobs.map {
                spanish ? Wording.counted($0, "empleo", "empleos") : Wording.counted($0, "job", "jobs")
            }
            let moneyPlanned = facts.plannedUsdCents.map { dollars($0, language: language) }
            let planned = [jobsPlanned, moneyPlanned].compactMap { $0 }
            let plan =
                planned.isEmpty
                ? nil
                : (spanish ? "previstos: " : "planned: ")
                    + Wording.list(planned, language: language)
            return spanish
                ? "\(who) concluyó \(when.date) su expansión \(Wording.inPlace(place)): "
                    + "\(stated(Wording.counted(completed.actualJobs, "empleo creado", "empleos creados"), "/actualJobs")) y \(money) invertidos"
                    + aside(plan, when.note)
                : "\(who) completed its expansion in \(onDate(place)) \(when.date): "
                    + "\(stated(Wording.counted(completed.actualJobs, "job created", "jobs created"), "/actualJobs")) and \(money) invested"
                    + aside(plan, when.note)
        case .expansionWithdrawn(let withdrawn):
            let who = company.isEmpty ? clean(withdrawn.companyId) : company
            let place = site(city: facts.city, region: facts.region) ?? clean(withdrawn.expansionId)
            let when = on(withdrawn.withdrawnOn, "/withdrawnOn")
            let bare = Wording.date(clean(withdrawn.withdrawnOn), language: language)
            // A correction withdraws a report that was wrong; a retraction, a plan the company gave up.
            return switch (withdrawn.reason, spanish) {
            case (.retraction, true):
                "\(who) canceló \(when.date) su proyecto de expansión en \(place)" + aside(when.note)
            case (.correction, true):
                "Corrección del \(bare): \(who) no tiene la expansión en \(place) que se había informado"
                    + aside(when.note)
            case (.retraction, false):
                "\(who) canceled its planned expansion in \(onDate(place)) \(when.date)" + aside(when.note)
            case (.correction, false):
                "Correction of \(bare): \(who) has no expansion in \(place) as earlier reported" + aside(when.note)
            }
        case .investmentAnnounced(let investment):
            let who = firm(investment.investor.name)
            let money = money(investment.amountUsdCents, "/amountUsdCents")
            let sector = name(investment.sector)
            let region = name(investment.region)
            let way = direction(investment.direction, language)
            let when = on(investment.announcedOn, "/announcedOn")
            return spanish
                ? "\(who) anunció \(when.date) una inversión de \(money) en \(region)\(aside(sector, way, when.note))"
                : "\(who) announced a \(money) investment in \(onDate(region)) \(when.date)\(aside(sector, way, when.note))"
        case .exportsReported(let exports):
            let money = money(exports.valueUsdCents, "/valueUsdCents")
            let label =
                spanish
                ? "Exportaciones de \(name(exports.origin)) a \(name(exports.destination))"
                : "Exports from \(name(exports.origin)) to \(name(exports.destination))"
            return closing(
                inPeriod(label, money, exports.period.description, qualifiers["/period"], language: language),
                [known(exports.note), source(exports.source, glossary: glossary, language: language)]
                    .compactMap { $0 }.joined(separator: "; "))
        case .jobsReported(let jobs):
            return closing(
                inPeriod(
                    jobsLabel(jobs.scope, language: language, glossary: glossary),
                    stated(number(jobs.jobsSupported), "/jobsSupported"), jobs.period.description,
                    qualifiers["/period"], language: language),
                [known(jobs.note), source(jobs.source, glossary: glossary, language: language)]
                    .compactMap { $0 }.joined(separator: "; "))
        case .meetingHeld(let meeting):
            let (venue, city) = (name(meeting.place.name), name(meeting.place.city))
            let namesCity = venue.lowercased().contains(city.lowercased())
            let place =
                spanish ? (namesCity ? venue : "\(venue), \(city),") : (namesCity ? venue : "\(venue) in \(city)")
            let people = Int64(meeting.participants.count)
            let when = on(meeting.heldOn, "/heldOn")
            // Who led each side: the first participant of each country, with a role the glossary names.
            var leaders: [String] = []
            var countries: Set<String> = []
            for participant in meeting.participants where countries.insert(participant.country).inserted {
                // A role the glossary knows with its organization (`Governor | State of Utah`: `gobernador de
                // Utah`) before the bare role.
                let paired = "\(participant.role) | \(participant.organization)"
                let withOrganization = glossary.name(paired, language: language)
                let role =
                    withOrganization != paired
                    ? withOrganization : glossary.name(participant.role, language: language)
                // A role is shown once: not beside a name that is the role itself (`Consul General`).
                let known = (role != participant.role || !spanish) && participant.name != participant.role
                // English puts a short title before the name (`Gov. Spencer Cox`), a long one after it (`Ryan Starks,
                // executive director of …,`), as AP does.
                let long = role.split(separator: " ").count > 3
                let leader =
                    switch (spanish, known, long) {
                    case (_, false, _): clean(participant.name)
                    case (true, true, _): clean(participant.name) + ", " + clean(role)
                    case (false, true, false): clean(role) + " " + clean(participant.name)
                    case (false, true, true): clean(participant.name) + ", " + clean(role)
                    }
                leaders.append(leader)
                if leaders.count == 2 { break }
            }
            // Names with a role after a comma (`Alicia Bárcena, canciller`) are joined with `, y`.
            let listed =
                leaders.count == 2 && leaders[0].contains(",")
                ? "\(leaders[0]), \(spanish ? "y" : "and") \(leaders[1])" : Wording.list(leaders, language: language)
            let with = leaders.isEmpty ? "" : (spanish ? ", con " : ", with ") + listed
            let count =
                spanish
                ? Wording.countedInWords(people, "participante", "participantes", language: language, feminine: false)
                : Wording.countedInWords(people, "participant", "participants", language: language)
            let details = aside(when.note, count, topics(meeting.topics, language: language))
            // Who met, as a sentence, when the event names them; else the meeting and its place.
            guard leaders.count == 2 else {
                return spanish
                    ? "Reunión de delegaciones \(Wording.inPlace(place)) \(when.date)\(with)" + details
                    : "Delegation meeting at \(place) on \(when.date)\(with)" + details
            }
            return spanish
                ? "\(listed), se reunieron \(Wording.inPlace(place)) \(when.date)" + details
                : "\(listed)\(leaders[1].contains(",") ? "," : "") met at \(place) on \(when.date)" + details
        case .initiativeAnnounced(let initiative):
            let title = name(initiative.title)
            let named = initiative.parties.map { spanish ? Wording.withArticle(name($0)) : name($0) }
            let parties = clean(Wording.list(named, language: language))
            let when = on(initiative.announcedOn, "/announcedOn")
            let several = initiative.parties.count > 1
            let verb: String =
                switch (initiative.status, spanish) {
                case (.proposed, true): several ? "propusieron" : "propuso"
                case (.agreed, true): several ? "acordaron" : "acordó"
                case (.signed, true): several ? "firmaron" : "firmó"
                case (.proposed, false): "proposed"
                case (.agreed, false): "agreed on"
                case (.signed, false): "signed"
                }
            // AP sets a programme's name without quotation marks.
            return spanish
                ? "\(Wording.capitalized(parties)) \(verb) \(when.date) la iniciativa “\(title)”" + aside(when.note)
                : "\(Wording.capitalized(parties)) \(verb) the \(title) initiative on \(when.date)" + aside(when.note)
        }
    }

    /// Where a figure comes from, in the reader's language (`fuente: comunicado de la SRE`); `nil` when the
    /// source is a code (`urn:…`). (Its free-text note stays in the event: it is in the source's language.)
    static func source(_ source: String, glossary: Glossary, language: DigestLanguage) -> String? {
        let named = clean(glossary.name(source, language: language))
        guard !named.isEmpty, !named.contains(":") else { return nil }
        return (language == .es ? "fuente: " : "source: ") + named
    }

    /// The event's own date (`YYYY-MM-DD`): when it was announced, opened, withdrawn or held; `nil` for a figure,
    /// which is dated by its period.
    package static func happenedOn(_ event: JumpEvent) -> String? {
        switch event.payload {
        case .expansionAnnounced(let expansion): expansion.announcedOn
        case .expansionCompleted(let completed): completed.openedOn
        case .expansionWithdrawn(let withdrawn): withdrawn.withdrawnOn
        case .investmentAnnounced(let investment): investment.announcedOn
        case .meetingHeld(let meeting): meeting.heldOn
        case .initiativeAnnounced(let initiative): initiative.announcedOn
        case .exportsReported, .jobsReported: nil
        }
    }

    /// Whether the event's figure was computed from reported ones rather than reported (`basis: derived`).
    package static func isDerived(_ event: JumpEvent) -> Bool {
        switch event.payload {
        case .exportsReported: event.qualifiers["/valueUsdCents"]?.basis == .derived
        case .jobsReported: event.qualifiers["/jobsSupported"]?.basis == .derived
        default: false
        }
    }

    /// The expansion or initiative an event is about, for one line per thread; `nil` for other events.
    package static func thread(of event: JumpEvent) -> String? {
        switch event.payload {
        case .expansionAnnounced(let expansion): "expansion:" + expansion.expansionId
        case .expansionCompleted(let completed): "expansion:" + completed.expansionId
        case .expansionWithdrawn(let withdrawn): "expansion:" + withdrawn.expansionId
        case .initiativeAnnounced(let initiative): "initiative:" + initiative.initiativeId
        default: nil
        }
    }

    static func clean(_ text: String) -> String { Sanitizer.clean(text) }
}
