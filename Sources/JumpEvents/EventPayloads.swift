/// One of the two partner countries.
public enum PartnerCountry: String, Sendable, Codable, CaseIterable {
    /// Mexico.
    case mexico = "MX"
    /// The United States.
    case unitedStates = "US"
}

/// Which way the business goes.
public enum Direction: String, Sendable, Codable, CaseIterable {
    /// A Mexican company or investor coming to Utah.
    case mexicoToUtah = "mx-to-utah"
    /// A Utah company or investor going to Mexico.
    case utahToMexico = "utah-to-mx"
}

/// A company or investor.
public struct Company: Sendable, Equatable {
    /// Its stable id.
    public var id: String
    /// Its name.
    public var name: String
    /// Where it is from.
    public var country: PartnerCountry
    /// Its industry.
    public var sector: String
}

/// A year, or one quarter of it.
public struct Period: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The year, 1990 to 2100.
    public var year: Int
    /// The quarter, 1 to 4, or `nil` for the whole year.
    public var quarter: Int?

    /// `2022` or `2022-Q3`.
    public var description: String { quarter.map { "\(year)-Q\($0)" } ?? "\(year)" }

    /// Orders by year, the whole year before its quarters.
    public static func < (lhs: Period, rhs: Period) -> Bool {
        (lhs.year, lhs.quarter ?? 0) < (rhs.year, rhs.quarter ?? 0)
    }
}

/// `jump.company.expansion-announced`.
public struct ExpansionAnnounced: Sendable, Equatable {
    /// The expansion's id, which later events refer to.
    public var expansionId: String
    /// The company.
    public var company: Company
    /// Which way it goes.
    public var direction: Direction
    /// The city of the new site.
    public var city: String
    /// The region of the new site (ISO 3166: `US-UT`, `MX-NLE`).
    public var region: String
    /// Jobs planned; `nil` when the company has not disclosed them (a stated 0 is 0).
    public var plannedJobs: Int64?
    /// Investment planned, in US cents; `nil` when not disclosed.
    public var plannedInvestmentUsdCents: Int64?
    /// When it was announced (`YYYY-MM-DD`).
    public var announcedOn: String
    /// How the source states its figures and dates, by JSON Pointer into `data` (none: exact, as reported).
    public var qualifiers: [String: FigureQualifier] = [:]
}

/// `jump.company.expansion-completed`.
public struct ExpansionCompleted: Sendable, Equatable {
    /// The expansion it completes.
    public var expansionId: String
    /// The company.
    public var companyId: String
    /// Jobs created.
    public var actualJobs: Int64
    /// Investment made, in US cents.
    public var actualInvestmentUsdCents: Int64
    /// When it opened (`YYYY-MM-DD`).
    public var openedOn: String
    /// How the source states its figures and dates, by JSON Pointer into `data` (none: exact, as reported).
    public var qualifiers: [String: FigureQualifier] = [:]
}

/// Why an expansion was withdrawn.
public enum WithdrawalReason: String, Sendable, Codable, CaseIterable {
    /// The announcement was wrong.
    case correction
    /// The company changed its plans.
    case retraction
}

/// `jump.company.expansion-withdrawn`.
public struct ExpansionWithdrawn: Sendable, Equatable {
    /// The expansion withdrawn.
    public var expansionId: String
    /// The company.
    public var companyId: String
    /// Why.
    public var reason: WithdrawalReason
    /// Free text, if any.
    public var note: String?
    /// When (`YYYY-MM-DD`).
    public var withdrawnOn: String
    /// How the source states its figures and dates, by JSON Pointer into `data` (none: exact, as reported).
    public var qualifiers: [String: FigureQualifier] = [:]
}

/// `jump.investment.announced`.
public struct InvestmentAnnounced: Sendable, Equatable {
    /// The investment's id.
    public var investmentId: String
    /// Who invests.
    public var investor: Company
    /// Which way it goes.
    public var direction: Direction
    /// How much, in US cents.
    public var amountUsdCents: Int64
    /// The industry.
    public var sector: String
    /// Where (ISO 3166 region).
    public var region: String
    /// When it was announced (`YYYY-MM-DD`).
    public var announcedOn: String
    /// How the source states its figures and dates, by JSON Pointer into `data` (none: exact, as reported).
    public var qualifiers: [String: FigureQualifier] = [:]
}

/// `jump.trade.exports-reported`: the series is origin and destination; a later report for the same series and
/// period revises the earlier one.
public struct ExportsReported: Sendable, Equatable {
    /// Where the goods come from (ISO 3166 region).
    public var origin: String
    /// Where they go.
    public var destination: String
    /// The period.
    public var period: Period
    /// Their value, in US cents.
    public var valueUsdCents: Int64
    /// Who reported the figure.
    public var source: String
    /// Free text, if any.
    public var note: String?
    /// How the source states its figures and dates, by JSON Pointer into `data` (none: exact, as reported).
    public var qualifiers: [String: FigureQualifier] = [:]
}

/// `jump.jobs.reported`: a later report for the same scope and period revises the earlier one.
public struct JobsReported: Sendable, Equatable {
    /// What the figure covers, as an id (`mexico-utah-trade`).
    public var scope: String
    /// The period.
    public var period: Period
    /// Jobs supported.
    public var jobsSupported: Int64
    /// Who reported the figure.
    public var source: String
    /// Free text, if any.
    public var note: String?
    /// How the source states its figures and dates, by JSON Pointer into `data` (none: exact, as reported).
    public var qualifiers: [String: FigureQualifier] = [:]
}

/// Where a meeting took place.
public struct Place: Sendable, Equatable {
    /// The building or institution.
    public var name: String
    /// The city.
    public var city: String
    /// The country (ISO 3166-1 alpha-2).
    public var country: String
}

/// Someone at a meeting.
public struct Participant: Sendable, Equatable {
    /// Their name.
    public var name: String
    /// Their role.
    public var role: String
    /// Their organization.
    public var organization: String
    /// Their country (ISO 3166-1 alpha-2).
    public var country: String
}

/// What a meeting was about.
public enum MeetingTopic: String, Sendable, Codable, CaseIterable {
    /// Economic cooperation.
    case economic
    /// Immigration.
    case immigration
    /// Security.
    case security
    /// Trade.
    case trade
    /// Investment.
    case investment
    /// Education.
    case education
    /// Culture.
    case culture
    /// Energy.
    case energy
    /// Water.
    case water
    /// Health.
    case health
    /// Technology.
    case technology
    /// Anything else.
    case other
}

/// `jump.delegation.meeting-held`.
public struct MeetingHeld: Sendable, Equatable {
    /// The meeting's id.
    public var meetingId: String
    /// When (`YYYY-MM-DD`).
    public var heldOn: String
    /// Where.
    public var place: Place
    /// Who took part.
    public var participants: [Participant]
    /// What it was about.
    public var topics: [MeetingTopic]
    /// What happened.
    public var summary: String
    /// How the source states its figures and dates, by JSON Pointer into `data` (none: exact, as reported).
    public var qualifiers: [String: FigureQualifier] = [:]
}

/// The status of an initiative or agreement.
public enum InitiativeStatus: String, Sendable, Codable, CaseIterable {
    /// Proposed.
    case proposed
    /// Agreed by the parties.
    case agreed
    /// Signed.
    case signed
}

/// `jump.initiative.announced`.
public struct InitiativeAnnounced: Sendable, Equatable {
    /// The initiative's id.
    public var initiativeId: String
    /// Its title.
    public var title: String
    /// Who is party to it.
    public var parties: [String]
    /// When (`YYYY-MM-DD`).
    public var announcedOn: String
    /// Its status.
    public var status: InitiativeStatus
    /// What it is.
    public var summary: String
    /// How the source states its figures and dates, by JSON Pointer into `data` (none: exact, as reported).
    public var qualifiers: [String: FigureQualifier] = [:]
}

/// The `data` of an event, by type.
public enum JumpEventPayload: Sendable, Equatable {
    /// `jump.company.expansion-announced`.
    case expansionAnnounced(ExpansionAnnounced)
    /// `jump.company.expansion-completed`.
    case expansionCompleted(ExpansionCompleted)
    /// `jump.company.expansion-withdrawn`.
    case expansionWithdrawn(ExpansionWithdrawn)
    /// `jump.investment.announced`.
    case investmentAnnounced(InvestmentAnnounced)
    /// `jump.trade.exports-reported`.
    case exportsReported(ExportsReported)
    /// `jump.jobs.reported`.
    case jobsReported(JobsReported)
    /// `jump.delegation.meeting-held`.
    case meetingHeld(MeetingHeld)
    /// `jump.initiative.announced`.
    case initiativeAnnounced(InitiativeAnnounced)
}

/// A valid JUMP event: the CloudEvents envelope and its typed data.
public struct JumpEvent: Sendable, Equatable {
    /// `id`: unique per source; duplicates are skipped.
    public var id: String
    /// `source`: who published it.
    public var source: String
    /// `type`.
    public var type: JumpEventType
    /// `subject`: what it is about; the Kafka key.
    public var subject: String
    /// `time` as written (RFC 3339).
    public var time: String
    /// `dataschema`, if given.
    public var dataschema: String?
    /// Extension attributes.
    public var extensions: [String: String]
    /// `data`, typed.
    public var payload: JumpEventPayload

    /// How the source states the figures and dates of its data (``FigureQualifier``), by JSON Pointer into `data`.
    public var qualifiers: [String: FigureQualifier] {
        switch payload {
        case .expansionAnnounced(let data): data.qualifiers
        case .expansionCompleted(let data): data.qualifiers
        case .expansionWithdrawn(let data): data.qualifiers
        case .investmentAnnounced(let data): data.qualifiers
        case .exportsReported(let data): data.qualifiers
        case .jobsReported(let data): data.qualifiers
        case .meetingHeld(let data): data.qualifiers
        case .initiativeAnnounced(let data): data.qualifiers
        }
    }
}
