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
        let rows = try Row.fetchCursor(
            db.cachedStatement(
                sql: """
                    SELECT e.direction, c.name, e.city FROM expansions e LEFT JOIN companies c
                    ON c.partition = e.partition AND c.company_id = e.company_id
                    WHERE e.partition = ? AND e.expansion_id = ?
                    """), arguments: [partition, expansionID])
        guard let row = try rows.next() else { return }  // read in place, not copied
        facts.direction = (row[0] as String?).flatMap(Direction.init(rawValue:))
        facts.companyName = row[1]
        facts.city = row[2]
    }

    /// Writes the routed items with their partitions' totals as they are now.
    mutating func flush(_ db: Database) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let quotedTopic = Self.quoted(topic)
        for (partition, items) in pending.sorted(by: { $0.key < $1.key }) {
            let totals = String(
                decoding: try encoder.encode(PartitionTotals.fetch(db, partition: partition)), as: UTF8.self)
            for (index, item) in items.enumerated() {
                // Written as text, field by field (the same JSON a JSONValue would give): one item per event routed.
                var facts: [String] = []
                if let direction = item.facts.direction { facts.append(#""direction":"\#(direction.rawValue)""#) }
                if let name = item.facts.companyName { facts.append(#""companyName":\#(Self.quoted(name))"#) }
                if let city = item.facts.city { facts.append(#""city":\#(Self.quoted(city))"#) }
                let origin = #"{"topic":\#(quotedTopic),"partition":\#(partition),"offset":\#(item.offset)}"#
                let id = Self.quoted(item.route.audience + ":" + item.facts.event.id)
                let audience = Self.quoted(item.route.audience)
                let event = String(decoding: item.raw, as: UTF8.self)
                let text =
                    #"{"id":\#(id),"audience":\#(audience),"importance":\#(item.route.importance),"#
                    + #""origin":\#(origin),"facts":{\#(facts.joined(separator: ","))},"#
                    + (index == items.count - 1 ? #""totals":\#(totals),"# : "") + #""event":\#(event)}"#
                try db.run(
                    "INSERT INTO notification_outbox (audience, item) VALUES (?, ?)", [item.route.audience, text])
            }
        }
        pending.removeAll()
    }

    private static func quoted(_ string: String) -> String { JSONWriter.string(.string(string)) }
}
