import Foundation
import JumpState
import Synchronization

/// What the workers did minute by minute over the last hour (the operator console's chart): events applied,
/// duplicates skipped, messages dead-lettered, anomalies recorded, and the lag. Kept in memory as batches commit;
/// each minute, once over, is kept in the store too (``StateStore/keepActivity(_:)``), so a restart starts from
/// the hour before it (``restore(_:)``) instead of an empty chart.
package final class ActivityHistory: Sendable {
    /// One minute's counts and lag.
    package typealias Minute = ActivityMinute

    private static let minutes = 60
    /// The minutes of the last hour, and the starts of those that ended and are not kept yet.
    private let buckets = Mutex<(minutes: [Minute], ended: [Int64])>(([], []))
    private let lastBatch = Atomic<Int64>(0)

    /// An empty history.
    package init() {}

    /// Counts a committed batch at `now` (milliseconds since 1970).
    func record(_ outcome: (applied: Int, duplicates: Int, deadLettered: Int, anomalies: Int), at now: Int64) {
        lastBatch.store(now, ordering: .relaxed)
        update(at: now) { minute in
            minute.applied += outcome.applied
            minute.duplicates += outcome.duplicates
            minute.deadLettered += outcome.deadLettered
            minute.anomalies += outcome.anomalies
        }
    }

    /// Notes the lag measured at `now` (a minute shows the last one it measured).
    func noteLag(_ lag: Int64, at now: Int64) {
        update(at: now) { $0.lag = lag }
    }

    /// Applies `change` to the minute of `now`; a minute that ends is set aside for ``takeEnded()``.
    private func update(at now: Int64, _ change: (inout Minute) -> Void) {
        let start = now - now % 60_000
        buckets.withLock { state in
            if state.minutes.last.map({ $0.start < start }) ?? true {
                if let last = state.minutes.last {
                    state.ended.append(last.start)
                    if state.ended.count > Self.minutes { state.ended.removeFirst() }
                }
                state.minutes.append(Minute(start: start))
            }
            // A batch stamped just before another thread began the next minute still counts in its own.
            let index =
                state.minutes.lastIndex { $0.start == start }
                ?? {
                    let position = state.minutes.firstIndex { $0.start > start } ?? state.minutes.endIndex
                    state.minutes.insert(Minute(start: start), at: position)
                    state.ended.append(start)
                    return position
                }()
            change(&state.minutes[index])
            state.minutes.removeAll { $0.start <= start - Int64(Self.minutes) * 60_000 }
        }
    }

    /// The minutes that ended since the last call (each once, as they are now: a batch that committed in a minute
    /// after another thread began the next still counts in it), and with `current`, the one in progress: what to
    /// keep in the store.
    func takeEnded(current: Bool = false) -> [Minute] {
        buckets.withLock { state in
            defer { state.ended.removeAll() }
            let ended = Set(state.ended)
            return state.minutes.filter { ended.contains($0.start) } + (current ? state.minutes.suffix(1) : [])
        }
    }

    /// Starts from minutes kept before (a restart); those the history already has keep theirs, and a kept minute
    /// that is the current one goes on counting from what was kept.
    package func restore(_ kept: [Minute]) {
        buckets.withLock { state in
            let known = Set(state.minutes.map(\.start))
            state.minutes = (state.minutes + kept.filter { !known.contains($0.start) }).sorted { $0.start < $1.start }
        }
    }

    /// The last hour ending at `now`, one entry per minute, oldest first (minutes with nothing count zero).
    package func lastHour(now: Int64) -> [Minute] {
        let current = now - now % 60_000
        let recorded = buckets.withLock { $0.minutes }
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
