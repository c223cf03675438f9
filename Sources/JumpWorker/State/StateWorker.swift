import CoreMetrics
import Foundation
import GRDB
import JumpEvents
import JumpKafka
import JumpState
import Logging
import Synchronization

/// How a ``StateWorker`` runs.
public struct StateWorkerConfiguration: Sendable {
    /// Kafka's bootstrap servers.
    public var brokers: [String]
    /// librdkafka properties passed through (`-X`), for the consumer and the dead-letter producer.
    public var overrides: [String: String] = [:]
    /// The events topic; default `jump.events`.
    public var topic = "jump.events"
    /// The dead-letter topic; default `jump.events.dlq`.
    public var deadLetterTopic = "jump.events.dlq"
    /// The consumer group; default `jump-state`.
    public var groupID = "jump-state"
    /// The most messages applied in one transaction; default 1,000.
    public var batchSize = 1_000
    /// How long one poll waits for the first message, which bounds a batch's age; default 200 ms.
    public var pollTimeout: Duration = .milliseconds(200)
    /// Exit once every assigned partition is caught up.
    public var untilIdle = false
    /// With `untilIdle`, how long to wait for a first assignment before giving up with ``AssignmentTimedOut``;
    /// default 60 s.
    public var assignmentTimeout: Duration = .seconds(60)
    /// How many offsets back, per partition, an event id is remembered to skip duplicates; default 1,000,000.
    public var ledgerWindow = StateStore.defaultLedgerWindow
    /// A pause after each applied batch, to throttle a worker (to spare a shared disk, or to watch it in a test);
    /// default none.
    public var pauseBetweenBatches: Duration = .zero
    /// Where a partition starts when the store's offset is no longer in the log: `nil` stops the worker (the
    /// default), `.earliest` or `.latest` resets it.
    public var offsetReset: KafkaConsumerConfiguration.OffsetReset?
    /// The largest dead letter the dead-letter producer sends (`message.max.bytes`); larger ones become bounded
    /// records. Default 1,000,000,000, librdkafka's maximum, so the broker's limit is the one that counts.
    public var deadLetterMaxBytes = 1_000_000_000
    /// Where events belong: an event whose subject hashes to another partition is moved there and applied there;
    /// default murmur2 (jump-relay's and the Java client's partitioner), checked from the start of the log.
    public var placement = KeyPlacement()
    /// Routes applied events to audiences: one notification item per route goes to the outbox in the batch's
    /// transaction. `nil`: no items.
    public var router: (any NotificationRouter)?

    /// A configuration with jump-relay's defaults.
    public init(brokers: [String]) { self.brokers = brokers }
}

/// Why a ``StateWorker`` stopped, when it did not throw.
public enum StateWorkerExit: Sendable, Equatable {
    /// It was asked to stop (SIGTERM or SIGINT) and left the group cleanly.
    case stopped
    /// `--until-idle`: every assigned partition was caught up.
    case idle
}

/// The worker stopped because the store and the log disagree: the store's offset is not in the log.
public struct OffsetOutOfRange: Error, CustomStringConvertible {
    /// The partition.
    public var partition: KafkaTopicPartition
    /// The store's next offset for it.
    public var storeOffset: Int64?
    /// The offsets the log holds, `low..<high`.
    public var log: Range<Int64>?

    /// Names the partition and both offsets, and the way out.
    public var description: String {
        "\(partition): the state store's next offset is \(storeOffset.map(String.init) ?? "unknown") but the log "
            + "holds \(log.map { "\($0.lowerBound)..<\($0.upperBound)" } ?? "an unknown range") (a restarted dev "
            + "broker, or expired retention). Rebuild the store from the log (delete the state file), or run with "
            + "--offset-reset earliest|latest to continue from there."
    }
}

/// The next offset a worker believes its store has, per assigned partition (`nil`: none yet); kept by the
/// rebalance hooks and advanced after each applied batch.
final class AssignedOffsets: Sendable {
    private let offsets = Mutex<[Int32: Int64?]>([:])
    /// For each assigned partition, a number that changes every time it is assigned (and with it, read from the
    /// store's offset again).
    private let assignments = Mutex<(next: Int, of: [Int32: Int])>((0, [:]))

    func assign(_ entries: [(Int32, Int64?)]) {
        offsets.withLock { for (partition, offset) in entries { $0[partition] = offset } }
        assignments.withLock { state in
            for (partition, _) in entries {
                state.next += 1
                state.of[partition] = state.next
            }
        }
    }
    func revoke(_ partitions: [Int32]) {
        offsets.withLock { for partition in partitions { $0[partition] = nil } }
        assignments.withLock { state in for partition in partitions { state.of[partition] = nil } }
    }
    /// Which assignment each partition is in now: a partition whose number changed (or went) between two looks was
    /// revoked or assigned again in between.
    var assignmentNumbers: [Int32: Int] { assignments.withLock { $0.of } }
    func advance(_ next: [Int32: Int64]) {
        offsets.withLock { for (partition, offset) in next { $0[partition] = offset } }
    }
    var snapshot: [Int32: Int64?] { offsets.withLock { $0 } }

    /// Rebalance hooks that start every assigned partition at the next offset `stored()` reads from the store
    /// (the beginning of the log for one it never held) and keep these offsets in step. They run inside poll,
    /// between batches: the store is the truth, Kafka's committed offsets are not.
    func hooks(
        logger: Logger, committing: CommitGate? = nil, stored: @escaping @Sendable () throws -> [Int32: Int64]
    ) -> KafkaRebalanceHooks {
        KafkaRebalanceHooks(
            onAssign: { [self] partitions in
                committing?.waitUntilIdle()
                let offsets = try stored()
                assign(partitions.map { ($0.partition, offsets[$0.partition]) })
                let starts = partitions.map { ($0, offsets[$0.partition].map(KafkaOffset.exact) ?? .beginning) }
                logger.info(
                    "partitions assigned; starting from the store's offsets",
                    metadata: ["start": "\(starts.sorted { $0.0 < $1.0 }.map { "\($0.0)@\($0.1)" })"])
                return Dictionary(uniqueKeysWithValues: starts)
            },
            onRevoke: { [self] partitions in
                committing?.waitUntilIdle()
                revoke(partitions.map(\.partition))
            })
    }
}

/// Held while a batch's transaction is in flight, so that the next batch is polled and decoded meanwhile while a
/// rebalance still sees the store as that transaction leaves it: the rebalance hooks (inside poll, on the
/// consumer's own queue, never on Swift's cooperative pool) wait until no transaction is in flight before they read
/// the store's offsets or drop a partition.
final class CommitGate: Sendable {
    private let inFlight = DispatchGroup()

    /// A transaction starts.
    func enter() { inFlight.enter() }
    /// It ended (committed or failed).
    func leave() { inFlight.leave() }
    /// Blocks the calling thread until no transaction is in flight.
    func waitUntilIdle() { inFlight.wait() }
}

/// Consumes `jump.events` in a group and folds it into a ``StateStore`` with effectively-once semantics: each
/// batch (state, event-id ledger, outbox, next offsets) is one SQLite transaction, and on assignment the
/// worker seeks to the offsets in its store (the beginning of the log for a partition it never held). Invalid
/// input goes to the dead-letter topic with the reason, and the worker moves on.
public final class StateWorker: Sendable {
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
    /// What the worker did minute by minute over the last hour (the operator console).
    public let activity = ActivityHistory()

    /// Prepares the worker; nothing is consumed until ``run()``.
    public init(configuration: StateWorkerConfiguration, store: StateStore, logger: Logger) throws {
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
        var hooks = assigned.hooks(logger: logger, committing: committing) { try store.nextOffsets(topic: topic) }
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
    public func status() -> WorkerStatus {
        var status = consumer.status(role: "state", next: assigned.snapshot, clock: clock)
        status.problem = diversions.blockedReason
        status.misplaced = placement.note
        status.group = configuration.groupID
        status.lastBatchAtMs = activity.lastBatchAtMs
        return status
    }

    /// Asks the worker to stop after the batch in hand; a waiting poll returns at once.
    public func requestStop() {
        stopRequested.store(true, ordering: .releasing)
        consumer.wakeUp()
    }

    /// Consumes until asked to stop (or, with `untilIdle`, until caught up), then commits and leaves the group.
    ///
    /// The next batch is polled, decoded and diverted while the previous one's transaction is in flight (a
    /// ``CommitGate`` keeps rebalances from seeing the store before it commits); with `pauseBetweenBatches`, each
    /// batch is committed before the pause, as a throttled worker's batches always were.
    ///
    /// - Throws: ``OffsetOutOfRange`` when the store's offset is not in the log; a fatal Kafka or store error.
    public func run() async throws -> StateWorkerExit {
        var exit = StateWorkerExit.stopped
        var wait = AssignmentWait(
            role: "state", topic: configuration.topic, group: configuration.groupID,
            timeout: configuration.untilIdle ? configuration.assignmentTimeout : nil, logger: logger)
        var inFlight: Task<Void, any Error>?
        do {
            while !stopRequested.load(ordering: .acquiring) {
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
                let messages = events.compactMap { event -> KafkaConsumerMessage? in
                    if case .message(let message) = event { return message }
                    return nil
                }
                if !messages.isEmpty {
                    var records = try await prepare(messages)
                    if let previous = inFlight {
                        try await previous.value
                        do {
                            records = try await topUp(records)
                        } catch let error as KafkaError where error.kind == .offsetOutOfRange {
                            throw await outOfRange(error)
                        }
                    }
                    inFlight = apply(records)
                    if configuration.pauseBetweenBatches > .zero, !stopRequested.load(ordering: .acquiring) {
                        try await inFlight?.value
                        try await Task.sleep(for: configuration.pauseBetweenBatches)
                    }
                    continue
                }
                try await inFlight?.value  // awaiting a finished batch again costs nothing
                if configuration.untilIdle, !consumer.assignment.isEmpty,
                    consumer.partitionsAtEnd == consumer.assignment, placement.copiesRead(by: assigned.snapshot)
                {
                    exit = .idle
                    break
                }
            }
            try await inFlight?.value
        } catch {
            _ = try? await inFlight?.value
            await shutDown()
            throw error
        }
        await shutDown()
        return exit
    }

    private func shutDown() async {
        do {
            try await consumer.commit()
        } catch {
            logger.warning("final commit failed; the store keeps the offsets", metadata: ["error": "\(error)"])
        }
        try? await consumer.close()
        await diversions.close()
        logger.info("left the group")
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
                metadata: ["dropped": "\(records.count - kept.count)"])
        }
        let messages = events.compactMap { event -> KafkaConsumerMessage? in
            if case .message(let message) = event { return message }
            return nil
        }
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
            records.append(
                ConsumedRecord(partition: message.topicPartition.partition, offset: message.offset, content: content))
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
        activity.record(
            (outcome.applied, outcome.duplicates, outcome.deadLettered, outcome.anomalies),
            at: Int64(Date().timeIntervalSince1970 * 1000))
        _ = status()
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
                "applied": "\(outcome.applied)", "duplicates": "\(outcome.duplicates)",
                "deadLettered": "\(outcome.deadLettered)", "anomalies": "\(outcome.anomalies)",
                "rerouted": "\(outcome.rerouted)",
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

    /// Retries transient failures (a busy or full disk, a broker away) with exponential backoff up to 5 s,
    /// without skipping anything; fatal ones (a fenced worker, a fatal Kafka error) are thrown at once.
    private func withRetries<T>(_ what: String, _ body: () async throws -> T) async throws -> T {
        var delay = Duration.milliseconds(100)
        while true {
            do {
                return try await body()
            } catch let error as StateStoreError {
                throw error
            } catch let error as DatabaseError
                where ![.SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_FULL, .SQLITE_IOERR].contains(error.resultCode)
            {
                throw error
            } catch let error as KafkaError where error.isFatal || !error.isRetriable {
                throw error
            } catch {
                guard !stopRequested.load(ordering: .acquiring) else { throw error }
                WorkerMetrics.errors(error is KafkaError ? "kafka" : "store").increment()
                logger.warning("\(what) failed; retrying in \(delay)", metadata: ["error": "\(error)"])
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
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
