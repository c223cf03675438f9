import JumpKafka
import JumpState

/// How a ``StateWorker`` runs.
package struct StateWorkerConfiguration: Sendable {
    /// Kafka's bootstrap servers.
    package var brokers: [String]
    /// librdkafka properties passed through (`-X`), for the consumer and the dead-letter producer.
    package var overrides: [String: String] = [:]
    /// The events topic; default `jump.events`.
    package var topic = "jump.events"
    /// The dead-letter topic; default `jump.events.dlq`.
    package var deadLetterTopic = "jump.events.dlq"
    /// The consumer group; default `jump-state`.
    package var groupID = "jump-state"
    /// The most messages applied in one transaction; default 1,000.
    package var batchSize = 1_000
    /// How long one poll waits for the first message, which bounds a batch's age; default 200 ms.
    package var pollTimeout: Duration = .milliseconds(200)
    /// Exit once every assigned partition is caught up.
    package var untilIdle = false
    /// With `untilIdle`, how long to wait for a first assignment before giving up with ``AssignmentTimedOut``;
    /// default 60 s.
    package var assignmentTimeout: Duration = .seconds(60)
    /// How many offsets back, per partition, an event id is remembered to skip duplicates; default 1,000,000.
    package var ledgerWindow = StateStore.defaultLedgerWindow
    /// A pause after each applied batch, to throttle a worker (to spare a shared disk, or to watch it in a test);
    /// default none.
    package var pauseBetweenBatches: Duration = .zero
    /// Where a partition starts when the store's offset is no longer in the log: `nil` stops the worker (the
    /// default), `.earliest` or `.latest` resets it.
    package var offsetReset: KafkaConsumerConfiguration.OffsetReset?
    /// The largest dead letter the dead-letter producer sends (`message.max.bytes`); larger ones become bounded
    /// records. Default 1,000,000,000, librdkafka's maximum, so the broker's limit is the one that counts.
    package var deadLetterMaxBytes = 1_000_000_000
    /// Where events belong: an event whose subject hashes to another partition is moved there and applied there;
    /// default murmur2 (jump-relay's and the Java client's partitioner), checked from the start of the log.
    package var placement = KeyPlacement()
    /// Routes applied events to audiences: one notification item per route goes to the outbox in the batch's
    /// transaction. `nil`: no items.
    package var router: (any NotificationRouter)?

    /// A configuration with jump-relay's defaults.
    package init(brokers: [String]) { self.brokers = brokers }
}

/// Why a ``StateWorker`` stopped, when it did not throw.
package enum StateWorkerExit: Sendable, Equatable {
    /// It was asked to stop (SIGTERM or SIGINT) and left the group cleanly.
    case stopped
    /// `--until-idle`: every assigned partition was caught up.
    case idle
}

/// The worker stopped because the store and the log disagree: the store's offset is not in the log.
package struct OffsetOutOfRange: Error, CustomStringConvertible {
    /// The partition.
    package var partition: KafkaTopicPartition
    /// The store's next offset for it.
    package var storeOffset: Int64?
    /// The offsets the log holds, `low..<high`.
    package var log: Range<Int64>?

    /// Names the partition and both offsets, and the way out.
    package var description: String {
        "\(partition): the state store's next offset is \(storeOffset.map(String.init) ?? "unknown") but the log "
            + "holds \(log.map { "\($0.lowerBound)..<\($0.upperBound)" } ?? "an unknown range") (a restarted dev "
            + "broker, or expired retention). Rebuild the store from the log (delete the state file), or run with "
            + "--offset-reset earliest|latest to continue from there."
    }
}
