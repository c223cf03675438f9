import GRDB

/// A notification item waiting in the outbox for the relay.
public struct OutboxNotification: Sendable, Equatable {
    /// Its place in the outbox (items are relayed in this order).
    public var sequence: Int64
    /// The audience: the message key on `jump.notifications`.
    public var audience: String
    /// The item JSON: the message value.
    public var item: String
}

extension StateStore {
    /// The oldest items not yet relayed, at most `limit`.
    public func pendingNotifications(limit: Int) throws -> [OutboxNotification] {
        try writer.read { db in
            try Row.fetchAll(
                db, sql: "SELECT seq, audience, item FROM notification_outbox ORDER BY seq LIMIT ?", arguments: [limit]
            ).map { OutboxNotification(sequence: $0[0], audience: $0[1], item: $0[2]) }
        }
    }

    /// Removes relayed items (acknowledged by Kafka); their duplicates, if the relay crashed before this, are
    /// dropped by the notifier by item id.
    public func removeNotifications(_ sequences: [Int64]) throws {
        guard !sequences.isEmpty else { return }
        try writer.write { db in
            for sequence in sequences {
                try db.cachedStatement(sql: "DELETE FROM notification_outbox WHERE seq = ?").execute(arguments: [
                    sequence
                ])
            }
        }
    }

    /// How many items wait to be relayed.
    public func outboxDepth() throws -> Int {
        try writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM notification_outbox") ?? 0 }
    }
}
