import GRDB

/// A notification item waiting in the outbox for the relay.
package struct OutboxNotification: Sendable, Equatable {
    /// The outbox row it is in: a batch's items fill rows of about 64 KiB; the items of a row are relayed in order
    /// and leave the outbox together (``StateStore/removeNotifications(_:)``).
    package var sequence: Int64
    /// The audience: the message key on `jump.notifications`.
    package var audience: String
    /// The item JSON (UTF-8): the message value, as bytes (it goes to Kafka as it is, never through a `String`).
    package var item: [UInt8]
}

extension StateStore {
    /// The oldest items not yet relayed: whole rows (``OutboxBatch``), from the oldest, until `limit` items or more
    /// (at least one row). Read on a reader's queue, never blocking Swift's cooperative pool, never waiting for the
    /// worker's write.
    package func pendingNotifications(limit: Int) async throws -> [OutboxNotification] {
        try await writer.read { db in
            var pending: [OutboxNotification] = []
            // Rows are read until the limit is reached, and no further: each row of the outbox fills its own
            // pages, so stepping over the rows past the limit (up to 1,000 a round, with the relay behind) read a
            // page each: 22 page reads per event applied, a quarter of the worker's CPU. (A window on `seq` would hold only a
            // row that keeps failing once the rows after it were relayed.)
            try db.eachWhile("SELECT seq, items FROM notification_outbox_batches ORDER BY seq", []) { row in
                let sequence = row.int64(0)
                for (audience, item) in try row.withBytes(1, { try OutboxBatch.items(in: $0, sequence: sequence) }) {
                    pending.append(OutboxNotification(sequence: sequence, audience: audience, item: item))
                }
                return pending.count < limit
            }
            return pending
        }
    }

    /// Removes the rows whose every item Kafka acknowledged; their duplicates, if the relay crashed before this,
    /// are dropped by the notifier by item id. The caller's task is suspended while the write waits for the
    /// writer. Returns the outbox's depth afterwards (``outboxDepth()``, read in the same transaction).
    @discardableResult
    package func removeNotifications(_ sequences: [Int64]) async throws -> Int {
        let rows = Array(Set(sequences)).sorted()
        guard !rows.isEmpty else { return try await outboxDepth() }
        return try await write { db in
            for sequence in rows {
                try db.run("DELETE FROM notification_outbox_batches WHERE seq = ?", [sequence])
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

    /// How many items wait to be relayed: from the first item of the oldest row to the last of the newest, read
    /// from the two ends of the table (a sum would visit every row, on every relay round). Exact unless a row in
    /// the middle was relayed before older ones, which only a failed acknowledgement leaves behind.
    package func outboxDepth() async throws -> Int {
        try await writer.read { try Self.outboxDepth($0) }
    }

    private static func outboxDepth(_ db: Database) throws -> Int {
        try Int.fetchOne(
            db,
            sql: """
                SELECT COALESCE((\(OutboxBatch.nextSequenceSQL)) - (SELECT MIN(seq) FROM notification_outbox_batches), 0)
                """) ?? 0
    }
}
