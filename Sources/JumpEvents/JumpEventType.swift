/// The kinds of JUMP partnership event; the raw value is the CloudEvents `type`.
public enum JumpEventType: String, Sendable, CaseIterable, Codable {
    /// A company announces an expansion across the border.
    case expansionAnnounced = "jump.company.expansion-announced"
    /// An announced expansion opens.
    case expansionCompleted = "jump.company.expansion-completed"
    /// An expansion is withdrawn (a correction or a retraction).
    case expansionWithdrawn = "jump.company.expansion-withdrawn"
    /// An investment across the border is announced.
    case investmentAnnounced = "jump.investment.announced"
    /// Exports from one region to another in a period.
    case exportsReported = "jump.trade.exports-reported"
    /// Jobs supported in a period, within a scope.
    case jobsReported = "jump.jobs.reported"
    /// A delegation meeting took place.
    case meetingHeld = "jump.delegation.meeting-held"
    /// An initiative or agreement is announced, or its status changes.
    case initiativeAnnounced = "jump.initiative.announced"

    /// The `dataschema` of the current version, which is also the `$id` of its schema in `Schemas/data/`.
    public var currentSchema: String { "urn:jump:schema:\(rawValue):v1" }

    /// Every `dataschema` ever accepted for this type: events are replayed forever, so none is ever removed.
    public var acceptedSchemas: [String] { [currentSchema] }

    /// The type for a CloudEvents `type`, if it is a JUMP type.
    public init?(type: String) { self.init(rawValue: type) }
}
