import Foundation
import JumpEvents
import JumpState

/// A notification item read back from `jump.notifications`: version 2 (`Schemas/notification-item.schema.json`,
/// what a digest shows of the event) or version 1 (`notification-item.v1.schema.json`, the whole event), which
/// workers before 0.12 wrote.
package struct NotificationItem: Sendable {
    /// `audience:event-id`.
    package var id: String
    /// The audience.
    package var audience: String
    /// Higher first.
    package var importance: Int
    /// The topic of the event.
    package var originTopic: String
    /// Its partition.
    package var originPartition: Int32
    /// Its offset.
    package var originOffset: Int64
    /// What the state knew: the direction, company name, city and region (for completions and withdrawals).
    package var facts: NotificationFacts
    /// The partition's totals after the event's batch, as JSON (on the items of the last event of each partition in a batch).
    package var totalsJSON: String?
    /// Where the event comes from, as an http(s) address, if it is one (``SourceLink``).
    package var link: String?
    /// The event (from a version 2 item, its `source` is empty: the item has it as ``link``, if it is one).
    package var event: JumpEvent { facts.event }

    /// Reads an item.
    /// - Throws: ``NotificationItemError`` naming the first problem.
    package init(json bytes: [UInt8]) throws(NotificationItemError) {
        var limits = JSONLimits()
        limits.maximumBytes = 1 << 20
        limits.maximumDepth = 24
        let value: JSONValue
        do {
            value = try JSONParser(limits: limits).parse(bytes)
        } catch {
            throw NotificationItemError(reason: "not JSON: \(error)")
        }
        guard let object = value.objectValue else { throw NotificationItemError(reason: "not an object") }
        func string(_ key: String, in object: JSONObject) throws(NotificationItemError) -> String {
            guard let text = object[key]?.stringValue else {
                throw NotificationItemError(reason: "\(key): missing or not a string")
            }
            return text
        }
        func integer(_ key: String, in object: JSONObject) throws(NotificationItemError) -> Int64 {
            guard let number = object[key]?.integerValue else {
                throw NotificationItemError(reason: "\(key): missing or not an integer")
            }
            return number
        }
        id = try string("id", in: object)
        audience = try string("audience", in: object)
        importance = Int(try integer("importance", in: object))
        guard let origin = object["origin"]?.objectValue else {
            throw NotificationItemError(reason: "origin: missing or not an object")
        }
        originTopic = try string("topic", in: origin)
        originPartition = Int32(clamping: try integer("partition", in: origin))
        originOffset = try integer("offset", in: origin)
        if let totals = object["totals"] {
            guard totals.objectValue != nil else { throw NotificationItemError(reason: "totals: not an object") }
            totalsJSON = JSONWriter.string(totals, sortedKeys: true)
        } else {
            totalsJSON = nil
        }
        guard let eventValue = object["event"], let eventObject = eventValue.objectValue else {
            throw NotificationItemError(reason: "event: missing or not an object")
        }
        // Version 1 carries the whole event (a CloudEvent, with its `specversion`); version 2 what a digest shows.
        let wholeEvent = eventObject["specversion"] != nil
        let event: JumpEvent
        do {
            event =
                try wholeEvent ? EventDecoder().validate(eventValue) : EventDecoder().validateShown(eventValue)
        } catch {
            throw NotificationItemError(reason: "event: \(error)")
        }
        if wholeEvent {
            link = SourceLink.of(event)
        } else if let linkValue = object["link"] {
            guard let text = linkValue.stringValue, SourceLink.isLink(text) else {
                throw NotificationItemError(reason: "link: not an http(s) address")
            }
            link = text
        }
        let factsObject = object["facts"]?.objectValue ?? JSONObject()
        facts = NotificationFacts(
            event: event, direction: factsObject["direction"]?.stringValue.flatMap(Direction.init(rawValue:)),
            companyName: factsObject["companyName"]?.stringValue, city: factsObject["city"]?.stringValue,
            region: factsObject["region"]?.stringValue)
        facts.plannedJobs = factsObject["plannedJobs"]?.integerValue
        facts.plannedUsdCents = factsObject["plannedUsdCents"]?.integerValue
    }

    /// The item as the notifier's store keeps it.
    package func received(json: String) -> ReceivedItem {
        ReceivedItem(
            itemID: id, audience: audience, importance: importance, originTopic: originTopic,
            originPartition: originPartition, originOffset: originOffset, totals: totalsJSON, item: json)
    }
}

/// A notification item that cannot be read.
package struct NotificationItemError: Error, CustomStringConvertible {
    /// What is wrong.
    package var reason: String
    /// A sentence naming the problem.
    package var description: String { "notification item: \(reason)" }
}
