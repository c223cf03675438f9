import JumpEvents

/// What the state knows about an event when it is applied, for routing it to audiences: the event, and for
/// expansion completions and withdrawals the announcement they refer to.
package struct NotificationFacts: Sendable {
    /// The event as applied.
    package var event: JumpEvent
    /// Its direction: the event's own, or for a completion or withdrawal the announced expansion's.
    package var direction: Direction?
    /// The company concerned, by name, when the state knows it.
    package var companyName: String?
    /// The city of the expansion, when the state knows it.
    package var city: String?
    /// The region of that city (ISO 3166-2: `US-UT`), when the state knows it.
    package var region: String?
    /// The jobs its announcement planned, when it gave them (for a completion: planned against created).
    package var plannedJobs: Int64?
    /// The investment its announcement planned, US cents, when it gave it.
    package var plannedUsdCents: Int64?

    /// Facts about one event.
    package init(
        event: JumpEvent, direction: Direction? = nil, companyName: String? = nil, city: String? = nil,
        region: String? = nil
    ) {
        self.event = event
        self.direction = direction
        self.companyName = companyName
        self.city = city
        self.region = region
    }
}

/// One audience an event matters to, and how much.
package struct NotificationRoute: Sendable, Equatable {
    /// The audience id (`consulate`, `governors-office`).
    package var audience: String
    /// Higher first in a digest; 1 is routine.
    package var importance: Int

    /// A route.
    package init(audience: String, importance: Int) {
        self.audience = audience
        self.importance = importance
    }
}

/// Decides which audiences an applied event is reported to. The state worker asks it inside the batch
/// transaction and writes one notification item per route to the outbox.
package protocol NotificationRouter: Sendable {
    /// The audiences the event goes to (none: it is folded and not reported).
    func routes(for facts: NotificationFacts) -> [NotificationRoute]
}
