import Foundation
import JumpEvents

/// Who receives digests, what they receive, when, and through which sinks: the notifier's configuration
/// (`--digest-config FILE`, documented in `Deploy/digests.example.json`). Without a file, ``builtIn`` serves the
/// consulate and the governor's office with placeholder staff and e-mail off.
package struct DigestConfiguration: Sendable, Codable, Equatable {
    /// The audiences, each with its staff, routing rules and schedule.
    package var audiences: [Audience]
    /// The sinks every digest goes to.
    package var sinks: [DigestSinkKind]
    /// E-mail delivery; absent, no e-mail is sent.
    package var email: EmailSettings?
    /// A directory of templates (`digest.es.mustache`, `digest.en.mustache`) that replace the built-in ones.
    package var templateDirectory: String?
    /// Names for codes (regions, countries, series, sectors) by language, added to or replacing ``Glossary``'s
    /// built-in ones: `{"MX-SON": {"es": "Sonora", "en": "Sonora"}}`.
    package var glossary: [String: [String: String]]
    /// Bounds beyond which a figure is marked "to check".
    package var plausibility: PlausibilityBounds

    /// A configuration.
    package init(
        audiences: [Audience], sinks: [DigestSinkKind] = [.log, .jsonl, .topic], email: EmailSettings? = nil,
        templateDirectory: String? = nil, glossary: [String: [String: String]] = [:],
        plausibility: PlausibilityBounds = PlausibilityBounds()
    ) {
        self.audiences = audiences
        self.sinks = sinks
        self.email = email
        self.templateDirectory = templateDirectory
        self.glossary = glossary
        self.plausibility = plausibility
    }

    private enum CodingKeys: String, CodingKey {
        case audiences, sinks, email, templateDirectory, glossary, plausibility
    }

    /// Decodes a configuration; `sinks` defaults to `log`, `jsonl`, `topic` (and `email` when e-mail is set).
    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        audiences = try container.decode([Audience].self, forKey: .audiences)
        email = try container.decodeIfPresent(EmailSettings.self, forKey: .email)
        sinks =
            try container.decodeIfPresent([DigestSinkKind].self, forKey: .sinks)
            ?? [.log, .jsonl, .topic] + (email == nil ? [] : [.email])
        templateDirectory = try container.decodeIfPresent(String.self, forKey: .templateDirectory)
        glossary = try container.decodeIfPresent([String: [String: String]].self, forKey: .glossary) ?? [:]
        plausibility =
            try container.decodeIfPresent(PlausibilityBounds.self, forKey: .plausibility) ?? PlausibilityBounds()
    }

    /// The audience with this id.
    package func audience(_ id: String) -> Audience? { audiences.first { $0.id == id } }
}

/// One audience of staff.
package struct Audience: Sendable, Codable, Equatable {
    /// The id: the key of its items on `jump.notifications` and the first part of its digests' ids.
    package var id: String
    /// Its name, as the digests show it.
    package var name: String
    /// The languages of its digests, first one first (`es`, `en`).
    package var languages: [DigestLanguage]
    /// The IANA time zone its schedule and its digests' times are in.
    package var timeZone: String
    /// When its windows close.
    package var schedule: DigestSchedule
    /// Whether a window without items still produces a digest (one short line saying so).
    package var reportEmptyWindows: Bool
    /// The most items a digest's text lists (the most important first); the rest are counted ("and K more") and
    /// listed in `digests.jsonl`. Default 25.
    package var maximumItems: Int
    /// Its staff: each one receives the digest by e-mail when e-mail is configured.
    package var staff: [StaffMember]
    /// What it receives: an event goes to the audience when a rule matches it.
    package var routes: [RouteRule]
    /// Its name in each language (`{"en": "Consulate General of Mexico in Salt Lake City"}`); a language without
    /// one uses ``name``.
    package var names: [String: String]
    /// Whom its staff ask about a digest, by language, printed at the end of the text; none by default.
    package var contact: [String: String]

    /// An audience.
    package init(
        id: String, name: String, languages: [DigestLanguage], timeZone: String, schedule: DigestSchedule,
        reportEmptyWindows: Bool = false, maximumItems: Int = 25, staff: [StaffMember], routes: [RouteRule],
        names: [String: String] = [:], contact: [String: String] = [:]
    ) {
        self.names = names
        self.contact = contact
        self.id = id
        self.name = name
        self.languages = languages
        self.timeZone = timeZone
        self.schedule = schedule
        self.reportEmptyWindows = reportEmptyWindows
        self.maximumItems = maximumItems
        self.staff = staff
        self.routes = routes
    }

    private enum CodingKeys: String, CodingKey {
        case id, name, languages, timeZone, schedule, reportEmptyWindows, maximumItems, staff, routes, names, contact
    }

    /// Its name in `language`.
    package func name(in language: DigestLanguage) -> String { names[language.rawValue] ?? name }

    /// Decodes an audience; `reportEmptyWindows` defaults to false, `maximumItems` to 25 and `staff` to none.
    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        name = try container.decode(String.self, forKey: .name)
        languages = try container.decode([DigestLanguage].self, forKey: .languages)
        timeZone = try container.decode(String.self, forKey: .timeZone)
        schedule = try container.decode(DigestSchedule.self, forKey: .schedule)
        reportEmptyWindows = try container.decodeIfPresent(Bool.self, forKey: .reportEmptyWindows) ?? false
        maximumItems = try container.decodeIfPresent(Int.self, forKey: .maximumItems) ?? 25
        staff = try container.decodeIfPresent([StaffMember].self, forKey: .staff) ?? []
        routes = try container.decode([RouteRule].self, forKey: .routes)
        names = try container.decodeIfPresent([String: String].self, forKey: .names) ?? [:]
        contact = try container.decodeIfPresent([String: String].self, forKey: .contact) ?? [:]
    }
}

/// A member of an audience's staff.
package struct StaffMember: Sendable, Codable, Equatable {
    /// The name (or, for a shared mailbox, the role).
    package var name: String
    /// The role.
    package var role: String
    /// The e-mail address.
    package var email: String
    /// The language this person reads first (`es`, `en`): their e-mail starts with it.
    package var language: DigestLanguage

    /// A staff member.
    package init(name: String, role: String, email: String, language: DigestLanguage) {
        self.name = name
        self.role = role
        self.email = email
        self.language = language
    }
}

/// One routing rule: it matches an event when every condition it states holds.
package struct RouteRule: Sendable, Codable, Equatable {
    /// Event types (`jump.company.expansion-announced`); absent: any.
    package var types: [String]?
    /// Directions (`mx-to-utah`, `utah-to-mx`); absent: any, present: events with one of these directions only.
    package var directions: [String]?
    /// Meeting topics; present: meetings on at least one of them only.
    package var topics: [String]?
    /// How high the matching items rank (1 routine, higher first); the highest matching rule wins.
    package var importance: Int

    /// A rule.
    package init(types: [String]? = nil, directions: [String]? = nil, topics: [String]? = nil, importance: Int = 1) {
        self.types = types
        self.directions = directions
        self.topics = topics
        self.importance = importance
    }

    private enum CodingKeys: String, CodingKey { case types, directions, topics, importance }

    /// Decodes a rule; `importance` defaults to 1.
    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        types = try container.decodeIfPresent([String].self, forKey: .types)
        directions = try container.decodeIfPresent([String].self, forKey: .directions)
        topics = try container.decodeIfPresent([String].self, forKey: .topics)
        importance = try container.decodeIfPresent(Int.self, forKey: .importance) ?? 1
    }
}

/// How e-mail is sent: through a sendmail-compatible command or an SMTP relay.
package struct EmailSettings: Sendable, Codable, Equatable {
    /// The sender address.
    package var from: String
    /// A sendmail-compatible command and its arguments (`["/usr/sbin/sendmail", "-t", "-i"]`, msmtp); the message
    /// is written to its standard input.
    package var sendmail: [String]?
    /// An SMTP relay (plain SMTP on a trusted network or loopback).
    package var smtp: SMTPRelay?
    /// Attempts per recipient before a delivery fails for good. Default 8.
    package var maxAttempts: Int?

    /// E-mail settings.
    package init(from: String, sendmail: [String]? = nil, smtp: SMTPRelay? = nil, maxAttempts: Int? = nil) {
        self.from = from
        self.sendmail = sendmail
        self.smtp = smtp
        self.maxAttempts = maxAttempts
    }
}

/// An SMTP relay.
package struct SMTPRelay: Sendable, Codable, Equatable {
    /// Host name or address.
    package var host: String
    /// Port (25, or 1025 for a local catcher).
    package var port: Int

    /// A relay.
    package init(host: String, port: Int) {
        self.host = host
        self.port = port
    }
}
