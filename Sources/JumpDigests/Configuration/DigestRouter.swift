import JumpEvents
import JumpState

/// Routes applied events to the audiences whose rules match them; the state worker writes one notification
/// item per audience.
package struct DigestRouter: NotificationRouter {
    /// Each audience's rules with their names resolved to the event model's values once, so that routing an event
    /// (the state worker does it for every event) compares enumerations, not strings.
    private let compiled: [(audience: String, rules: [CompiledRule])]

    /// A router over the configured audiences.
    package init(audiences: [Audience]) {
        compiled = audiences.map { ($0.id, $0.routes.map(CompiledRule.init)) }
    }

    /// Every audience with a matching rule, with the highest importance among its matching rules.
    package func routes(for facts: NotificationFacts) -> [NotificationRoute] {
        var routes: [NotificationRoute] = []
        for (audience, rules) in compiled {
            var importance: Int?
            for rule in rules where rule.matches(facts) {
                importance = max(importance ?? rule.importance, rule.importance)
            }
            if let importance { routes.append(NotificationRoute(audience: audience, importance: importance)) }
        }
        return routes
    }
}

/// A ``RouteRule`` with its names resolved: a name the model does not know (refused when the configuration is
/// loaded) matches nothing, as it would by name. Arrays, not sets: a set of a `String`-backed enumeration hashes
/// the raw string on every lookup, and a rule names a handful of values.
private struct CompiledRule: Sendable {
    let types: [JumpEventType]?
    let directions: [Direction]?
    let topics: [MeetingTopic]?
    let importance: Int

    init(_ rule: RouteRule) {
        types = rule.types.map { $0.compactMap(JumpEventType.init(rawValue:)) }
        directions = rule.directions.map { $0.compactMap(Direction.init(rawValue:)) }
        topics = rule.topics.map { $0.compactMap(MeetingTopic.init(rawValue:)) }
        importance = rule.importance
    }

    /// Whether every condition of the rule holds for the event.
    func matches(_ facts: NotificationFacts) -> Bool {
        if let types, !types.contains(facts.event.type) { return false }
        if let directions {
            guard let direction = facts.direction, directions.contains(direction) else { return false }
        }
        if let topics {
            guard case .meetingHeld(let meeting) = facts.event.payload, meeting.topics.contains(where: topics.contains)
            else { return false }
        }
        return true
    }
}
