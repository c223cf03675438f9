import GRDB
import JumpEvents

/// One consumed message, decided: an event to fold, or input that went to the dead-letter topic.
package struct ConsumedRecord: Sendable {
    /// What the message turned out to be.
    package enum Content: Sendable {
        /// A valid event, and its bytes as consumed (kept in the notification outbox).
        case event(JumpEvent, raw: [UInt8])
        /// Input that could not be decoded or validated; it was sent to the dead-letter topic.
        case deadLettered
        /// A valid event that belongs in another partition: it was written there (to be applied there, once), and
        /// is recorded here as a `misplaced-key` anomaly with `detail`.
        case rerouted(JumpEvent, detail: String)
    }

    /// The partition it came from.
    package var partition: Int32
    /// Its offset there.
    package var offset: Int64
    /// What it is.
    package var content: Content
    /// Its notification items as composed before the batch's transaction (``prepareItems(topic:router:)``), if
    /// they were.
    package var preparedItems: PreparedItems?
    /// Where an event's `data` is in its raw bytes, when the decoding scan found it (else its notification items
    /// find it by parsing them again).
    package var eventData: Range<Int>?
    /// The message's Kafka timestamp (when its producer created it, unless the topic stamps append time), in
    /// milliseconds since 1970: a worker reports how old each event was when its batch committed.
    package var timestampMilliseconds: Int64?

    /// A consumed record.
    package init(partition: Int32, offset: Int64, content: Content) {
        self.partition = partition
        self.offset = offset
        self.content = content
    }
}

/// What applying a batch did.
package struct BatchOutcome: Sendable, Equatable {
    /// Events folded into the state.
    package var applied = 0
    /// Events skipped because their id was already applied in the partition.
    package var duplicates = 0
    /// Messages counted as dead-lettered.
    package var deadLettered = 0
    /// Events applied with an anomaly recorded (an unknown or out-of-order reference), and events rerouted.
    package var anomalies = 0
    /// Events that belonged in another partition and were written there instead of being applied here.
    package var rerouted = 0
    /// The next offset of every partition in the batch, as the store now holds it.
    package var nextOffsets: [Int32: Int64] = [:]

    /// An empty outcome.
    package init() {}
}

extension StateStore {
    /// How many offsets back the ledger of applied event ids reaches in each partition; a duplicate that
    /// arrives further back than this is not recognized. Default 1,000,000.
    package static let defaultLedgerWindow: Int64 = 1_000_000

    /// Applies a batch in one transaction: the state changes, the ledger of applied event ids, the notification
    /// items `router` routes (with their partitions' totals) in the outbox, the counters and the next offset of
    /// every partition in the batch.
    ///
    /// `expected` holds the next offset this worker believes the store has for each partition (`nil`: none yet);
    /// the offset update is guarded by it, so a fenced or zombie worker cannot apply a batch twice.
    /// - Throws: ``StateStoreError/fenced(topic:partition:expected:found:)``, or a database error; either way
    ///   nothing of the batch is written.
    ///
    /// The transaction runs on the store's own writer queue, never on Swift's cooperative pool: the caller's task
    /// is suspended meanwhile.
    @discardableResult
    package func apply(
        topic: String, records: [ConsumedRecord], expected: [Int32: Int64?],
        ledgerWindow: Int64 = StateStore.defaultLedgerWindow, router: (any NotificationRouter)? = nil
    ) async throws -> BatchOutcome {
        try await write { db in
            var outcome = BatchOutcome()
            var items = router.map { NotificationItemWriter(router: $0, topic: topic) }
            var byPartition: [Int32: (next: Int64, stats: BatchOutcome)] = [:]
            var fold = StateFold(db: db)
            for record in records {
                var stats = byPartition[record.partition]?.stats ?? BatchOutcome()
                switch record.content {
                case .deadLettered:
                    stats.deadLettered += 1
                case .rerouted(let event, let detail):
                    stats.rerouted += 1
                    stats.anomalies += try fold.record(
                        StateFold.AnomalyContext(partition: record.partition, offset: record.offset, eventID: event.id),
                        "misplaced-key", detail)
                case .event(let event, let raw):
                    let inserted = try db.run(
                        #"INSERT OR IGNORE INTO applied_events (partition, event_id, "offset") VALUES (?, ?, ?)"#,
                        [record.partition, event.id, record.offset])
                    if inserted == 0 {
                        stats.duplicates += 1
                    } else {
                        let anomalies = try fold.apply(event, partition: record.partition, offset: record.offset)
                        stats.applied += 1
                        stats.anomalies += anomalies
                        try items?.add(
                            event, raw: raw, data: record.eventData, prepared: record.preparedItems,
                            partition: record.partition, offset: record.offset, db: db)
                    }
                }
                let next = max(byPartition[record.partition]?.next ?? 0, record.offset + 1)
                byPartition[record.partition] = (next, stats)
            }
            try fold.finish()
            try items?.flush(db)
            for (partition, (next, stats)) in byPartition {
                try advance(db, topic: topic, partition: partition, expected: expected[partition] ?? nil, to: next)
                try db.run(
                    """
                    INSERT INTO partition_stats (partition, applied, duplicates, dead_lettered, anomalies)
                    VALUES (?, ?, ?, ?, ?) ON CONFLICT (partition) DO UPDATE SET
                    applied = applied + excluded.applied, duplicates = duplicates + excluded.duplicates,
                    dead_lettered = dead_lettered + excluded.dead_lettered, anomalies = anomalies + excluded.anomalies
                    """, [partition, stats.applied, stats.duplicates, stats.deadLettered, stats.anomalies])
                try db.run(
                    #"DELETE FROM applied_events WHERE partition = ? AND "offset" < ?"#,
                    [partition, next - ledgerWindow])
                outcome.nextOffsets[partition] = next
                outcome.applied += stats.applied
                outcome.duplicates += stats.duplicates
                outcome.deadLettered += stats.deadLettered
                outcome.anomalies += stats.anomalies
                outcome.rerouted += stats.rerouted
            }
            return outcome
        }
    }

    /// Moves a partition's next offset from `expected` to `next`, or throws ``StateStoreError/fenced``.
    /// `table` is `partition_offsets` (the state fold's) or `notifier_offsets` (the notifier's).
    func advance(
        _ db: Database, topic: String, partition: Int32, expected: Int64?, to next: Int64,
        table: String = "partition_offsets"
    ) throws {
        let changed =
            if let expected {
                try db.run(
                    "UPDATE \(table) SET next_offset = ? WHERE topic = ? AND partition = ? AND next_offset = ?",
                    [next, topic, partition, expected])
            } else {
                try db.run(
                    "INSERT OR IGNORE INTO \(table) (topic, partition, next_offset) VALUES (?, ?, ?)",
                    [topic, partition, next])
            }
        guard changed == 1 else {
            let found: Int64? = try Row.fetchOne(
                db, sql: "SELECT next_offset FROM \(table) WHERE topic = ? AND partition = ?",
                arguments: [topic, partition]
            )?.value(0, in: table)
            throw StateStoreError.fenced(topic: topic, partition: partition, expected: expected, found: found)
        }
    }
}
