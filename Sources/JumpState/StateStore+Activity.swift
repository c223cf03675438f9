import GRDB

/// One minute of a worker's activity, as the operator console charts it: what its batches did, and how far
/// behind it was.
package struct ActivityMinute: Sendable, Equatable {
    /// The minute's start, milliseconds since 1970.
    package var start: Int64
    /// Events applied.
    package var applied = 0
    /// Duplicates skipped.
    package var duplicates = 0
    /// Messages dead-lettered.
    package var deadLettered = 0
    /// Anomalies recorded.
    package var anomalies = 0
    /// The lag (messages waiting in its partitions) the last time it was measured in this minute, if it was.
    package var lag: Int64?

    /// An empty minute.
    package init(start: Int64) { self.start = start }
}

extension StateStore {
    /// How long kept minutes stay: a day.
    static let activityRetentionMs: Int64 = 86_400_000

    /// Keeps `minutes` (replacing what was kept for the same minutes), so that a restart still shows them, and
    /// forgets those older than a day. One small write, made once a minute and at a stop.
    package func keepActivity(_ minutes: [ActivityMinute]) async throws {
        guard let newest = minutes.map(\.start).max() else { return }
        try await write { db in
            for minute in minutes {
                try db.run(
                    """
                    INSERT OR REPLACE INTO activity_minutes
                    (minute, applied, duplicates, dead_lettered, anomalies, lag) VALUES (?, ?, ?, ?, ?, ?)
                    """,
                    [
                        minute.start, minute.applied, minute.duplicates, minute.deadLettered, minute.anomalies,
                        minute.lag,
                    ])
            }
            try db.run("DELETE FROM activity_minutes WHERE minute < ?", [newest - Self.activityRetentionMs])
        }
    }

    /// The minutes kept since `start` (milliseconds since 1970), oldest first.
    package func keptActivity(since start: Int64) async throws -> [ActivityMinute] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT minute, applied, duplicates, dead_lettered, anomalies, lag FROM activity_minutes
                    WHERE minute >= ? ORDER BY minute
                    """, arguments: [start]
            ).map { row in
                var minute = ActivityMinute(start: try row.value(0, in: "activity_minutes"))
                minute.applied = try row.value(1, in: "activity_minutes")
                minute.duplicates = try row.value(2, in: "activity_minutes")
                minute.deadLettered = try row.value(3, in: "activity_minutes")
                minute.anomalies = try row.value(4, in: "activity_minutes")
                minute.lag = try row.value(5, in: "activity_minutes")
                return minute
            }
        }
    }
}
