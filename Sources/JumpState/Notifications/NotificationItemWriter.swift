import Foundation
import GRDB
import JumpEvents

/// Writes notification items to the outbox inside the batch transaction. An item is one event for one
/// audience: `{"id", "audience", "importance", "origin", "facts", "totals", "event"}`
/// (`Schemas/notification-item.schema.json`), where `event` is the event exactly as consumed. The last item of
/// each partition in a batch carries `totals`, the partition's totals after the batch (the earlier ones would
/// carry the same, and the notifier keeps only the latest per partition).
struct NotificationItemWriter {
    private struct Pending {
        var route: NotificationRoute
        var facts: NotificationFacts
        var offset: Int64
        var raw: [UInt8]
    }

    let router: any NotificationRouter
    let topic: String
    private var pending: [Int32: [Pending]] = [:]

    init(router: any NotificationRouter, topic: String) {
        self.router = router
        self.topic = topic
    }

    /// Routes an applied event; its items are written by ``flush(_:)``.
    mutating func add(_ event: JumpEvent, raw: [UInt8], partition: Int32, offset: Int64, db: Database) throws {
        var facts = NotificationFacts(event: event)
        switch event.payload {
        case .expansionAnnounced(let announced):
            facts.direction = announced.direction
            facts.companyName = announced.company.name
            facts.city = announced.city
        case .investmentAnnounced(let investment):
            facts.direction = investment.direction
            facts.companyName = investment.investor.name
        case .expansionCompleted(let completed):
            try lookUpExpansion(completed.expansionId, partition: partition, into: &facts, db: db)
        case .expansionWithdrawn(let withdrawn):
            try lookUpExpansion(withdrawn.expansionId, partition: partition, into: &facts, db: db)
        default: break
        }
        for route in router.routes(for: facts) {
            pending[partition, default: []].append(Pending(route: route, facts: facts, offset: offset, raw: raw))
        }
    }

    /// Fills in the direction, company and city of the expansion a completion or withdrawal refers to.
    private func lookUpExpansion(
        _ expansionID: String, partition: Int32, into facts: inout NotificationFacts, db: Database
    ) throws {
        try db.first(
            """
            SELECT e.direction, c.name, e.city FROM expansions e LEFT JOIN companies c
            ON c.partition = e.partition AND c.company_id = e.company_id
            WHERE e.partition = ? AND e.expansion_id = ?
            """, [partition, expansionID]
        ) { row in
            facts.direction = row.optionalString(0).flatMap(Direction.init(rawValue:))
            facts.companyName = row.optionalString(1)
            facts.city = row.optionalString(2)
        }
    }

    /// Writes the routed items with their partitions' totals as they are now.
    mutating func flush(_ db: Database) throws {
        var quotedTopic: [UInt8] = []
        JSONWriter.appendString(topic, to: &quotedTopic)
        var text: [UInt8] = []
        var totals: [UInt8] = []
        for (partition, items) in pending.sorted(by: { $0.key < $1.key }) {
            totals.removeAll(keepingCapacity: true)
            try PartitionTotals.fetch(db, partition: partition).appendJSON(to: &totals)
            for (index, item) in items.enumerated() {
                // Composed as bytes, field by field (the same JSON a JSONValue would give), and bound as text
                // without becoming a String: one item per event routed.
                text.removeAll(keepingCapacity: true)
                text.append(contentsOf: #"{"id":"#.utf8)
                JSONWriter.appendString(item.route.audience + ":" + item.facts.event.id, to: &text)
                text.append(contentsOf: #","audience":"#.utf8)
                JSONWriter.appendString(item.route.audience, to: &text)
                text.append(contentsOf: #","importance":\#(item.route.importance),"origin":{"topic":"#.utf8)
                text.append(contentsOf: quotedTopic)
                text.append(contentsOf: #","partition":\#(partition),"offset":\#(item.offset)},"facts":{"#.utf8)
                var separator = ""
                if let direction = item.facts.direction {
                    text.append(contentsOf: #""direction":"\#(direction.rawValue)""#.utf8)
                    separator = ","
                }
                if let name = item.facts.companyName {
                    text.append(contentsOf: #"\#(separator)"companyName":"#.utf8)
                    JSONWriter.appendString(name, to: &text)
                    separator = ","
                }
                if let city = item.facts.city {
                    text.append(contentsOf: #"\#(separator)"city":"#.utf8)
                    JSONWriter.appendString(city, to: &text)
                }
                text.append(contentsOf: "},".utf8)
                if index == items.count - 1 {
                    text.append(contentsOf: #""totals":"#.utf8)
                    text.append(contentsOf: totals)
                    text.append(UInt8(ascii: ","))
                }
                text.append(contentsOf: #""event":"#.utf8)
                text.append(contentsOf: item.raw)
                text.append(UInt8(ascii: "}"))
                try db.run(
                    "INSERT INTO notification_outbox (audience, item) VALUES (?, ?)",
                    [item.route.audience, SQLText(bytes: text)])
            }
        }
        pending.removeAll()
    }
}
