import GRDB
import JumpEvents

/// The notification items of one event composed but for their partition's totals, before the batch's transaction
/// (``ConsumedRecord/prepareItems(topic:router:)``): the writer then adds the totals and inserts them.
package struct PreparedItems: Sendable {
    fileprivate var items: NotificationItemWriter.Composed
}

/// Writes notification items to the outbox inside the batch transaction, a batch's items packed in rows of about
/// 64 KiB (``OutboxBatch``). An item is one event for one audience, version 2 of
/// `Schemas/notification-item.schema.json`: `{"id", "audience", "importance", "origin", "facts", "link",
/// "totals", "event"}`, where `event` is what a digest shows of the event (its id, type, subject, time and `data`
/// as consumed; not its envelope) and `link` its http(s) source, if it has one. The items of the last event of
/// each partition in a batch carry `totals`, the partition's totals after the batch (the earlier ones would carry
/// the same, and the notifier keeps only the latest per partition).
///
/// An item is composed as bytes, field by field (the same JSON a `JSONValue` would give), and packed into its row
/// without becoming a `String`: each audience's head (`{"id"` to `"importance":…,`), and the rest, which an event's
/// items share and the row keeps once. All but the totals are composed before the transaction when the event
/// alone gives its facts; a completion's or withdrawal's facts come from the expansion it names, read here.
struct NotificationItemWriter {
    /// An event's items but for their totals: each audience's head, what follows it in every one (`"origin":…,
    /// "facts":…,` and the link), and what ends them (`"event":{…}}`).
    struct Composed {
        var heads: [(audience: String, bytes: [UInt8])]
        var shared: [UInt8]
        var event: [UInt8]
    }

    let router: any NotificationRouter
    let topic: String
    private var pending: [Int32: [Composed]] = [:]

    init(router: any NotificationRouter, topic: String) {
        self.router = router
        self.topic = topic
    }

    /// Routes an applied event; its items are written by ``flush(_:)``. `prepared` are its items as composed
    /// before the transaction, if they were; `raw` are its bytes as consumed, and `data` where its `data` is in them,
    /// if the scan said.
    mutating func add(
        _ event: JumpEvent, raw: [UInt8], data: Range<Int>?, prepared: PreparedItems?, partition: Int32,
        offset: Int64, db: Database
    ) throws {
        let items =
            try prepared?.items
            ?? Self.compose(
                facts(of: event, partition: partition, db: db), raw: raw, data: data, router: router, topic: topic,
                partition: partition, offset: offset)
        guard !items.heads.isEmpty else { return }
        pending[partition, default: []].append(items)
    }

    /// The facts of an event's items: what the event gives, or for a completion or withdrawal, the expansion's as
    /// the store holds it.
    private func facts(of event: JumpEvent, partition: Int32, db: Database) throws -> NotificationFacts {
        if let facts = Self.facts(of: event) { return facts }
        var facts = NotificationFacts(event: event)
        let expansionID: String
        switch event.payload {
        case .expansionCompleted(let completed): expansionID = completed.expansionId
        case .expansionWithdrawn(let withdrawn): expansionID = withdrawn.expansionId
        default: return facts
        }
        try lookUpExpansion(expansionID, partition: partition, into: &facts, db: db)
        return facts
    }

    /// The facts the event alone gives; `nil` for a completion or withdrawal, whose facts are the expansion's.
    static func facts(of event: JumpEvent) -> NotificationFacts? {
        var facts = NotificationFacts(event: event)
        switch event.payload {
        case .expansionAnnounced(let announced):
            facts.direction = announced.direction
            facts.companyName = announced.company.name
            facts.city = announced.city
            facts.region = announced.region
        case .investmentAnnounced(let investment):
            facts.direction = investment.direction
            facts.companyName = investment.investor.name
        case .expansionCompleted, .expansionWithdrawn: return nil
        default: break
        }
        return facts
    }

    /// The event's items but for their totals: a head per route, `{"id":…,"audience":…,"importance":…,`, what
    /// every route shares, `"origin":{…},"facts":{…},` and the link, and their end, the event as a digest shows it.
    static func compose(
        _ facts: NotificationFacts, raw: [UInt8], data: Range<Int>?, router: any NotificationRouter, topic: String,
        partition: Int32, offset: Int64
    ) -> Composed {
        let routes = router.routes(for: facts)
        guard !routes.isEmpty else { return Composed(heads: [], shared: [], event: []) }
        var shared: [UInt8] = []
        shared.reserveCapacity(192)
        shared.append(contentsOf: #""origin":{"topic":"#.utf8)
        JSONWriter.appendString(topic, to: &shared)
        shared.append(contentsOf: #","partition":"#.utf8)
        append(Int64(partition), to: &shared)
        shared.append(contentsOf: #","offset":"#.utf8)
        append(offset, to: &shared)
        shared.append(contentsOf: #"},"facts":{"#.utf8)
        // Each known fact as a member, comma-separated: strings escaped, numbers as they are.
        var first = true
        func key(_ name: StaticString) {
            shared.append(contentsOf: (first ? #"""# : #",""#).utf8)
            shared.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            shared.append(contentsOf: #"":"#.utf8)
            first = false
        }
        if let direction = facts.direction {
            key("direction")
            JSONWriter.appendString(direction.rawValue, to: &shared)
        }
        if let companyName = facts.companyName {
            key("companyName")
            JSONWriter.appendString(companyName, to: &shared)
        }
        if let city = facts.city {
            key("city")
            JSONWriter.appendString(city, to: &shared)
        }
        if let region = facts.region {
            key("region")
            JSONWriter.appendString(region, to: &shared)
        }
        if let plannedJobs = facts.plannedJobs {
            key("plannedJobs")
            append(plannedJobs, to: &shared)
        }
        if let plannedUsdCents = facts.plannedUsdCents {
            key("plannedUsdCents")
            append(plannedUsdCents, to: &shared)
        }
        shared.append(contentsOf: "},".utf8)
        if let link = SourceLink.of(facts.event) {
            shared.append(contentsOf: #""link":"#.utf8)
            JSONWriter.appendString(link, to: &shared)
            shared.append(UInt8(ascii: ","))
        }
        let heads = routes.map { route in
            var text: [UInt8] = []
            text.reserveCapacity(96)
            text.append(contentsOf: #"{"id":""#.utf8)
            JSONWriter.appendEscaped(route.audience, to: &text)
            text.append(UInt8(ascii: ":"))
            JSONWriter.appendEscaped(facts.event.id, to: &text)
            text.append(contentsOf: #"","audience":"#.utf8)
            JSONWriter.appendString(route.audience, to: &text)
            text.append(contentsOf: #","importance":"#.utf8)
            append(Int64(route.importance), to: &text)
            text.append(UInt8(ascii: ","))
            return (route.audience, text)
        }
        return Composed(heads: heads, shared: shared, event: shownEvent(facts.event, raw: raw, data: data))
    }

    /// `"event":{"id":…,"type":…,"subject":…,"time":…,"data":…}}`: what a digest shows of the event, its `data`
    /// copied from `raw` (where the scan found it, or else where a parse does).
    static func shownEvent(_ event: JumpEvent, raw: [UInt8], data: Range<Int>?) -> [UInt8] {
        var text: [UInt8] = []
        text.reserveCapacity(raw.count)
        text.append(contentsOf: #""event":{"id":"#.utf8)
        JSONWriter.appendString(event.id, to: &text)
        text.append(contentsOf: #","type":"#.utf8)
        JSONWriter.appendString(event.type.rawValue, to: &text)
        text.append(contentsOf: #","subject":"#.utf8)
        JSONWriter.appendString(event.subject, to: &text)
        text.append(contentsOf: #","time":"#.utf8)
        JSONWriter.appendString(event.time, to: &text)
        text.append(contentsOf: #","data":"#.utf8)
        if let data {
            text.append(contentsOf: raw[data])
        } else if let parsed = try? EventDecoder().parse(raw[...]), let value = parsed.objectValue?["data"] {
            // Only events the one-pass scan leaves to the decoder (written unusually) come here.
            text.append(contentsOf: JSONWriter.encode(value))
        } else {
            // Not the bytes of the event (a caller's mistake): the notifier refuses the item and says why.
            text.append(contentsOf: "null".utf8)
        }
        text.append(contentsOf: "}}".utf8)
        return text
    }

    /// Appends `number` in decimal (a small string: no allocation).
    private static func append(_ number: Int64, to text: inout [UInt8]) {
        text.append(contentsOf: String(number).utf8)
    }

    /// Fills in the direction, company, city, region and planned figures of the expansion a completion or withdrawal
    /// refers to.
    private func lookUpExpansion(
        _ expansionID: String, partition: Int32, into facts: inout NotificationFacts, db: Database
    ) throws {
        try db.first(
            """
            SELECT e.direction, c.name, e.city, e.region, e.planned_jobs, e.planned_cents FROM expansions e
            LEFT JOIN companies c
            ON c.partition = e.partition AND c.company_id = e.company_id
            WHERE e.partition = ? AND e.expansion_id = ?
            """, [partition, expansionID]
        ) { row in
            facts.direction = row.optionalString(0).flatMap(Direction.init(rawValue:))
            facts.companyName = row.optionalString(1)
            facts.city = row.optionalString(2)
            facts.region = row.optionalString(3)
            facts.plannedJobs = row.optionalInt64(4)
            facts.plannedUsdCents = row.optionalInt64(5)
        }
    }

    /// Writes the routed items with their partitions' totals as they are now: the batch's items in outbox rows
    /// of about ``rowBytes`` (``OutboxBatch``), numbered on from the newest row's.
    mutating func flush(_ db: Database) throws {
        guard !pending.isEmpty else { return }
        var next = try db.first(OutboxBatch.nextSequenceSQL, []) { $0.int64(0) } ?? 0
        var batch = OutboxBatch()
        func insert() throws {
            try db.run(
                "INSERT INTO notification_outbox_batches (seq, item_count, items) VALUES (?, ?, ?)",
                [next, batch.count, SQLBlob(bytes: batch.bytes)])
            next += Int64(batch.count)
            batch.removeAll()
        }
        var tail: [UInt8] = []
        var totals: [UInt8] = []
        for (partition, events) in pending.sorted(by: { $0.key < $1.key }) {
            totals.removeAll(keepingCapacity: true)
            try PartitionTotals.fetch(db, partition: partition).appendJSON(to: &totals)
            for index in events.indices {
                tail.removeAll(keepingCapacity: true)
                tail.append(contentsOf: events[index].shared)
                if index == events.count - 1 {
                    tail.append(contentsOf: #""totals":"#.utf8)
                    tail.append(contentsOf: totals)
                    tail.append(UInt8(ascii: ","))
                }
                tail.append(contentsOf: events[index].event)
                batch.append(heads: events[index].heads, tail: tail)
                if batch.bytes.count >= Self.rowBytes { try insert() }
            }
        }
        if !batch.isEmpty { try insert() }
        pending.removeAll()
    }

    /// Rows of about 64 KiB: a few dozen per batch instead of thousands, and no allocation so large that the
    /// allocator keeps it (one row per batch, a megabyte or two, raised the worker's peak memory by a fifth).
    static let rowBytes = 64 << 10
}

extension ConsumedRecord {
    /// Composes this event's notification items up to their partition's totals now, if the event alone gives
    /// their facts (not a completion's or withdrawal's): a worker does it while the previous batch's transaction
    /// runs, so the transaction only adds the totals. Items of an event that turns out to be a duplicate are not
    /// written.
    package mutating func prepareItems(topic: String, router: any NotificationRouter) {
        guard case .event(let event, let raw) = content, let facts = NotificationItemWriter.facts(of: event) else {
            return
        }
        preparedItems = PreparedItems(
            items: NotificationItemWriter.compose(
                facts, raw: raw, data: eventData, router: router, topic: topic, partition: partition, offset: offset))
    }
}
