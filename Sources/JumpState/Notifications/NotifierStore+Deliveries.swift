import GRDB

/// The notifier's deliveries: claimed before they are attempted, so two processes never deliver one twice;
/// recorded when done or failed; listed with their digests.
extension NotifierStore {
    /// Claims the deliveries that are due: pending ones whose retry time has come, and interrupted ones whose
    /// claimant is gone (`isGone(claimant)`) or whose lease ran out. A claim lasts `lease` milliseconds.
    package func claimDeliveries(
        claimant: String, now: Int64, lease: Int64, isGone: @escaping @Sendable (String) -> Bool
    ) async throws -> [ClaimedDelivery] {
        // The notifier asks every second; most of the time nothing is due, and a read then spares the state
        // worker, which shares the file, a write lock.
        let anyDue = try await writer.read { db in
            try Bool.fetchOne(
                db,
                sql: """
                    SELECT EXISTS (SELECT 1 FROM deliveries
                    WHERE (status = 'pending' AND next_attempt_at <= ?1) OR status = 'writing')
                    """, arguments: [now]) ?? false
        }
        guard anyDue else { return [] }
        return try await write { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT d.digest_id, d.sink, d.recipient, d.status, d.attempts, d.claimed_by, d.claimed_until,
                    d.file_offset, g.audience, g.window_start, g.window_end, g.built_at, g.item_count, g.digest,
                    d.resends
                    FROM deliveries d JOIN digests g ON g.id = d.digest_id
                    WHERE (d.status = 'pending' AND d.next_attempt_at <= ?1) OR d.status = 'writing'
                    ORDER BY g.built_at, g.id, d.sink, d.recipient
                    """, arguments: [now])
            var claimed: [ClaimedDelivery] = []
            for row in rows {
                let status: String = try row.value(3, in: "deliveries")
                let claimedBy: String? = try row.value(5, in: "deliveries")
                let claimedUntil: Int64? = try row.value(6, in: "deliveries")
                var interruptedAt: Int64?
                if status == "writing" {
                    guard let claimedBy, claimedBy != claimant else { continue }
                    guard isGone(claimedBy) || (claimedUntil ?? 0) < now else { continue }
                    interruptedAt = try row.value(7, in: "deliveries")
                }
                let key = DeliveryKey(
                    digestID: try row.value(0, in: "deliveries"), sink: try row.value(1, in: "deliveries"),
                    recipient: try row.value(2, in: "deliveries"))
                try db.execute(
                    sql: """
                        UPDATE deliveries SET status = 'writing', claimed_by = ?, claimed_until = ?,
                        attempts = attempts + 1, file_offset = NULL
                        WHERE digest_id = ? AND sink = ? AND recipient = ? AND status = ? AND claimed_by IS ?
                        """,
                    arguments: [claimant, now + lease, key.digestID, key.sink, key.recipient, status, claimedBy])
                guard db.changesCount == 1 else { continue }
                let digest = StoredDigest(
                    id: key.digestID, audience: try row.value(8, in: "deliveries"),
                    windowStart: try row.value(9, in: "deliveries"), windowEnd: try row.value(10, in: "deliveries"),
                    builtAt: try row.value(11, in: "deliveries"),
                    itemCount: try row.value(12, in: "deliveries"), json: try row.value(13, in: "deliveries"))
                claimed.append(
                    ClaimedDelivery(
                        key: key, digest: digest, attempt: (try row.value(4, in: "deliveries") as Int) + 1,
                        interruptedAt: interruptedAt, resends: try row.value(14, in: "deliveries")))
            }
            return claimed
        }
    }

    /// Records where a file sink is about to append (the file's size): if the process dies before
    /// ``finishDelivery(_:claimant:at:)``, the next claimant looks there.
    package func recordIntent(_ key: DeliveryKey, claimant: String, fileOffset: Int64) async throws {
        try await write { db in
            try db.execute(
                sql: """
                    UPDATE deliveries SET file_offset = ?
                    WHERE digest_id = ? AND sink = ? AND recipient = ? AND claimed_by = ?
                    """, arguments: [fileOffset, key.digestID, key.sink, key.recipient, claimant])
        }
    }

    /// Marks a claimed delivery done, recording where it went (a file's path, a topic), if the sink says.
    package func finishDelivery(
        _ key: DeliveryKey, claimant: String, at time: Int64, destination: String? = nil
    ) async throws {
        try await write { db in
            try db.execute(
                sql: """
                    UPDATE deliveries SET status = 'delivered', delivered_at = ?, delivered_to = ?, claimed_by = NULL,
                    claimed_until = NULL, last_error = NULL
                    WHERE digest_id = ? AND sink = ? AND recipient = ? AND claimed_by = ?
                    """, arguments: [time, destination, key.digestID, key.sink, key.recipient, claimant])
        }
    }

    /// Records a failed attempt: retried at `retryAt`, or, with `nil`, failed for good.
    package func failDelivery(_ key: DeliveryKey, claimant: String, error: String, retryAt: Int64?) async throws {
        try await write { db in
            try db.execute(
                sql: """
                    UPDATE deliveries SET status = ?, next_attempt_at = ?, last_error = ?, claimed_by = NULL,
                    claimed_until = NULL WHERE digest_id = ? AND sink = ? AND recipient = ? AND claimed_by = ?
                    """,
                arguments: [
                    retryAt == nil ? "failed" : "pending", retryAt ?? 0, error, key.digestID, key.sink, key.recipient,
                    claimant,
                ])
        }
    }

    /// Sends digest `digestID` again by mail: each of its e-mail deliveries that was delivered or failed for good
    /// is due again at once, as a new delivery with a Message-ID of its own (a recipient who lost the message gets
    /// it again; the files and the topic are left as they are; the first delivery's time stays until the new one's
    /// replaces it). Returns how many were queued again; those still in progress are left alone.
    package func resendByMail(digestID: String) async throws -> Int {
        try await write { db in
            try db.execute(
                sql: """
                    UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = 0, claimed_by = NULL,
                    claimed_until = NULL, last_error = NULL, resends = resends + 1
                    WHERE digest_id = ? AND sink = 'email' AND status IN ('delivered', 'failed')
                    """, arguments: [digestID])
            return db.changesCount
        }
    }

    /// Deliveries not yet delivered nor failed for good.
    package func openDeliveryCount() async throws -> Int {
        try await writer.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM deliveries WHERE status IN ('pending', 'writing')") ?? 0
        }
    }

    /// The digest `id` with the state of each of its deliveries, or `nil`.
    package func digest(id: String) async throws -> (digest: StoredDigest, deliveries: [DeliveryState])? {
        try await digests(limit: 1, id: id).first
    }

    /// The latest digests (or the one whose id is `id`), newest first, with the state of each of their deliveries.
    package func digests(
        limit: Int = 50, id: String? = nil
    ) async throws -> [(digest: StoredDigest, deliveries: [DeliveryState])] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT id, audience, window_start, window_end, built_at, item_count, digest FROM digests
                    \(id == nil ? "" : "WHERE id = ?2") ORDER BY built_at DESC, id DESC LIMIT ?1
                    """, arguments: id.map { [limit, $0] } ?? [limit]
            ).map { row in
                let digest = StoredDigest(
                    id: try row.value(0, in: "digests"), audience: try row.value(1, in: "digests"),
                    windowStart: try row.value(2, in: "digests"), windowEnd: try row.value(3, in: "digests"),
                    builtAt: try row.value(4, in: "digests"),
                    itemCount: try row.value(5, in: "digests"), json: try row.value(6, in: "digests"))
                let deliveries = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT sink, recipient, status, attempts, delivered_at, last_error, delivered_to FROM deliveries
                        WHERE digest_id = ? ORDER BY sink, recipient
                        """, arguments: [digest.id]
                ).map {
                    DeliveryState(
                        sink: try $0.value(0, in: "deliveries"), recipient: try $0.value(1, in: "deliveries"),
                        status: try $0.value(2, in: "deliveries"), attempts: try $0.value(3, in: "deliveries"),
                        deliveredAt: try $0.value(4, in: "deliveries"),
                        lastError: try $0.value(5, in: "deliveries"), deliveredTo: try $0.value(6, in: "deliveries"))
                }
                return (digest, deliveries)
            }
        }
    }
}
