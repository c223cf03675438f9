import GRDB

/// A notification item waiting in the outbox for the relay.
package struct OutboxNotification: Sendable, Equatable {
    /// Its place in the outbox (items are relayed in this order).
    package var sequence: Int64
    /// The audience: the message key on `jump.notifications`.
    package var audience: String
    /// The item JSON (UTF-8): the message value, as bytes (it goes to Kafka as it is, never through a `String`).
    package var item: [UInt8]
}

extension StateStore {
    /// The oldest items not yet relayed, at most `limit`, read on a reader's queue (never blocking Swift's
    /// cooperative pool, never waiting for the worker's write).
    package func pendingNotifications(limit: Int) async throws -> [OutboxNotification] {
        try await writer.read { db in
            // Rows read in place, the item's bytes copied once into the array Kafka gets.
            var pending: [OutboxNotification] = []
            pending.reserveCapacity(min(limit, 1_000))
            try db.each("SELECT seq, audience, item FROM notification_outbox ORDER BY seq LIMIT ?", [limit]) { row in
                pending.append(OutboxNotification(sequence: row.int64(0), audience: row.string(1), item: row.bytes(2)))
            }
            return pending
        }
    }

    /// Removes relayed items (acknowledged by Kafka); their duplicates, if the relay crashed before this, are
    /// dropped by the notifier by item id. The caller's task is suspended while the write waits for the writer.
    /// Returns the outbox's depth afterwards (``outboxDepth()``, read in the same transaction).
    @discardableResult
    package func removeNotifications(_ sequences: [Int64]) async throws -> Int {
        guard !sequences.isEmpty else { return try await outboxDepth() }
        // Acknowledgements arrive in order: one statement per contiguous run of sequence numbers.
        var runs: [(Int64, Int64)] = []
        for sequence in sequences.sorted() {
            if let last = runs.last, last.1 + 1 == sequence {
                runs[runs.count - 1].1 = sequence
            } else {
                runs.append((sequence, sequence))
            }
        }
        return try await write { [runs] db in
            for (first, last) in runs {
                try db.run("DELETE FROM notification_outbox WHERE seq BETWEEN ? AND ?", [first, last])
            }
            return try Self.outboxDepth(db)
        }
    }

    /// Every partition's running totals as kept by the fold and, next to them, as aggregated anew from
    /// the rows: equal unless the store is damaged. For checks and tests.
    package func totalsCheck() async throws -> [Int32: (kept: PartitionTotals, recomputed: PartitionTotals)] {
        try await writer.read { db in
            var result: [Int32: (kept: PartitionTotals, recomputed: PartitionTotals)] = [:]
            for partition in try Int32.fetchAll(db, sql: "SELECT partition FROM partition_stats") {
                result[partition] = (
                    try PartitionTotals.fetch(db, partition: partition),
                    try PartitionTotals.recompute(db, partition: partition)
                )
            }
            return result
        }
    }

    /// How many items wait to be relayed: the span of their sequence numbers, read from the two ends of the
    /// index (a count would visit every row, on every relay round). Exact unless an item in the middle was
    /// relayed before older ones, which only a failed acknowledgement leaves behind. (`MAX` and `MIN` in one
    /// select make SQLite scan the table; each in its own subquery is one index lookup.)
    package func outboxDepth() async throws -> Int {
        try await writer.read { try Self.outboxDepth($0) }
    }

    private static func outboxDepth(_ db: Database) throws -> Int {
        try Int.fetchOne(
            db,
            sql: """
                SELECT COALESCE((SELECT MAX(seq) FROM notification_outbox)
                    - (SELECT MIN(seq) FROM notification_outbox) + 1, 0)
                """) ?? 0
    }
}
