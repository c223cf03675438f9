import JumpEvents
import JumpKafka
import Logging
import Synchronization

/// The state worker's side of ``KeyPlacement``: decides, message by message, whether an event stays, moves to its
/// partition or is refused, and keeps what that needs across batches — the events topic's partition count (read
/// again after every assignment), the copies written (so `untilIdle` reads past them) and the count of moves for
/// `/readyz`.
final class PlacementGuard: Sendable {
    /// What becomes of one valid event.
    enum Outcome {
        /// Folded where it is.
        case stays
        /// Written to its partition (`copy`); recorded where it arrived as a `misplaced-key` anomaly (`detail`).
        case moves(copy: DivertedMessage, detail: String)
        /// Dead-lettered: moved once already and still misplaced.
        case refused(EventRejection)
    }

    private let placement: KeyPlacement
    private let topic: String
    private let logger: Logger
    private let counts = Mutex<(current: Int32?, last: Int32?)>((nil, nil))
    private let lastCopies = Mutex<[Int32: Int64]>([:])
    private let moves = Mutex<(count: Int, latest: String)?>(nil)

    init(placement: KeyPlacement, topic: String, logger: Logger) {
        self.placement = placement
        self.topic = topic
        self.logger = logger
    }

    /// Called by the rebalance hooks: the partition count is read again before the next check (adding partitions
    /// causes a rebalance).
    func assignmentChanged() { counts.withLock { $0.current = nil } }

    /// The partition count to check against, `nil` when keys are not checked; `read` asks the cluster when the
    /// count is not known since the last assignment. A count that changed is logged as an error.
    func partitionCount(_ read: () async throws -> Int32) async rethrows -> Int32? {
        guard placement.partitioner != nil else { return nil }
        if let known = counts.withLock({ $0.current }) { return known }
        let count = try await read()
        let previous = counts.withLock { counts in
            defer { counts = (count, count) }
            return counts.last
        }
        if let previous, previous != count {
            let warning =
                "\(topic) now has \(count) partitions (was \(previous)): subjects hash to other partitions "
                + "from here on, and a rebuild would no longer decide as this run did; see OPERATIONS.md, "
                + "\"Partitioners\", on changing the partition count"
            logger.error("\(warning)")
        }
        return count
    }

    /// What becomes of `event`, read in `message`, among `partitionCount` partitions.
    func outcome(of event: JumpEvent, in message: KafkaConsumerMessage, partitionCount: Int32) -> Outcome {
        let subject = event.subject
        switch placement.decide(
            subject: subject, partition: message.topicPartition.partition, offset: message.offset,
            partitionCount: partitionCount, headers: message.headers)
        {
        case .stays:
            return .stays
        case .moves(let destination):
            let detail =
                "subject \(subject) belongs in partition \(destination) (\(placement.partitioner?.name ?? "") over "
                + "\(partitionCount) partitions); moved there"
            return .moves(copy: DivertedMessage(moving: message, subject: subject, to: destination), detail: detail)
        case .refused(let belongs, let from):
            return .refused(
                EventRejection(
                    .misplaced, at: "",
                    "subject \(subject) belongs in partition \(belongs), but the event was moved here already "
                        + "(jump.rerouted.from \(from)): a forged header, or a partition count that changed "
                        + "(OPERATIONS.md, Partitioners); dlq redeliver sends it to its partition"))
        }
    }

    /// Records a batch's moves once Kafka acknowledged them (`written`: where every diverted message went).
    func moved(_ copies: [DivertedMessage], written: [KafkaDeliveryReport]) {
        guard let last = copies.last else { return }
        lastCopies.withLock { lastCopies in
            for report in written where report.topicPartition.topic == topic {
                let partition = report.topicPartition.partition
                lastCopies[partition] = max(lastCopies[partition] ?? -1, report.offset)
            }
        }
        let latest = "\(last.origin) to partition \(last.record.partition.map(String.init) ?? "?")"
        moves.withLock { $0 = (($0?.count ?? 0) + copies.count, latest) }
        logger.notice(
            "moved \(copies.count) events to the partition their subject belongs to",
            metadata: ["latest": "\(latest)", "partitioner": "\(placement.partitioner?.name ?? "")"])
    }

    /// Whether the worker read past every copy it wrote, in the partitions it holds (`next`: its next offsets).
    func copiesRead(by next: [Int32: Int64?]) -> Bool {
        lastCopies.withLock { lastCopies in
            lastCopies.allSatisfy { partition, offset in
                guard let held = next[partition] else { return true }
                return (held ?? 0) > offset
            }
        }
    }

    /// The `/readyz` note on moves since start, or `nil`.
    var note: String? {
        moves.withLock { found in
            found.map {
                "\($0.count) events arrived in a partition their subject does not belong to and were moved (latest "
                    + "\($0.latest)); their publishers should use partitioner=murmur2_random (see OPERATIONS.md)"
            }
        }
    }
}

/// The cluster has no such topic.
package struct TopicMissing: Error, CustomStringConvertible {
    /// The topic.
    package var topic: String
    /// Names the topic.
    package var description: String { "the cluster has no topic \(topic)" }
}
