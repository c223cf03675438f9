import Foundation
import Synchronization

/// What the workers did minute by minute over the last hour, in memory (the operator console's chart): events
/// applied, duplicates skipped, messages dead-lettered and anomalies recorded.
package final class ActivityHistory: Sendable {
    /// One minute's counts.
    package struct Minute: Sendable, Equatable {
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
    }

    private static let minutes = 60
    private let buckets = Mutex<[Minute]>([])
    private let lastBatch = Atomic<Int64>(0)

    /// An empty history.
    package init() {}

    /// Counts a committed batch at `now` (milliseconds since 1970).
    func record(_ outcome: (applied: Int, duplicates: Int, deadLettered: Int, anomalies: Int), at now: Int64) {
        lastBatch.store(now, ordering: .relaxed)
        let start = now - now % 60_000
        buckets.withLock { buckets in
            if buckets.last?.start != start { buckets.append(Minute(start: start)) }
            buckets[buckets.count - 1].applied += outcome.applied
            buckets[buckets.count - 1].duplicates += outcome.duplicates
            buckets[buckets.count - 1].deadLettered += outcome.deadLettered
            buckets[buckets.count - 1].anomalies += outcome.anomalies
            buckets.removeAll { $0.start <= start - Int64(Self.minutes) * 60_000 }
        }
    }

    /// The last hour ending at `now`, one entry per minute, oldest first (minutes with nothing count zero).
    package func lastHour(now: Int64) -> [Minute] {
        let current = now - now % 60_000
        let recorded = buckets.withLock { $0 }
        let byStart = Dictionary(recorded.map { ($0.start, $0) }) { first, _ in first }
        return (0..<Self.minutes).reversed().map { back in
            let start = current - Int64(back) * 60_000
            return byStart[start] ?? Minute(start: start)
        }
    }

    /// When the last batch was committed (milliseconds since 1970), `nil` before the first.
    package var lastBatchAtMs: Int64? {
        let value = lastBatch.load(ordering: .relaxed)
        return value == 0 ? nil : value
    }
}
