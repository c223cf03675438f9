import JumpEvents
import JumpState

/// Routes applied events to the audiences whose rules match them; the state worker writes one notification
/// item per audience.
package struct DigestRouter: NotificationRouter {
    /// The audiences and their rules.
    package let audiences: [Audience]

    /// A router over the configured audiences.
    package init(audiences: [Audience]) { self.audiences = audiences }

    /// Every audience with a matching rule, with the highest importance among its matching rules.
    package func routes(for facts: NotificationFacts) -> [NotificationRoute] {
        audiences.compactMap { audience in
            let importance = audience.routes.filter { $0.matches(facts) }.map(\.importance).max()
            return importance.map { NotificationRoute(audience: audience.id, importance: $0) }
        }
    }
}

extension RouteRule {
    /// Whether every condition of the rule holds for the event.
    func matches(_ facts: NotificationFacts) -> Bool {
        if let types, !types.contains(facts.event.type.rawValue) { return false }
        if let directions {
            guard let direction = facts.direction, directions.contains(direction.rawValue) else { return false }
        }
        if let topics {
            guard case .meetingHeld(let meeting) = facts.event.payload,
                meeting.topics.contains(where: { topics.contains($0.rawValue) })
            else { return false }
        }
        return true
    }
}
