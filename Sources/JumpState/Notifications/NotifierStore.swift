import GRDB

/// A notification item as the notifier received it from `jump.notifications`.
package struct ReceivedItem: Sendable {
    /// The item id (`audience:event-id`): a repeat after a relay crash is dropped by it.
    package var itemID: String
    /// The audience.
    package var audience: String
    /// Higher first in a digest.
    package var importance: Int
    /// Where the event came from (`jump.events` and its partition) and at which offset: the totals it carries
    /// are that partition's as of that offset.
    package var originTopic: String
    /// The partition of the event.
    package var originPartition: Int32
    /// The offset of the event.
    package var originOffset: Int64
    /// The totals JSON the item carries, if it is the last of its partition in its batch.
    package var totals: String?
    /// The whole item JSON.
    package var item: String

    /// An item.
    package init(
        itemID: String, audience: String, importance: Int, originTopic: String, originPartition: Int32,
        originOffset: Int64, totals: String?, item: String
    ) {
        self.itemID = itemID
        self.audience = audience
        self.importance = importance
        self.originTopic = originTopic
        self.originPartition = originPartition
        self.originOffset = originOffset
        self.totals = totals
        self.item = item
    }
}

/// An item in the notifier's buffer.
package struct BufferedItem: Sendable, Equatable {
    /// The item id.
    package var itemID: String
    /// Its importance.
    package var importance: Int
    /// When the notifier received it, in milliseconds since 1970 (UTC).
    package var receivedAt: Int64
    /// The item JSON.
    package var item: String
}

/// A digest as the store holds it.
package struct StoredDigest: Sendable, Equatable {
    /// `audience/window-start`, the deterministic id.
    package var id: String
    /// The audience.
    package var audience: String
    /// The window start, milliseconds since 1970 (UTC).
    package var windowStart: Int64
    /// The window end.
    package var windowEnd: Int64
    /// When it was built.
    package var builtAt: Int64
    /// How many items it reports.
    package var itemCount: Int
    /// The digest JSON (`Schemas/digest.schema.json`).
    package var json: String

    /// A digest.
    package init(
        id: String, audience: String, windowStart: Int64, windowEnd: Int64, builtAt: Int64, itemCount: Int,
        json: String
    ) {
        self.id = id
        self.audience = audience
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.builtAt = builtAt
        self.itemCount = itemCount
        self.json = json
    }
}

/// One digest to one sink (and, for e-mail, one recipient).
package struct DeliveryKey: Sendable, Hashable {
    /// The digest.
    package var digestID: String
    /// The sink: `log`, `jsonl`, `topic`, `email`.
    package var sink: String
    /// The recipient's address for e-mail, empty otherwise.
    package var recipient: String

    /// A delivery key.
    package init(digestID: String, sink: String, recipient: String = "") {
        self.digestID = digestID
        self.sink = sink
        self.recipient = recipient
    }
}

/// A delivery this process claimed and must now carry out.
package struct ClaimedDelivery: Sendable {
    /// What to deliver where.
    package var key: DeliveryKey
    /// The digest.
    package var digest: StoredDigest
    /// Attempts so far, this one included.
    package var attempt: Int
    /// For a file sink: where a previous, interrupted attempt was about to write (the file's size then); the
    /// sink looks there for the digest before writing it again.
    package var interruptedAt: Int64?
    /// How many times it was sent again on request (``NotifierStore/resendByMail(digestID:)``): 0 at first.
    package var resends: Int = 0
}

/// A delivery's state, for `digest list`.
package struct DeliveryState: Sendable, Equatable, Codable {
    /// The sink.
    package var sink: String
    /// The recipient (e-mail), or empty.
    package var recipient: String
    /// `pending`, `writing`, `delivered` or `failed`.
    package var status: String
    /// Attempts made.
    package var attempts: Int
    /// When it was delivered (milliseconds since 1970).
    package var deliveredAt: Int64?
    /// The last error.
    package var lastError: String?
    /// Where it went when delivered: a file's path, a topic (`nil` for e-mail, and before migration v12).
    package var deliveredTo: String? = nil
}

/// The notifier's side of the state store: the items it received from `jump.notifications`, its offsets there,
/// the digest windows, the digests built and their deliveries. It lives in a file of its own beside the fold's
/// (``StorePath/notifierFile(besideStateStore:)``), so that its intake never waits for the fold's writer; the state
/// worker never calls it, and the notifier, the digest commands and the console reach it through
/// ``StateStore/notifier``.
package struct NotifierStore: Sendable {
    let store: StateStore

    var writer: any DatabaseWriter { store.notifierWriter }

    func write<T: Sendable>(_ updates: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await store.notifierWriteHealth.write(on: writer, updates)
    }

    /// Opens (creating it if needed) the notifier's file at `path` and runs its migrations; on a new file
    /// (`isNew`: no migration applied yet) the first takes the notifier's tables over from the state store at
    /// `stateStorePath` if that store still holds them.
    static func open(path: String, isNew: Bool, stateStorePath: String) throws -> DatabasePool {
        var configuration = Configuration.store(label: "jump-notifier")
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
        }
        return try StoreIdentity.mapped(path: path) {
            let pool = try DatabasePool(path: path, configuration: configuration)
            guard isNew else {
                try migrator.migrate(pool)
                return pool
            }
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "ATTACH DATABASE ? AS \(stateStoreSchema)", arguments: [stateStorePath])
            }
            defer {
                _ = try? pool.writeWithoutTransaction { try $0.execute(sql: "DETACH DATABASE \(stateStoreSchema)") }
            }
            try migrator.migrate(pool)
            return pool
        }
    }
}

extension StateStore {
    /// The notifier's side of this store.
    package var notifier: NotifierStore { NotifierStore(store: self) }
}

extension NotifierStore {
    /// Stores a batch of received items in one transaction with the notifier's next offset of their partition of
    /// `jump.notifications` (kept apart from the state fold's offsets; guarded like ``apply(topic:records:expected:ledgerWindow:router:)``): an item seen
    /// before is dropped by id; each origin partition's totals are kept if they are newer than those held.
    /// Returns how many items were new. The caller's task is suspended while the write waits for the writer.
    @discardableResult
    package func receive(
        topic: String, partition: Int32, items: [ReceivedItem], nextOffset: Int64, expected: Int64?,
        receivedAt: Int64
    ) async throws -> Int {
        try await write { db in
            var added = 0
            for item in items {
                try db.cachedStatement(
                    sql: """
                        INSERT OR IGNORE INTO notifier_items (item_id, audience, importance, received_at, item)
                        VALUES (?, ?, ?, ?, ?)
                        """
                ).execute(arguments: [item.itemID, item.audience, item.importance, receivedAt, item.item])
                added += db.changesCount
                guard let totals = item.totals else { continue }
                try db.cachedStatement(
                    sql: """
                        INSERT INTO notifier_totals (topic, partition, "offset", totals) VALUES (?, ?, ?, ?)
                        ON CONFLICT DO UPDATE SET "offset" = excluded."offset", totals = excluded.totals
                        WHERE excluded."offset" > notifier_totals."offset"
                        """
                ).execute(arguments: [item.originTopic, item.originPartition, item.originOffset, totals])
            }
            try store.advance(
                db, topic: topic, partition: partition, expected: expected, to: nextOffset, table: "notifier_offsets")
            return added
        }
    }

    /// The notifier's next offset of every partition of `topic` (`jump.notifications`) it has read.
    package func offsets(topic: String) async throws -> [Int32: Int64] {
        try await writer.read { db in try StateStore.nextOffsets(db, topic: topic, table: "notifier_offsets") }
    }

    /// The same, read on the calling thread: for a consumer's rebalance callback, which runs on the consumer's own
    /// poll thread (never on the concurrency pool) and must answer before the assignment goes on.
    package func offsetsForRebalance(topic: String) throws -> [Int32: Int64] {
        try writer.read { db in try StateStore.nextOffsets(db, topic: topic, table: "notifier_offsets") }
    }

    /// The latest totals JSON of every origin partition the notifier has heard from.
    package func latestTotals() async throws -> [String] {
        try await writer.read { db in
            try String.fetchAll(db, sql: "SELECT totals FROM notifier_totals ORDER BY topic, partition")
        }
    }

    /// The end of the last window closed for `audience` (milliseconds since 1970), or `nil` if none was.
    package func windowClosedThrough(audience: String) async throws -> Int64? {
        try await writer.read { db in try Self.closedThrough(db, audience: audience) }
    }

    private static func closedThrough(_ db: Database, audience: String) throws -> Int64? {
        try Int64.fetchOne(
            db, sql: "SELECT closed_through FROM digest_windows WHERE audience = ?", arguments: [audience])
    }

    /// Starts `audience`'s windows at `start` unless they started before (a new store does not report the past).
    package func startWindows(audience: String, at start: Int64) async throws {
        try await write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO digest_windows (audience, closed_through) VALUES (?, ?)",
                arguments: [audience, start])
        }
    }

    /// The items buffered for `audience` and not yet in a digest, most important first.
    package func openItems(audience: String, receivedBefore end: Int64 = .max) async throws -> [BufferedItem] {
        try await writer.read { db in try Self.openItems(db, audience: audience, before: end) }
    }

    /// The items of `audience` not yet in a digest and received before the end (two arguments, in that order).
    private static let openItemsFilter = "audience = ? AND digest_id IS NULL AND received_at < ?"

    private static func openItems(_ db: Database, audience: String, before end: Int64) throws -> [BufferedItem] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT item_id, importance, received_at, item FROM notifier_items WHERE \(openItemsFilter)
                ORDER BY importance DESC, received_at, rowid
                """, arguments: [audience, end]
        ).map {
            BufferedItem(
                itemID: try $0.value(0, in: "notifier_items"), importance: try $0.value(1, in: "notifier_items"),
                receivedAt: try $0.value(2, in: "notifier_items"), item: try $0.value(3, in: "notifier_items"))
        }
    }

    /// Closes `audience`'s window `[start, end)`: `build` turns the open items received before `end` into a digest
    /// (or `nil`: nothing to send), which is stored with one pending delivery per sink; the items are marked as
    /// reported and the window as closed. If another process closed the window first, nothing happens and `nil` is
    /// returned.
    ///
    /// The items are read and the digest built and rendered outside any write transaction (the state worker and the
    /// notifier's intake keep writing meanwhile); the write that records it is short and compares and sets both the
    /// window and its item set: if an item received before `end` arrived (or was reported) in between, the digest
    /// is built again from the new set, so a window that closes while items arrive loses none.
    package func closeWindow(
        audience: String, start: Int64, end: Int64,
        build: ([BufferedItem]) async throws -> (digest: StoredDigest, deliveries: [DeliveryKey])?
    ) async throws -> StoredDigest? {
        while true {
            let (closedThrough, items) = try await writer.read { db in
                (
                    try Self.closedThrough(db, audience: audience),
                    try Self.openItems(db, audience: audience, before: end)
                )
            }
            guard closedThrough == start else { return nil }
            let built = try await build(items)
            let outcome = try await write { db in
                try Self.record(built, items: items, audience: audience, start: start, end: end, db)
            }
            switch outcome {
            case .recorded(let digest): return digest
            case .closedElsewhere: return nil
            case .itemsChanged: continue
            }
        }
    }

    /// What recording a closed window did.
    private enum WindowRecord {
        /// The window was closed, with this digest (`nil`: none to send).
        case recorded(StoredDigest?)
        /// Another process closed it first.
        case closedElsewhere
        /// Items received before its end arrived, or were reported, since they were read: nothing was written.
        case itemsChanged
    }

    /// Records a closed window, if it is still open at `start` and its open items are still `items`.
    private static func record(
        _ built: (digest: StoredDigest, deliveries: [DeliveryKey])?, items: [BufferedItem], audience: String,
        start: Int64, end: Int64, _ db: Database
    ) throws -> WindowRecord {
        let open = try String.fetchAll(
            db, sql: "SELECT item_id FROM notifier_items WHERE \(openItemsFilter)", arguments: [audience, end])
        guard Set(open) == Set(items.map(\.itemID)) else { return .itemsChanged }
        try db.execute(
            sql: "UPDATE digest_windows SET closed_through = ? WHERE audience = ? AND closed_through = ?",
            arguments: [end, audience, start])
        guard db.changesCount == 1 else { return .closedElsewhere }
        guard let (digest, deliveries) = built else { return .recorded(nil) }
        try db.execute(
            sql: """
                INSERT INTO digests (id, audience, window_start, window_end, built_at, item_count, digest)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                digest.id, digest.audience, digest.windowStart, digest.windowEnd, digest.builtAt, digest.itemCount,
                digest.json,
            ])
        for item in items {
            try db.execute(
                sql: "UPDATE notifier_items SET digest_id = ? WHERE item_id = ?", arguments: [digest.id, item.itemID])
        }
        for key in deliveries {
            try db.execute(
                sql: "INSERT INTO deliveries (digest_id, sink, recipient) VALUES (?, ?, ?)",
                arguments: [key.digestID, key.sink, key.recipient])
        }
        return .recorded(digest)
    }
}
