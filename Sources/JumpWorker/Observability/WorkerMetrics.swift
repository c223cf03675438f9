import CoreMetrics
import Foundation
import JumpDigests
import JumpKafka
import Metrics
import Synchronization

/// The metrics of the workers, through swift-metrics (exported for Prometheus by `jump-consumer`'s `/metrics`;
/// without a bootstrapped backend they cost nothing). Created on first use, after the backend is bootstrapped.
package enum WorkerMetrics {
    static let applied = Counter(label: "jump_events_applied_total")
    static let duplicates = Counter(label: "jump_events_duplicates_total")
    static let deadLettered = Counter(label: "jump_events_dead_lettered_total")
    static let anomalies = Counter(label: "jump_events_anomalies_total")
    /// Events that arrived in a partition their subject does not belong to, moved to the right one.
    static let rerouted = Counter(label: "jump_events_rerouted_total")
    static let batchDuration = Metrics.Timer(label: "jump_batch_duration_seconds", preferredDisplayUnit: .seconds)
    /// How old each message was when the batch that handled it committed: from its Kafka timestamp (its producer's
    /// clock) to the commit, the freshness of the state.
    static let eventAge = Metrics.Timer(label: "jump_event_age_seconds", preferredDisplayUnit: .seconds)
    static let outboxDepth = Gauge(label: "jump_outbox_depth")
    /// 1 while dead letters cannot be written (the batch waits and retries), else 0.
    static let deadLettersBlocked = Gauge(label: "jump_dead_letters_blocked")
    /// Dead letters the broker refused for their size, sent as bounded records instead.
    static let deadLettersBounded = Counter(label: "jump_dead_letters_bounded_total")
    static let relayed = Counter(label: "jump_notifications_relayed_total")
    static let received = Counter(label: "jump_notifications_received_total")
    static let repeated = Counter(label: "jump_notifications_repeated_total")

    /// Consumer lag of one partition of a group: the high watermark minus the next offset to apply.
    static func lag(_ partition: KafkaTopicPartition, group: String) -> Gauge {
        Gauge(
            label: "jump_consumer_lag",
            dimensions: [("group", group), ("topic", partition.topic), ("partition", String(partition.partition))])
    }

    /// The kinds of ``errors(_:)``.
    static let errorKinds = ["kafka", "store", "digest", "relay", "item"]

    /// Errors by kind (one of ``errorKinds``).
    static func errors(_ kind: String) -> Counter { Counter(label: "jump_errors_total", dimensions: [("kind", kind)]) }

    /// Creates every family (each at zero, the lag's per partition excepted: it appears with its assignment), so
    /// that `rate()` and `absent()` work from a process's start. Call once, after the metrics backend is
    /// bootstrapped.
    package static func registerAll() {
        for counter in [
            applied, duplicates, deadLettered, anomalies, rerouted, deadLettersBounded, relayed, received, repeated,
        ] {
            counter.increment(by: 0)
        }
        _ = batchDuration
        _ = eventAge
        deadLettersBlocked.record(0)
        _ = outboxDepth
        for kind in errorKinds { errors(kind).increment(by: 0) }
        for role in ["state", "notifier"] { RebalanceHistory.register(role: role) }
        DigestDeliverer.registerOutcomes()
    }
}

/// Where a worker stands in one assigned partition.
package struct PartitionPosition: Sendable, Equatable, Codable {
    /// `topic[partition]`.
    package var partition: String
    /// The next offset to apply (`nil`: from the start of the log).
    package var next: Int64?
    /// The partition's high watermark, once known.
    package var highWatermark: Int64?
    /// High watermark minus next offset, once known.
    package var lag: Int64?

    /// A position.
    package init(partition: String, next: Int64?, highWatermark: Int64? = nil, lag: Int64? = nil) {
        self.partition = partition
        self.next = next
        self.highWatermark = highWatermark
        self.lag = lag
    }
}

/// What a worker reports for health checks and readiness.
package struct WorkerStatus: Sendable, Equatable, Codable {
    /// `state` or `notifier`.
    package var role: String
    /// The partitions assigned now, `topic[partition]`.
    package var assigned: [String]
    /// The sum of the assigned partitions' lag, or `nil` while a partition's high watermark is unknown.
    package var lag: Int64?
    /// Milliseconds since the worker last returned from a poll (`nil` before the first).
    package var sinceLastPollMs: Int64?
    /// What keeps the worker from making progress now (dead letters that cannot be written, ...), or `nil`.
    package var problem: String?
    /// Events that arrived in the wrong partition and were moved (a publisher with another partitioner), or `nil`.
    /// Not a readiness failure: the events are applied in their partition.
    package var misplaced: String?
    /// Each assigned partition's position.
    package var partitions: [PartitionPosition] = []
    /// The consumer group.
    package var group: String?
    /// When the worker last committed a batch (milliseconds since 1970), `nil` before the first.
    package var lastBatchAtMs: Int64?
    /// How many assignments the group handed the worker (one per rebalance it took part in).
    package var rebalances: Int?
    /// How long the worker was last without partitions (at start-up or in a rebalance), in milliseconds.
    package var lastAssignmentWaitMs: Int64?
    /// When that wait ended (milliseconds since 1970).
    package var lastAssignedAtMs: Int64?

    /// A status.
    package init(role: String, assigned: [String], lag: Int64?, sinceLastPollMs: Int64?) {
        self.role = role
        self.assigned = assigned
        self.lag = lag
        self.sinceLastPollMs = sinceLastPollMs
    }
}

/// The time of a worker's last poll, for liveness (and the systemd watchdog).
final class PollClock: Sendable {
    private let last = Atomic<Int64>(0)

    func tick() { last.store(Self.now(), ordering: .relaxed) }

    var sinceLastPollMs: Int64? {
        let value = last.load(ordering: .relaxed)
        return value == 0 ? nil : Self.now() - value
    }

    static func now() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    }
}

extension KafkaConsumer {
    /// The status of a consumer whose next offsets are `next` (`nil`: from the start of the log).
    func status(role: String, group: String, next: [Int32: Int64?], clock: PollClock) -> WorkerStatus {
        var total: Int64? = 0
        let partitions = assignment.sorted()
        var positions: [PartitionPosition] = []
        for partition in partitions {
            let next = next[partition.partition] ?? nil
            guard let marks = cachedWatermarks(for: partition) else {
                total = nil
                positions.append(PartitionPosition(partition: partition.description, next: next))
                continue
            }
            let position = next ?? marks.low
            let lag = max(0, marks.high - position)
            WorkerMetrics.lag(partition, group: group).record(lag)
            total = total.map { $0 + lag }
            positions.append(
                PartitionPosition(partition: partition.description, next: next, highWatermark: marks.high, lag: lag))
        }
        var status = WorkerStatus(
            role: role, assigned: partitions.map(\.description), lag: total, sinceLastPollMs: clock.sinceLastPollMs)
        status.partitions = positions
        return status
    }
}
