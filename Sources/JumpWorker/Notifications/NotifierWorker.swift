import CoreMetrics
import Foundation
import JumpDigests
import JumpKafka
import JumpState
import Logging
import ServiceLifecycle
import Synchronization

/// How a ``NotifierWorker`` runs.
package struct NotifierConfiguration: Sendable {
    /// Kafka's bootstrap servers.
    package var brokers: [String]
    /// librdkafka properties passed through (`-X`).
    package var overrides: [String: String] = [:]
    /// The notifications topic (one partition); default `jump.notifications`.
    package var topic = "jump.notifications"
    /// The consumer group; default `jump-notifier`.
    package var groupID = "jump-notifier"
    /// How long one poll waits; default 200 ms.
    package var pollTimeout: Duration = .milliseconds(200)
    /// How often windows are checked and due deliveries made; default 1 s.
    package var tick: Duration = .seconds(1)
    /// Exit once caught up with the topic (after delivering what is due).
    package var untilIdle = false
    /// With `untilIdle`, how long to wait for the partition before giving up with ``AssignmentTimedOut``;
    /// default 60 s.
    package var assignmentTimeout: Duration = .seconds(60)
    /// With `untilIdle` beside a state worker of the same process (`--role all`), which relays items while the
    /// notifier reads them: the notifier ends only once that worker's items are all published and it has read
    /// the topic to its end as it was then. `nil`: it ends when caught up.
    package var upstream: UpstreamFinished?

    /// A configuration with jump-relay's defaults.
    package init(brokers: [String]) { self.brokers = brokers }
}

/// The notifier role: consumes `jump.notifications` in the group `jump-notifier`, buffers items in its store
/// with the topic's offsets in the same transactions (a repeat is dropped by item id), and every tick closes
/// the windows that ended and delivers digests through ``DigestService``.
package final class NotifierWorker: Sendable {
    private let configuration: NotifierConfiguration
    private let store: NotifierStore
    private let service: DigestService
    private let consumer: KafkaConsumer
    private let assigned = AssignedOffsets()
    private let lifecycle = Mutex(WorkerLifecycle())
    private let logger: Logger
    private let clock = PollClock()
    /// The store file (its directory is named when the disk is full).
    private let storePath: String?
    /// Why the intake is retrying a write, for `/readyz`; `nil` when it is not.
    private let retrying = Mutex<String?>(nil)
    /// Its rebalances and waits without partitions.
    private let rebalances = RebalanceHistory(role: "notifier")

    /// Prepares the notifier; nothing is consumed until ``run()``.
    package init(
        configuration: NotifierConfiguration, store: StateStore, service: DigestService, logger: Logger
    ) throws {
        self.configuration = configuration
        self.store = store.notifier
        storePath = store.path
        self.service = service
        self.logger = logger
        var consumerConfiguration = KafkaConsumerConfiguration(
            bootstrapServers: configuration.brokers, groupID: configuration.groupID, topics: [configuration.topic])
        consumerConfiguration.useWorkerDefaults()
        consumerConfiguration.overrides = configuration.overrides
        let topic = configuration.topic
        let notifier = store.notifier
        let hooks = assigned.hooks(history: rebalances) {
            try notifier.offsetsForRebalance(topic: topic)
        }
        consumer = try KafkaConsumer(configuration: consumerConfiguration, hooks: hooks, logger: logger)
    }

    /// What the notifier holds and how far behind it is.
    package func status() -> WorkerStatus {
        var status = consumer.status(
            role: "notifier", group: configuration.groupID, next: assigned.snapshot, clock: clock)
        status.group = configuration.groupID
        status.problem = retrying.withLock { $0 }
        rebalances.fill(&status)
        return status
    }

    /// Asks the notifier to stop after the batch in hand; a waiting poll returns at once.
    package func requestStop() {
        if lifecycle.withLock({ $0.stopRequested() }) == .wakeUp { consumer.wakeUp() }
    }

    /// Consumes and delivers until asked to stop (or, with `untilIdle`, until caught up and delivered), then
    /// commits and leaves the group.
    package func consumeAndDeliver() async throws -> StateWorkerExit {
        switch lifecycle.withLock({ $0.start() }) {
        case .run: break
        case .returnStopped:
            await shutDown()
            return .stopped
        case .alreadyRunning: preconditionFailure("the notifier is already running")
        }
        defer { lifecycle.withLock { $0.finished() } }
        let exit: StateWorkerExit
        do {
            exit = try await withThrowingTaskGroup(of: StateWorkerExit?.self) { group in
                group.addTask { try await self.consume() }
                if !configuration.untilIdle {
                    group.addTask {
                        await self.tickUntilStopped()
                        return nil
                    }
                }
                var result = StateWorkerExit.stopped
                for try await value in group {
                    if let value {
                        result = value
                        requestStop()
                    }
                }
                return result
            }
            if exit == .idle {
                try await retries.run("close the digest windows") { try await service.tick() }
                try await retries.run("deliver the digests") {
                    try await service.deliverOutstanding(timeout: .seconds(30))
                }
            }
        } catch {
            await shutDown()
            if error is RetryStopped { return .stopped }
            throw error
        }
        await shutDown()
        return exit
    }

    /// Retries of the intake's writes (a full or locked disk).
    private var retries: TransientRetries {
        TransientRetries(
            storePath: storePath, giveUpAfter: configuration.untilIdle ? configuration.assignmentTimeout : nil,
            stopRequested: { self.lifecycle.withLock { $0.stopWasRequested } },
            problem: { reason in self.retrying.withLock { $0 = reason } }, logger: logger)
    }

    private func consume() async throws -> StateWorkerExit {
        var wait = AssignmentWait(
            role: "notifier", topic: configuration.topic, group: configuration.groupID,
            timeout: configuration.untilIdle ? configuration.assignmentTimeout : nil, logger: logger)
        /// The topic's end once the upstream finished: read then, so that no end-of-partition seen before its last
        /// items were published can end the run early.
        var endAfterUpstream: [Int32: (low: Int64, high: Int64)]?
        while lifecycle.withLock({ $0.continues }) {
            let events = try await consumer.poll(maxEvents: 1_000, timeout: configuration.pollTimeout)
            clock.tick()
            try wait.check(consumer)
            var byPartition: [Int32: [KafkaConsumerMessage]] = [:]
            for case .message(let message) in events {
                byPartition[message.topicPartition.partition, default: []].append(message)
            }
            for (partition, messages) in byPartition { try await receive(partition: partition, messages) }
            if configuration.untilIdle, byPartition.isEmpty, !consumer.assignment.isEmpty,
                consumer.partitionsAtEnd == consumer.assignment
            {
                guard let upstream = configuration.upstream else { return .idle }
                guard upstream.isFinished else { continue }
                if endAfterUpstream == nil { endAfterUpstream = try await topicEnd() }
                let read = assigned.snapshot
                // Read to the end, or nothing left to read (every message kept there expired: low == high).
                let through = endAfterUpstream?.allSatisfy { partition, marks in
                    (read[partition] ?? nil) ?? 0 >= marks.high || marks.low >= marks.high
                }
                if through == true { return .idle }
            }
        }
        return .stopped
    }

    /// The watermarks of every partition the notifier holds.
    private func topicEnd() async throws -> [Int32: (low: Int64, high: Int64)] {
        var ends: [Int32: (low: Int64, high: Int64)] = [:]
        for partition in consumer.assignment {
            ends[partition.partition] = try await consumer.watermarks(for: partition)
        }
        return ends
    }

    /// Stores one partition's messages and their next offset in one transaction.
    private func receive(partition: Int32, _ messages: [KafkaConsumerMessage]) async throws {
        var items: [ReceivedItem] = []
        for message in messages {
            guard let value = message.value else { continue }
            do {
                let item = try NotificationItem(json: value)
                items.append(item.received(json: String(decoding: value, as: UTF8.self)))
            } catch {
                WorkerMetrics.errors("item").increment()
                logger.error(
                    "notification item skipped",
                    metadata: ["at": "\(message.topicPartition)@\(message.offset)", "error": "\(error)"])
            }
        }
        let next = (messages.map(\.offset).max() ?? 0) + 1
        let expected = assigned.snapshot[partition] ?? nil
        let added = try await retries.run("store notification items") {
            try await store.receive(
                topic: configuration.topic, partition: partition, items: items, nextOffset: next, expected: expected,
                receivedAt: Timestamp.now())
        }
        assigned.advance([partition: next])
        WorkerMetrics.received.increment(by: added)
        WorkerMetrics.repeated.increment(by: items.count - added)
        _ = status()
        try? consumer.storeOffsets([KafkaTopicPartition(topic: configuration.topic, partition: partition): next])
        logger.debug(
            "notification items received",
            metadata: ["new": .stringConvertible(added), "repeats": .stringConvertible(items.count - added)])
    }

    private func tickUntilStopped() async {
        while lifecycle.withLock({ $0.continues }), !Task.isCancelled {
            do {
                try await service.tick()
            } catch {
                WorkerMetrics.errors("digest").increment()
                logger.error("digest windows or delivery failed; retrying next tick", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: configuration.tick)
        }
    }

    private func shutDown() async {
        try? await consumer.commit()
        try? await consumer.close()
        logger.info("notifier left the group")
    }
}

extension NotifierWorker: Service {
    /// The notifier as a service: consumes and delivers until the group's graceful shutdown (or its own failure),
    /// then closes the digest topic's producer.
    package func run() async throws {
        do {
            _ = try await withGracefulShutdownHandler {
                try await consumeAndDeliver()
            } onGracefulShutdown: {
                self.requestStop()
            }
        } catch {
            await service.close()
            throw error
        }
        await service.close()
    }
}

/// Set once, when the state worker of the same process and its relay are through (`--until-idle --role all`).
package final class UpstreamFinished: Sendable {
    private let finished = Atomic<Bool>(false)

    /// Not finished yet.
    package init() {}

    /// Marks it finished.
    package func finish() { finished.store(true, ordering: .releasing) }

    /// Whether it is.
    package var isFinished: Bool { finished.load(ordering: .acquiring) }
}
