import CoreMetrics
import Foundation
import GRDB
import JumpEvents
import JumpKafka
import JumpState
import Logging
import Synchronization

/// Consumes `jump.events` in a group and folds it into a ``StateStore`` with effectively-once semantics: each
/// batch (state, event-id ledger, outbox, next offsets) is one SQLite transaction, and on assignment the
/// worker seeks to the offsets in its store (the beginning of the log for a partition it never held). Invalid
/// input goes to the dead-letter topic with the reason, and the worker moves on.
package final class StateWorker: Sendable {
    private let configuration: StateWorkerConfiguration
    private let store: StateStore
    private let logger: Logger
    private let assigned = AssignedOffsets()
    private let stopRequested = Atomic<Bool>(false)
    private let consumer: KafkaConsumer
    private let diversions: DiversionSender
    private let decoder = EventDecoder()
    private let clock = PollClock()
    private let placement: PlacementGuard
    private let committing: CommitGate
    /// Why the worker is retrying (a full disk, a locked store, a broker away), for `/readyz`; `nil` when it is not.
    private let retrying = Mutex<String?>(nil)
    /// What the worker did minute by minute over the last hour (the operator console).
    package let activity = ActivityHistory()
    /// Its rebalances and waits without partitions.
    let rebalances = RebalanceHistory(role: "state")

    /// Prepares the worker; nothing is consumed until ``run()``.
    package init(configuration: StateWorkerConfiguration, store: StateStore, logger: Logger) throws {
        self.configuration = configuration
        self.store = store
        self.logger = logger
        var consumerConfiguration = KafkaConsumerConfiguration(
            bootstrapServers: configuration.brokers, groupID: configuration.groupID, topics: [configuration.topic])
        consumerConfiguration.offsetReset = configuration.offsetReset ?? .error
        consumerConfiguration.useWorkerDefaults()
        consumerConfiguration.overrides = configuration.overrides
        let topic = configuration.topic
        let committing = CommitGate()
        self.committing = committing
        var hooks = assigned.hooks(committing: committing, history: rebalances) {
            try store.nextOffsets(topic: topic)
        }
        let placement = PlacementGuard(placement: configuration.placement, topic: topic, logger: logger)
        let assign = hooks.onAssign
        hooks.onAssign = { partitions in
            placement.assignmentChanged()
            return try assign(partitions)
        }
        self.placement = placement
        consumer = try KafkaConsumer(configuration: consumerConfiguration, hooks: hooks, logger: logger)
        diversions = try DiversionSender(
            brokers: configuration.brokers, overrides: configuration.overrides, topic: configuration.deadLetterTopic,
            maximumMessageBytes: configuration.deadLetterMaxBytes, logger: logger)
    }

    /// What the worker holds and how far behind it is, for `/healthz`, `/readyz` and the lag metrics.
    package func status() -> WorkerStatus {
        var status = consumer.status(role: "state", group: configuration.groupID, next: assigned.snapshot, clock: clock)
        status.problem = diversions.blockedReason ?? retrying.withLock { $0 }
        status.misplaced = placement.note
        status.group = configuration.groupID
        status.lastBatchAtMs = activity.lastBatchAtMs
        if let lag = status.lag { activity.noteLag(lag, at: Int64(Date().timeIntervalSince1970 * 1000)) }
        rebalances.fill(&status)
        return status
    }

    /// Asks the worker to stop after the batch in hand; a waiting poll returns at once.
    package func requestStop() {
        stopRequested.store(true, ordering: .releasing)
        consumer.wakeUp()
    }

    /// Consumes until asked to stop (or, with `untilIdle`, until caught up), then commits and leaves the group.
    ///
    /// The next batch is polled, decoded and diverted while the previous one's transaction is in flight (a
    /// ``CommitGate`` keeps rebalances from seeing the store before it commits); with `pauseBetweenBatches`, each
    /// batch is committed before the pause, as a throttled worker's batches always were. ``BatchLoop`` decides
    /// the order; this carries its actions out.
    ///
    /// - Throws: ``OffsetOutOfRange`` when the store's offset is not in the log; a fatal Kafka or store error.
    package func run() async throws -> StateWorkerExit {
        var exit = StateWorkerExit.stopped
        var wait = AssignmentWait(
            role: "state", topic: configuration.topic, group: configuration.groupID,
            timeout: configuration.untilIdle ? configuration.assignmentTimeout : nil, logger: logger)
        var loop = BatchLoop(untilIdle: configuration.untilIdle, pauses: configuration.pauseBetweenBatches > .zero)
        var action = loop.start
        var inFlight: Task<Void, any Error>?
        var polled: [KafkaConsumerMessage] = []
        var prepared: [ConsumedRecord] = []
        await restoreActivity()
        do {
            steps: while true {
                switch action {
                case .poll:
                    if stopRequested.load(ordering: .acquiring) {
                        action = loop.stopRequested()
                        continue
                    }
                    let events: [KafkaConsumerEvent]
                    do {
                        events = try await consumer.poll(
                            maxEvents: configuration.batchSize, timeout: configuration.pollTimeout)
                    } catch let error as KafkaError where error.kind == .offsetOutOfRange {
                        try await inFlight?.value
                        throw await outOfRange(error)
                    }
                    clock.tick()
                    try wait.check(consumer)
                    polled = events.compactMap(\.message)
                    action = loop.polled(messages: polled.count)
                case .prepare:
                    prepared = try await prepare(polled)
                    polled = []
                    action = loop.prepared()
                case .awaitCommit:
                    try await inFlight?.value
                    action = loop.committed()
                case .topUp:
                    do {
                        prepared = try await topUp(prepared)
                    } catch let error as KafkaError where error.kind == .offsetOutOfRange {
                        throw await outOfRange(error)
                    }
                    action = loop.toppedUp()
                case .apply:
                    inFlight = apply(prepared)
                    prepared = []
                    action = loop.applied(stopRequested: stopRequested.load(ordering: .acquiring))
                case .pause:
                    try await Task.sleep(for: configuration.pauseBetweenBatches)
                    action = loop.paused()
                case .checkIdle:
                    action = loop.checkedIdle(
                        caughtUp: !consumer.assignment.isEmpty && consumer.partitionsAtEnd == consumer.assignment
                            && placement.copiesRead(by: assigned.snapshot))
                case .finish(let reason):
                    try await inFlight?.value
                    exit = reason
                    break steps
                }
            }
        } catch {
            var batchError: (any Error)?
            do { try await inFlight?.value } catch { batchError = error }
            await shutDown()
            // A fatal failure of the batch in flight wins over a stop or a give-up that came meanwhile.
            if let batchError, !(batchError is RetryStopped), error is RetryStopped || error is RetriesExhausted {
                throw batchError
            }
            // A stop asked for while a batch was being retried is the usual stop: the batch was not committed, so
            // its events are read again from the store's offsets next time.
            if error is RetryStopped { return .stopped }
            throw error
        }
        await shutDown()
        return exit
    }

    private func shutDown() async {
        await keepActivity(current: true)
        do {
            try await consumer.commit()
        } catch {
            logger.warning("final commit failed; the store keeps the offsets", metadata: ["error": "\(error)"])
        }
        try? await consumer.close()
        await diversions.close()
        logger.info("left the group")
    }

    /// Starts the console's chart from the hour before this start, as kept in the store.
    private func restoreActivity() async {
        do {
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            activity.restore(try await store.keptActivity(since: now - 3_600_000))
        } catch {
            logger.warning(
                "the last hour's activity cannot be read; the chart starts empty", metadata: ["error": "\(error)"])
        }
    }

    /// Keeps the minutes that ended (and with `current`, the one in progress) in the store, for a restart's chart.
    /// One small write a minute at most; a failure costs only the chart's history.
    private func keepActivity(current: Bool = false) async {
        let minutes = activity.takeEnded(current: current)
        guard !minutes.isEmpty else { return }
        do {
            try await store.keepActivity(minutes)
        } catch {
            logger.debug("the activity of a minute was not kept", metadata: ["error": "\(error)"])
        }
    }

    /// After waiting for the previous batch's commit, adds what arrived meanwhile (up to the batch size, without
    /// waiting): at a steady low rate, batches then grow while the writer is busy instead of each paying a
    /// transaction for a few events.
    ///
    /// That poll may serve a rebalance. A record already prepared for a partition that was revoked or assigned
    /// again in it is dropped: the partition is read again from the store's offset (by its new owner, or by this
    /// worker after the seek its assignment made). Records of partitions the rebalance left alone stay.
    private func topUp(_ records: [ConsumedRecord]) async throws -> [ConsumedRecord] {
        let room = configuration.batchSize - records.count
        guard room > 0, !stopRequested.load(ordering: .acquiring) else { return records }
        let before = assigned.assignmentNumbers
        let events = try await consumer.poll(maxEvents: room, timeout: .zero)
        let after = assigned.assignmentNumbers
        var kept = records
        if after != before {
            kept = Self.unmoved(records, before: before, after: after)
            logger.info(
                "a rebalance while topping up a batch; records of moved partitions are read again",
                metadata: ["dropped": .stringConvertible(records.count - kept.count)])
        }
        let messages = events.compactMap(\.message)
        guard !messages.isEmpty else { return kept }
        return kept + (try await prepare(messages))
    }

    /// The records whose partition is in the same assignment `after` as `before`: neither revoked nor assigned
    /// again in between (``AssignedOffsets/assignmentNumbers``).
    static func unmoved(
        _ records: [ConsumedRecord], before: [Int32: Int], after: [Int32: Int]
    ) -> [ConsumedRecord] {
        records.filter { record in after[record.partition].map { $0 == before[record.partition] } ?? false }
    }

    /// Decodes a batch, dead-letters what is invalid and moves what belongs in another partition (waiting for the
    /// acknowledgements), and returns the records to apply.
    private func prepare(_ messages: [KafkaConsumerMessage]) async throws -> [ConsumedRecord] {
        // Decoding is independent per message: it runs on both cores, results kept in message order.
        let decoded = await DecodedEvent.decodeAll(messages, decoder: decoder)
        let partitions = try await placement.partitionCount {
            try await withRetries("read the partition count of \(configuration.topic)") {
                guard let count = try await consumer.partitionCount(of: configuration.topic) else {
                    throw TopicMissing(topic: configuration.topic)
                }
                return Int32(clamping: count)
            }
        }
        var records: [ConsumedRecord] = []
        records.reserveCapacity(messages.count)
        var rejected: [(KafkaConsumerMessage, EventRejection)] = []
        var copies: [DivertedMessage] = []
        for (message, result) in zip(messages, decoded) {
            let content: ConsumedRecord.Content
            switch result {
            case .failure(let rejection):
                rejected.append((message, rejection))
                content = .deadLettered
            case .success(let decoded):
                let outcome = partitions.map { placement.outcome(of: decoded.event, in: message, partitionCount: $0) }
                switch outcome ?? .stays {
                case .stays:
                    content = .event(decoded.event, raw: decoded.structured)
                case .moves(let copy, let detail):
                    copies.append(copy)
                    content = .rerouted(decoded.event, detail: detail)
                case .refused(let rejection):
                    rejected.append((message, rejection))
                    content = .deadLettered
                }
            }
            var record = ConsumedRecord(
                partition: message.topicPartition.partition, offset: message.offset, content: content)
            record.timestampMilliseconds = message.timestampMilliseconds
            if case .success(let decoded) = result { record.eventData = decoded.data }
            // Composed here, while the previous batch's transaction runs, instead of inside this one's.
            if let router = configuration.router { record.prepareItems(topic: configuration.topic, router: router) }
            records.append(record)
        }
        if !rejected.isEmpty || !copies.isEmpty { try await divert(rejected, copies: copies) }
        return records
    }

    /// Applies a batch in one transaction, in a task of its own while the next batch is prepared, then stores the
    /// next offsets in Kafka for lag tooling.
    private func apply(_ records: [ConsumedRecord]) -> Task<Void, any Error> {
        committing.enter()
        return Task {
            try await applyNow(records)
        }
    }

    private func applyNow(_ records: [ConsumedRecord]) async throws {
        let started = ContinuousClock.now
        let expected = assigned.snapshot
        let outcome: BatchOutcome
        do {
            defer { committing.leave() }
            outcome = try await withRetries("apply a batch") {
                try await store.apply(
                    topic: configuration.topic, records: records, expected: expected,
                    ledgerWindow: configuration.ledgerWindow, router: configuration.router)
            }
            assigned.advance(outcome.nextOffsets)
        }
        let next = outcome.nextOffsets
        let elapsed = ContinuousClock.now - started
        WorkerMetrics.batchDuration.recordNanoseconds(
            elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
        WorkerMetrics.applied.increment(by: outcome.applied)
        WorkerMetrics.duplicates.increment(by: outcome.duplicates)
        WorkerMetrics.deadLettered.increment(by: outcome.deadLettered)
        WorkerMetrics.anomalies.increment(by: outcome.anomalies)
        WorkerMetrics.rerouted.increment(by: outcome.rerouted)
        let committedAt = Int64(Date().timeIntervalSince1970 * 1000)
        for record in records {
            guard let produced = record.timestampMilliseconds else { continue }
            WorkerMetrics.eventAge.recordMilliseconds(max(0, committedAt - produced))
        }
        activity.record(
            (outcome.applied, outcome.duplicates, outcome.deadLettered, outcome.anomalies), at: committedAt)
        _ = status()
        await keepActivity()
        do {
            try consumer.storeOffsets(
                Dictionary(
                    uniqueKeysWithValues: next.map {
                        (KafkaTopicPartition(topic: configuration.topic, partition: $0.key), $0.value)
                    }))
        } catch {
            logger.debug("offsets not stored in Kafka (lag only)", metadata: ["error": "\(error)"])
        }
        logger.debug(
            "batch applied",
            metadata: [
                "applied": .stringConvertible(outcome.applied), "duplicates": .stringConvertible(outcome.duplicates),
                "deadLettered": .stringConvertible(outcome.deadLettered),
                "anomalies": .stringConvertible(outcome.anomalies), "rerouted": .stringConvertible(outcome.rerouted),
            ])
    }

    /// Sends the rejected messages, unchanged, to the dead-letter topic with the reason in headers, and the
    /// misplaced events to their partitions, all in flight together, and waits until every one is acknowledged
    /// (``DiversionSender``), so nothing is skipped before its offset moves on. The first few of a batch are logged
    /// one by one, the rest counted.
    private func divert(_ rejected: [(KafkaConsumerMessage, EventRejection)], copies: [DivertedMessage]) async throws {
        for (message, reason) in rejected.prefix(10) {
            logger.warning(
                "dead-lettered",
                metadata: ["at": "\(message.topicPartition)@\(message.offset)", "reason": "\(reason)"])
        }
        if rejected.count > 10 {
            logger.warning("dead-lettered \(rejected.count - 10) more messages of this batch")
        }
        let written = try await diversions.send(
            rejected.map { diversions.deadLetter($0.0, reason: $0.1) } + copies,
            shouldStop: { stopRequested.load(ordering: .acquiring) }, onWait: { clock.tick() })
        placement.moved(copies, written: written)
    }

    /// Retries transient failures (``TransientRetries``), saying why on `/readyz` while it does.
    private func withRetries<T>(_ what: String, _ body: () async throws -> T) async throws -> T {
        try await TransientRetries(
            storePath: store.path, giveUpAfter: configuration.untilIdle ? configuration.assignmentTimeout : nil,
            stopRequested: { self.stopRequested.load(ordering: .acquiring) },
            problem: { reason in self.retrying.withLock { $0 = reason } }, logger: logger
        ).run(what, body)
    }

    /// Names the partition and both offsets.
    private func outOfRange(_ error: KafkaError) async -> any Error {
        let stored = (try? store.nextOffsets(topic: configuration.topic)) ?? [:]
        for partition in consumer.assignment.sorted() {
            guard let offset = stored[partition.partition],
                let marks = try? await consumer.watermarks(for: partition), !(marks.low...marks.high).contains(offset)
            else { continue }
            return OffsetOutOfRange(partition: partition, storeOffset: offset, log: marks.low..<marks.high)
        }
        return error
    }
}
